/**
 * A stub of Zuora's CORS REST surface, for the demo and the tests (published as
 * `zuora-cors/testing`, Node only): OAuth, HMAC and RSA signatures, Create Payment Method
 * (credit card), Create Account and Get File, with CORS headers, one-time tokens, Zuora's error
 * envelope, idempotent replays, and test controls for latency and faults.
 *
 * It follows Zuora where Zuora documents the behaviour (the CORS REST guide, the HMAC and
 * RSA signature, Create Account, Get File, idempotency, error-code and rate-limit references;
 * see the README's "Zuora facts"): the four CORS-enabled operations, the signed parameter of
 * each, the `{ success: false, processId, reasons }` envelope answered with HTTP 200, codes
 * 90000010, 90000011 and 59010220, the code categories (last two digits: 20 invalid value,
 * 22 missing field, 50 lock contention, 61 temporary error, 70 over a limit, 90 malformed,
 * 99 payment-gateway error), the signature and token formats, `POST /oauth/token`, the
 * Idempotency-Key rules (the first answer stored whether it succeeded or failed, replayed with
 * 409; 409 for a concurrent duplicate; 422 for the key on another request), the `ratelimit-*`
 * headers of a 429, Create Account's body and Get File's answers. Zuora's paths, documented
 * codes and card brands come from the library's own modules (`zuora.ts`, `card-rules.ts`), so
 * the stub and the library share one copy.
 *
 * Where Zuora is silent, this stub chooses:
 * - Signature: base64 of the 40 lowercase hex characters of
 *   HMAC-SHA1(secret, uri + "\n" + method + "\n" + signed value (or "") + "\n" + token),
 *   the same format as Zuora's documented example. The secret is random per start.
 * - Token lifetime: 20 minutes from issuance (`tokenLifetimeMs`). An expired token answers
 *   90000011 "Invalid token. The token has expired.", the code of a used token, so a client
 *   re-signs exactly as it does after a used token.
 * - A used, unknown or expired token answers with HTTP 200 by default; `invalidTokenStatus:
 *   401` answers 401 with the same envelope (a recorded sandbox answer came with 401).
 *   `stringCodes: true` sends every reason code of the envelope as a string ("90000011"), as
 *   some recorded answers do.
 * - A token is spent on its first use, before any other check, whatever the outcome.
 * - A signature that does not match (another uri, another method, a tampered `signature`
 *   header, or a body accountKey/name/pageId other than the signed one) answers 90000012
 *   "Invalid signature." Zuora reports only the free text "Invalid signature".
 * - A signature is issued for any host in `uri`; only its use checks that the uri is
 *   `publicUrl` + the request path (the file id included for Get File).
 * - A missing or bad field of a signature request (method, or the `name` that Create Account
 *   signs, or `pageId`) answers like Zuora's empty uri: code 59010220, "'<field>' may not
 *   be empty" or "'<field>' has an invalid value". `method` must be upper case.
 * - A body that is not a JSON object answers HTTP 400 with the envelope, code
 *   <resource>90 (malformed request): 53100090 on the create operations, 59010290 on the
 *   signature operations. A body over 1 MiB answers HTTP 413, code 50000070.
 * - Card fields: one reason per bad field, code 53100020 (invalid value) or 53100022
 *   (missing field), message "<field>: invalid value" / "<field>: missing field", the field
 *   named by the body's own path (`creditCardNumber` on Create Payment Method,
 *   `creditCard.cardNumber` on Create Account). Messages and the request log never hold the
 *   card number or the security code. The rules are the library's (`ZUORA_CARD_BRANDS`):
 *   the number is digits only, at most 16, Luhn-valid, of a length and a BIN prefix of the
 *   given type. A card expires at the end of its expiration month (UTC); a past year is an
 *   expirationYear error, a past month of this year an expirationMonth error.
 *   `cardHolderInfo.cardHolderName` is only required with `requireCardHolderName`.
 *   `defaultPaymentMethod` may be a boolean or "true"/"false" (the guide's sample sends
 *   form values). `accountKey` is not looked up: any value is taken as an existing account;
 *   without one an orphan method is created (`accountKey: null`).
 * - Create Account takes Zuora's body: `name` (the signed value, at most 255 characters),
 *   `currency` (three capital letters), `billToContact` with `firstName`, `lastName` and
 *   `country` required, `autoPay` (boolean). The card is either `creditCard` (`cardType`,
 *   `cardNumber`, `expirationMonth`, `expirationYear`, `securityCode`, `cardHolderInfo`) or
 *   `hpmCreditCardPaymentMethodId`, the id of an orphan payment method at the stub (made by
 *   Create Payment Method without an accountKey), which the new account then owns; both at
 *   once is a `creditCard` invalid value. With `autoPay: true` one of them is required
 *   (`creditCard: missing field`); without a card and without autoPay the account is created
 *   with no payment method and the answer has no `paymentMethodId`. Account fields answer
 *   53000020 / 53000022 (resource 530000, the stub's choice), every bad field at once, card
 *   fields included. Accounts are numbered A00000001, A00000002, ...
 * - Declines: code 53100099 (the credit-card resource, category 99 "payment-gateway error";
 *   Zuora documents no decline code, and 53100320 is a termType code) with the gateway's
 *   message form; nothing is created (not even the account). Decline test cards (Visa, any
 *   valid expiry; the numbers Stripe uses):
 *     4000000000000002  [card_error/card_declined/generic_decline] Your card was declined.
 *     4000000000009995  [card_error/card_declined/insufficient_funds] Your card has insufficient funds.
 *     4000000000000069  [card_error/expired_card/expired_card] Your card has expired.
 *     4000000000000127  [card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect.
 *   each message prefixed "Transaction declined.402 - ".
 * - Idempotency-Key (the two create operations): an answer is stored once the request's
 *   signature/token pair is verified, whatever it says (success, card error, decline, 400),
 *   with its status, headers and body, and is replayed with HTTP 409 and the same headers and
 *   body. Answers given before that (used/expired/unknown token, bad signature, faults) are
 *   not stored: the request was not processed and the key has no verified owner, so a client
 *   re-signing after 90000011 may keep its key. Stored answers are scoped to the signed value
 *   (the accountKey or account name the merchant's backend signed; "" when none was signed):
 *   another account's request with the same key never sees them and is processed as its own.
 *   Within one scope, the same key with another path, method or body (byte for byte) answers
 *   422 (code 50000020, "Idempotency-Key ... was used with another request."), and the key
 *   while its first request is still being processed answers 409 (code 50000050, "... is
 *   being processed."); neither spends the token. A replay needs a signature/token pair the
 *   stub issued for this uri, method and signed value, with a matching signature: the first
 *   request's own pair (already spent) or a fresh one; a replay spends nothing and does not
 *   check the pair's lifetime (nothing new is done). Without a valid pair the request is
 *   handled as any other (90000011 / 90000012), never replayed.
 * - CORS: an allowed origin (exact string match, never `*`) gets
 *   `Access-Control-Allow-Origin: <origin>`, `Access-Control-Allow-Credentials: true` and
 *   `Access-Control-Expose-Headers: Retry-After, ratelimit-limit, ratelimit-remaining,
 *   ratelimit-reset` on every answer; every answer carries
 *   `Vary: Origin`. A preflight (any OPTIONS, on any path) from an allowed origin answers
 *   204 with `Access-Control-Allow-Methods: POST, GET, OPTIONS`,
 *   `Access-Control-Allow-Headers: signature, token, content-type, accept, idempotency-key`
 *   and `Access-Control-Max-Age` only when `preflightMaxAge` is set; any other OPTIONS
 *   answers 403 with an empty body and no CORS headers. A non-preflight request from a
 *   disallowed origin is still processed, without CORS headers, as any server would: CORS is
 *   enforced by the browser, which then hides the answer from the page.
 * - OAuth: bad client credentials answer 401 `{ error: "invalid_client", error_description:
 *   "Bad client credentials" }`; a grant type other than client_credentials answers 400
 *   `{ error: "unsupported_grant_type", ... }`. A missing, unknown or expired bearer token on
 *   the signature operations answers 401 `{ message: "Authentication error" }`. OAuth tokens
 *   survive `reset()`, so a backend's cached token stays valid between tests.
 * - `POST /v1/rsa-signatures` takes a bearer token (a backend) or, without an Authorization
 *   header, an HMAC signature/token pair signed for it with its `pageId` (a browser, CORS).
 *   Its signature is RSA-SHA256 over uri, method, pageId and token with a key pair made on
 *   first use; `key` is that public key (base64 DER SPKI, as in Zuora's sample); `tenantId`
 *   is "12270" (Zuora's sample). RSA tokens are not counted by `tokens()`.
 *   `nullRsaSignatureNext(count)` makes the next answers carry `signature: null` with a
 *   token, as Zuora warns can happen.
 * - `GET /v1/files/{id}` needs an HMAC pair signed for `publicUrl` + its path (method GET, no
 *   signed parameter) and answers the file: a small valid PDF the stub makes, `Content-Type:
 *   application/pdf;charset=UTF-8`. One invoice file exists after start and after `reset()`
 *   (`fileIds()`); `addFile(text?)` makes another. A token problem answers the CORS envelope
 *   like the other operations; an unknown file id answers 404 `{ reasons: [{ code:
 *   "SystemError", message: "File not found." }] }`, without `success`, as Get File's errors
 *   do.
 * - Faults (`failNext`) fire after the request is read and the latency has passed, and
 *   before it is processed: the token is not spent and nothing is created. They model a
 *   failure in front of Zuora (a load balancer) or a refusal before processing. Preflights
 *   are never faulted. By default they hit only the two create operations the browser calls.
 *   Every fault answer carries the same CORS headers as any answer, so a page can read it:
 *     reset        the connection is destroyed, no answer
 *     hang         never answered (close() ends it)
 *     html500      500 text/html "<html><body><h1>500 Internal Server Error</h1></body></html>"
 *     text500      500 text/plain "We're sorry, but something went wrong."
 *     rateLimit    429, `ratelimit-limit: 40`, `ratelimit-remaining: 0`, `ratelimit-reset: 2`
 *                  (seconds), envelope code 50000070 "Too many requests."
 *     unavailable  503, envelope code 50000061 "Service temporarily unavailable."
 *     htmlReason   200, envelope code 53100020 whose message holds HTML tags
 *     {status, body?, headers?}  any status from 200 to 599 with that JSON body (none when
 *                  undefined) and headers, to replay any answer shape Zuora is seen to send
 * - Slow clients: a request's headers must arrive within `headersTimeoutMs` (10 s) and the
 *   whole request within `requestTimeoutMs` (30 s), else Node answers 408 and closes; at most
 *   `maxConnections` (256) connections are open at once, a further one is closed at once.
 * - Latency (`setLatency`) delays every answer, preflights included, but not the controls.
 *   `holdCreates()` parks the create operations after their Idempotency-Key is reserved until
 *   the function it returns is called (to make a concurrent duplicate deterministic).
 * - Test controls under `/__stub/` exist only with `testMode` (otherwise 404 like any
 *   unknown route), get the same CORS headers, and are neither delayed, faulted nor logged.
 */

import {createHash, createHmac, generateKeyPairSync, randomBytes, randomInt, randomUUID, sign, type KeyObject} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {checkAccountFields} from './account-check.js';
import {ACCOUNT_CARD_FIELDS, checkCard, PAYMENT_METHOD_FIELDS, type CardFieldNames, type ValidCard} from './card-check.js';
import {makePdf} from './pdf.js';
import {failure, isBlank, isPlainObject, ok, parseJsonObject, randomHex, reason, safeEqual, type Reason, type Reply} from './values.js';
import {MESSAGES, SIGNATURE_METHODS, STUB_CODES as CODES, STUB_OPERATIONS} from './zuora-facts.js';
import {CORS_OPERATIONS, ZUORA_BACKEND_PATHS} from '../zuora.js';

export type ZuoraStubOptions = {
	/** Port to listen on; 0 picks a free one. @default 0 */
	port?: number;
	/** Interface to listen on. @default '127.0.0.1' */
	host?: string;
	/** Base URL signatures are bound to (a signed uri must be this plus the request path). @default `http://${host}:${port}` */
	publicUrl?: string;
	/** Exact origins allowed by CORS. @default [] */
	allowedOrigins?: string[];
	/** OAuth client id. @default 'demo-client-id' */
	clientId?: string;
	/** OAuth client secret. @default 'demo-client-secret' */
	clientSecret?: string;
	/** Lifetime of an OAuth bearer token. @default 3599 */
	oauthTokenLifetimeSeconds?: number;
	/** Lifetime of a CORS signature/token pair, from issuance. @default 1_200_000 (20 minutes) */
	tokenLifetimeMs?: number;
	/** Whether a card without cardHolderInfo.cardHolderName is refused. @default false */
	requireCardHolderName?: boolean;
	/** Seconds sent as Access-Control-Max-Age; none is sent when undefined. */
	preflightMaxAge?: number;
	/** Serve the HTTP test controls under /__stub/. @default false */
	testMode?: boolean;
	/** HMAC key of the signatures. @default random per start */
	secret?: string;
	/** Clock in epoch milliseconds. @default Date.now */
	now?: () => number;
	/** HTTP status of a 90000011 answer (used, unknown or expired token): Zuora has sent both. @default 200 */
	invalidTokenStatus?: 200 | 401;
	/** Send every envelope reason code as a string ("90000011"), as some Zuora answers do. @default false */
	stringCodes?: boolean;
	/** Time allowed for a request's headers (Node's `server.headersTimeout`); then 408. @default 10_000 */
	headersTimeoutMs?: number;
	/** Time allowed for a whole request (Node's `server.requestTimeout`); then 408. @default 30_000 */
	requestTimeoutMs?: number;
	/** Most connections open at once (Node's `server.maxConnections`); a further one is closed. @default 256 */
	maxConnections?: number;
};

type ResolvedOptions = Required<Omit<ZuoraStubOptions, 'publicUrl' | 'preflightMaxAge'>> & {publicUrl: string | undefined; preflightMaxAge: number | undefined};

/** A stored payment method. The card number and security code are never stored. */
export type StoredPaymentMethod = {
	/** 32 lowercase hex characters. */
	id: string;
	/** The body's accountKey (or the created account's number); null for an orphan method. */
	accountKey: string | null;
	creditCardType: string;
	last4: string;
	expirationMonth: number;
	expirationYear: number;
	cardHolderName: string | null;
	defaultPaymentMethod: boolean;
	/** The Idempotency-Key header of the creating request. */
	idempotencyKey?: string;
	/** ISO 8601. */
	createdAt: string;
};

export type StoredAccount = {
	/** 32 lowercase hex characters. */
	accountId: string;
	/** A00000001, A00000002, ... */
	accountNumber: string;
	name: string;
	currency: string;
	autoPay: boolean;
	/** The account's payment method; null when it was created without one. */
	paymentMethodId: string | null;
};

/** One received request. The body is never logged. */
export type LoggedRequest = {
	method: string;
	/** Without the query string. */
	path: string;
	origin: string | null;
	cookie: string | null;
	signature: string | null;
	token: string | null;
	idempotencyKey: string | null;
	/** null while unanswered, and for the 'reset' and 'hang' faults. */
	status: number | null;
};

/** How `failNext` fails a request; see the module comment for each answer. */
export type FaultMode = 'reset' | 'hang' | 'html500' | 'text500' | 'rateLimit' | 'unavailable' | 'htmlReason';

/** A custom fault answer: any status, a JSON body (none when undefined) and headers. */
export type CustomFault = {status: number; body?: unknown; headers?: Record<string, string>};

export type ZuoraStub = {
	/** Where the stub listens, e.g. `http://127.0.0.1:54321`. */
	url: string;
	/** Base URL signatures are bound to: `options.publicUrl`, else `url`. */
	publicUrl: string;
	port: number;
	/** The origin of `publicUrl` (what a page's CSP connect-src names). */
	origin: string;
	/** Stops listening and ends every connection, hanging ones included. */
	close(): Promise<void>;
	paymentMethods(): StoredPaymentMethod[];
	accounts(): StoredAccount[];
	requests(): LoggedRequest[];
	/** Clears payment methods, accounts, the request log, CORS tokens, idempotency keys, latency and faults. */
	reset(): void;
	/** Delays every answer by `ms`. */
	setLatency(ms: number): void;
	/** The next `count` requests to `paths` fail with `mode`, or answer a custom status, JSON body and headers. */
	failNext(count: number, mode: FaultMode | CustomFault, paths?: string[]): void;
	/** Every CORS token issued so far becomes expired. */
	expireTokens(): void;
	/** How many CORS tokens were issued and used. */
	tokens(): {issued: number; used: number};
	/** Adds an exact origin to `allowedOrigins` (a page's server often starts after the stub). */
	allowOrigin(origin: string): void;
	/** Ids of the files `GET /v1/files/{id}` serves, oldest first (one invoice after start and reset). */
	fileIds(): string[];
	/** Makes a PDF file showing `text` and returns its id (32 lowercase hex characters). */
	addFile(text?: string): string;
	/** The next `count` RSA signatures answer `signature: null` (with a token), as Zuora warns can happen. */
	nullRsaSignatureNext(count?: number): void;
	/** Parks the create operations (after their Idempotency-Key is reserved) until the returned function is called. */
	holdCreates(): () => void;
	/** How many create requests are parked by `holdCreates`. */
	heldCreates(): number;
};

type IssuedToken = {uri: string; method: string; signedParameter: {name: string; value: string} | undefined; issuedAt: number; used: boolean; expired: boolean};
type Fault = {remaining: number; mode: FaultMode | CustomFault; paths: string[]};
type Create = (body: Record<string, unknown>, idempotencyKey: string | undefined) => Reply;
/** A stored Idempotency-Key: what the first request was, and its answer (undefined while it runs). */
type IdempotencyEntry = {path: string; method: string; bodyHash: string; reply: Reply | undefined};
/** A pair whose signature matches the request (used or expired or not). */
type VerifiedPair = {token: string; issued: IssuedToken; value: string};

/** The browser-facing operations, which faults hit by default. */
const CREATE_PATHS: string[] = [CORS_OPERATIONS[0].path, CORS_OPERATIONS[1].path];

const FAULT_MODES = new Set<string>(['reset', 'hang', 'html500', 'text500', 'rateLimit', 'unavailable', 'htmlReason']);
const HTML_500 = '<html><body><h1>500 Internal Server Error</h1></body></html>';
const TEXT_500 = "We're sorry, but something went wrong.";
/** The 429 fault's headers, in the form Zuora's rate-limit guide shows (`ratelimit-reset` in seconds). */
const RATE_LIMIT_HEADERS = {'ratelimit-limit': '40', 'ratelimit-remaining': '0', 'ratelimit-reset': '2'};
const HTML_REASON = '<p>Invalid value for <b>creditCardNumber</b>.<br/>Check the card and retry.</p>';
const EXPOSE_HEADERS = 'Retry-After, ratelimit-limit, ratelimit-remaining, ratelimit-reset';
const FILE_PATH = /^\/v1\/files\/([^/]+)$/;
const MAX_BODY_BYTES = 1024 * 1024;
const TENANT_ID = '12270';
const ALLOW_METHODS = 'POST, GET, OPTIONS';
const ALLOW_HEADERS = 'signature, token, content-type, accept, idempotency-key';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Decline test cards, by number: the gateway message each answers. */
export const DECLINE_TEST_CARDS: ReadonlyMap<string, string> = new Map([
	['4000000000000002', 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'],
	['4000000000009995', 'Transaction declined.402 - [card_error/card_declined/insufficient_funds] Your card has insufficient funds.'],
	['4000000000000069', 'Transaction declined.402 - [card_error/expired_card/expired_card] Your card has expired.'],
	['4000000000000127', "Transaction declined.402 - [card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect."],
]);
const DECLINES = DECLINE_TEST_CARDS;

/**
 * Starts the stub Zuora origin.
 *
 * @example
 * const zuora = await startZuoraStub({allowedOrigins: ['http://localhost:3000']});
 * // the backend signs `${zuora.publicUrl}/v1/payment-methods/credit-cards`
 * await zuora.close();
 */
export async function startZuoraStub(options: ZuoraStubOptions = {}): Promise<ZuoraStub> {
	const config = resolveOptions(options);
	const allowedOrigins = new Set(config.allowedOrigins);
	const state = emptyState();
	const oauthTokens = new Map<string, {expiresAt: number}>();
	const oauthUser = randomBytes(16).toString('hex');
	const oauthEntity = randomUUID();
	const timers = new Set<NodeJS.Timeout>();
	let rsaKeys: {privateKey: KeyObject; publicKey: string} | undefined;
	let publicUrl = '';

	let heldCreates = 0;
	let releaseHold: (() => void) | undefined;
	let hold: Promise<void> | undefined;
	const server = createServer({
		headersTimeout: config.headersTimeoutMs,
		requestTimeout: config.requestTimeoutMs,
		// Node checks both timeouts on this interval (30 s by default): keep it well under them.
		connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(config.headersTimeoutMs / 4))),
	}, (request, response) => {
		handle(request, response).catch(() => {
			if (response.headersSent) response.destroy();
			else sendJson(response, 500, failure(reason(CODES.internal, 'Internal error.')));
		});
	});
	server.maxConnections = config.maxConnections;

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const path = new URL(request.url ?? '/', 'http://stub').pathname;
		const method = request.method ?? 'GET';
		const origin = header(request, 'origin');
		applyCors(response, origin);
		const isControl = config.testMode && path.startsWith('/__stub/');
		if (!isControl) logRequest(request, response, method, path);

		const body = await readBody(request);
		if (body === undefined) return; // the client went away
		if (isControl) return send(response, control(method, path, body.text));

		if (state.latencyMs > 0) await delay(state.latencyMs);
		if (method === 'OPTIONS') return preflight(response, origin);
		const fault = takeFault(path);
		if (fault) return applyFault(fault, request, response);
		if (body.tooLarge) return send(response, {status: 413, body: failure(reason(CODES.tooLarge, 'Request body exceeds 1 MiB.'))});
		send(response, await route(request, method, path, body.text));
	}

	async function route(request: IncomingMessage, method: string, path: string, text: string): Promise<Reply> {
		const key = `${method} ${path}`;
		if (key === `POST ${ZUORA_BACKEND_PATHS.oauthToken}`) return issueOAuthToken(text);
		if (key === `POST ${ZUORA_BACKEND_PATHS.hmacSignatures}`) return authenticated(request) ? issueHmacSignature(text) : authenticationError();
		if (key === `POST ${ZUORA_BACKEND_PATHS.rsaSignatures}`) return rsaSignatureViaBearerOrPair(request, path, text);
		if (key === 'POST /v1/payment-methods/credit-cards') return createViaCors(request, method, path, text, createPaymentMethod);
		if (key === 'POST /v1/accounts') return createViaCors(request, method, path, text, createAccount);
		const file = method === 'GET' ? FILE_PATH.exec(path) : null;
		if (file?.[1] !== undefined) return getFile(request, path, decodeURIComponent(file[1]));
		return notFound(method, path);
	}

	// --- CORS -----------------------------------------------------------------------------

	function applyCors(response: ServerResponse, origin: string | undefined): void {
		// Vary on every answer: a cache must not serve one origin's answer to another.
		response.setHeader('Vary', 'Origin');
		if (origin === undefined || !allowedOrigins.has(origin)) return;
		response.setHeader('Access-Control-Allow-Origin', origin);
		response.setHeader('Access-Control-Allow-Credentials', 'true');
		response.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
	}

	function preflight(response: ServerResponse, origin: string | undefined): void {
		if (origin === undefined || !allowedOrigins.has(origin)) {
			response.writeHead(403).end();
			return;
		}

		const headers: Record<string, string> = {'Access-Control-Allow-Methods': ALLOW_METHODS, 'Access-Control-Allow-Headers': ALLOW_HEADERS};
		if (config.preflightMaxAge !== undefined) headers['Access-Control-Max-Age'] = String(config.preflightMaxAge);
		response.writeHead(204, headers).end();
	}

	// --- OAuth and signatures ---------------------------------------------------------------

	function issueOAuthToken(text: string): Reply {
		const form = new URLSearchParams(text);
		const idOk = safeEqual(form.get('client_id') ?? '', config.clientId);
		const secretOk = safeEqual(form.get('client_secret') ?? '', config.clientSecret);
		if (!idOk || !secretOk) return {status: 401, body: {error: 'invalid_client', error_description: 'Bad client credentials'}};
		if (form.get('grant_type') !== 'client_credentials') {
			return {status: 400, body: {error: 'unsupported_grant_type', error_description: 'Unsupported grant type'}};
		}

		const accessToken = randomBytes(16).toString('hex');
		oauthTokens.set(accessToken, {expiresAt: config.now() + config.oauthTokenLifetimeSeconds * 1000});
		return {
			status: 200,
			body: {
				access_token: accessToken,
				token_type: 'bearer',
				expires_in: config.oauthTokenLifetimeSeconds,
				scope: `user.${oauthUser} entity.${oauthEntity} tenant.${TENANT_ID}`,
				jti: randomBytes(16).toString('hex'),
			},
		};
	}

	function authenticated(request: IncomingMessage): boolean {
		const match = /^Bearer (\S+)$/i.exec(header(request, 'authorization') ?? '');
		const issued = match?.[1] === undefined ? undefined : oauthTokens.get(match[1]);
		return issued !== undefined && config.now() < issued.expiresAt;
	}

	function issueHmacSignature(text: string): Reply {
		const parsed = parseJsonObject(text);
		if (!parsed) return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
		const problem = signatureRequestProblem(parsed, ['uri', 'method']);
		if (problem) return ok(failure(problem));
		const uri = parsed['uri'] as string;
		const method = parsed['method'] as string;
		const operation = findCorsOperation(uri, method);
		if (!operation) return ok(failure(reason(CODES.notCorsEnabled, MESSAGES.notCorsEnabled)));
		const name = operation.signedParameter;
		if (name !== undefined && operation.required && isBlank(parsed[name])) {
			return ok(failure(reason(CODES.signatureField, `'${name}' may not be empty`)));
		}

		const token = randomAlphanumeric(32);
		const value = name === undefined ? '' : signedValue(parsed[name]);
		state.tokens.set(token, {
			uri,
			method,
			signedParameter: name === undefined ? undefined : {name, value},
			issuedAt: config.now(),
			used: false,
			expired: false,
		});
		return ok({signature: hmacSignature(config.secret, uri, method, value, token), token, success: true});
	}

	function issueRsaSignature(text: string): Reply {
		const parsed = parseJsonObject(text);
		if (!parsed) return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
		const problem = signatureRequestProblem(parsed, ['uri', 'method', 'pageId']);
		if (problem) return ok(failure(problem));
		rsaKeys ??= makeRsaKeys();
		const token = randomAlphanumeric(32);
		const signed = [parsed['uri'], parsed['method'], parsed['pageId'], token].join('\n');
		let signature: string | null = sign('sha256', Buffer.from(signed), rsaKeys.privateKey).toString('base64');
		if (state.nullRsaSignatures > 0) {
			state.nullRsaSignatures -= 1;
			signature = null;
		}

		return ok({signature, token, tenantId: TENANT_ID, key: rsaKeys.publicKey, success: true});
	}

	/** A backend calls with its bearer token; a browser (CORS) with an HMAC pair signed for this uri and pageId. */
	function rsaSignatureViaBearerOrPair(request: IncomingMessage, path: string, text: string): Reply {
		if (header(request, 'authorization') !== undefined || header(request, 'token') === undefined) {
			return authenticated(request) ? issueRsaSignature(text) : authenticationError();
		}

		const tokenProblem = spendToken(request, path, parseJsonObject(text));
		if (tokenProblem) return tokenFailure(tokenProblem);
		return issueRsaSignature(text);
	}

	// --- Get File ---------------------------------------------------------------------------

	function getFile(request: IncomingMessage, path: string, id: string): Reply {
		const tokenProblem = spendToken(request, path, undefined);
		if (tokenProblem) return tokenFailure(tokenProblem);
		const file = state.files.get(id);
		if (!file) return {status: 404, body: {reasons: [{code: 'SystemError', message: 'File not found.'}]}};
		return {status: 200, body: undefined, raw: file, headers: {'Content-Type': 'application/pdf;charset=UTF-8'}};
	}

	function addFile(text = 'Invoice INV00000001'): string {
		if (typeof text !== 'string') throw new TypeError('addFile: text must be a string');
		const id = randomHex();
		state.files.set(id, makePdf(text));
		return id;
	}

	// --- CORS create operations -------------------------------------------------------------

	/**
	 * The shared path of the two create operations: idempotent replay (for a verified pair),
	 * then the one-time token and signature, then the body.
	 */
	async function createViaCors(request: IncomingMessage, method: string, path: string, text: string, create: Create): Promise<Reply> {
		const idempotencyKey = header(request, 'idempotency-key');
		const body = parseJsonObject(text);
		const verified = idempotencyKey === undefined ? undefined : verifyPair(request, path, body);
		const storeKey = verified === undefined ? undefined : `${verified.value}\n${idempotencyKey}`;
		const bodyHash = createHash('sha256').update(text).digest('hex');
		const stored = storeKey === undefined ? undefined : state.idempotent.get(storeKey);
		if (stored) {
			if (stored.path !== path || stored.method !== method || stored.bodyHash !== bodyHash) {
				return {status: 422, body: failure(reason(CODES.idempotencyMismatch, `Idempotency-Key '${idempotencyKey}' was used with another request.`))};
			}

			if (!stored.reply) {
				return {status: 409, body: failure(reason(CODES.idempotencyInFlight, `A request with Idempotency-Key '${idempotencyKey}' is being processed.`))};
			}

			return {...stored.reply, status: 409};
		}

		const tokenProblem = spendToken(request, path, body);
		if (tokenProblem) return tokenFailure(tokenProblem);
		// The pair is verified from here on: whatever follows is the stored first answer.
		const entry: IdempotencyEntry = {path, method, bodyHash, reply: undefined};
		if (storeKey !== undefined) state.idempotent.set(storeKey, entry);
		if (hold) {
			heldCreates += 1;
			await hold;
			heldCreates -= 1;
		}

		const reply = body ? create(body, idempotencyKey) : {status: 400, body: failure(reason(CODES.cardMalformed, MESSAGES.malformed))};
		entry.reply = {...reply, headers: {'Content-Type': 'application/json; charset=utf-8', ...reply.headers}};
		return reply;
	}

	/** The 90000011 / 90000012 answer, with `invalidTokenStatus` for 90000011. */
	function tokenFailure(problem: Reason): Reply {
		return {status: problem.code === CODES.invalidToken ? config.invalidTokenStatus : 200, body: failure(problem)};
	}

	/**
	 * The issued pair the request presents, when its signature matches the request (uri,
	 * method, signed value, signature header), used and expired pairs included.
	 */
	function verifyPair(request: IncomingMessage, path: string, body: Record<string, unknown> | undefined): VerifiedPair | undefined {
		const token = header(request, 'token');
		const issued = token === undefined ? undefined : state.tokens.get(token);
		if (token === undefined || !issued) return undefined;
		return signatureMatches(request, path, body, token, issued) ? {token, issued, value: issued.signedParameter?.value ?? ''} : undefined;
	}

	function signatureMatches(request: IncomingMessage, path: string, body: Record<string, unknown> | undefined, token: string, issued: IssuedToken): boolean {
		const value = issued.signedParameter?.value ?? '';
		const bodyValue = issued.signedParameter === undefined ? '' : signedValue(body?.[issued.signedParameter.name]);
		const expected = hmacSignature(config.secret, issued.uri, issued.method, value, token);
		return issued.uri === publicUrl + path
			&& issued.method === request.method
			&& safeEqual(header(request, 'signature') ?? '', expected)
			&& bodyValue === value;
	}

	/** Checks the `token` and `signature` headers, spending the token first. */
	function spendToken(request: IncomingMessage, path: string, body: Record<string, unknown> | undefined): Reason | undefined {
		const token = header(request, 'token');
		const issued = token === undefined ? undefined : state.tokens.get(token);
		if (token === undefined || !issued || issued.used) return reason(CODES.invalidToken, MESSAGES.usedToken);
		// Spent on first use, whatever follows: a token is a one-time ticket.
		issued.used = true;
		if (issued.expired || config.now() - issued.issuedAt > config.tokenLifetimeMs) {
			return reason(CODES.invalidToken, MESSAGES.expiredToken);
		}

		return signatureMatches(request, path, body, token, issued) ? undefined : reason(CODES.invalidSignature, MESSAGES.invalidSignature);
	}

	function createPaymentMethod(body: Record<string, unknown>, idempotencyKey: string | undefined): Reply {
		const accountKey = body['accountKey'];
		const checked = validateCard(body, '', PAYMENT_METHOD_FIELDS);
		if (accountKey !== undefined && accountKey !== null && typeof accountKey !== 'string') {
			checked.reasons.unshift(reason(CODES.cardInvalidValue, 'accountKey: invalid value'));
		}

		if (!checked.card || checked.reasons.length > 0) return ok(failure(...checked.reasons));
		const decline = DECLINES.get(checked.card.number);
		if (decline) return ok(failure(reason(CODES.declined, decline)));
		const method = storePaymentMethod(checked.card, typeof accountKey === 'string' ? accountKey : null, idempotencyKey);
		return ok({success: true, paymentMethodId: method.id});
	}

	function createAccount(body: Record<string, unknown>, idempotencyKey: string | undefined): Reply {
		const account = checkAccountFields(body);
		const reasons = [...account.reasons];
		const creditCard = body['creditCard'];
		const hpmId = body['hpmCreditCardPaymentMethodId'];
		const hasCard = creditCard !== undefined && creditCard !== null;
		const hasHpm = !isBlank(hpmId);
		let card: ValidCard | undefined;
		let hpmMethod: StoredPaymentMethod | undefined;
		if (hasCard && hasHpm) {
			reasons.push(reason(CODES.accountInvalidValue, 'creditCard: invalid value'));
		} else if (hasCard) {
			if (isPlainObject(creditCard)) {
				const checked = validateCard(creditCard, 'creditCard.', ACCOUNT_CARD_FIELDS);
				reasons.push(...checked.reasons);
				card = checked.card;
			} else {
				reasons.push(reason(CODES.cardInvalidValue, 'creditCard: invalid value'));
			}
		} else if (hasHpm) {
			hpmMethod = typeof hpmId === 'string' ? state.paymentMethods.find(method => method.id === hpmId && method.accountKey === null) : undefined;
			if (!hpmMethod) reasons.push(reason(CODES.accountInvalidValue, 'hpmCreditCardPaymentMethodId: invalid value'));
		} else if (body['autoPay'] === true) {
			reasons.push(reason(CODES.accountMissingField, 'creditCard: missing field'));
		}

		if (reasons.length > 0 || !account.fields) return ok(failure(...reasons));
		const decline = card ? DECLINES.get(card.number) : undefined;
		if (decline) return ok(failure(reason(CODES.declined, decline)));

		state.accountCount += 1;
		const accountNumber = `A${String(state.accountCount).padStart(8, '0')}`;
		let paymentMethodId: string | null = null;
		if (card) paymentMethodId = storePaymentMethod(card, accountNumber, idempotencyKey).id;
		if (hpmMethod) {
			hpmMethod.accountKey = accountNumber;
			paymentMethodId = hpmMethod.id;
		}

		const stored: StoredAccount = {accountId: randomHex(), accountNumber, name: account.fields.name, currency: account.fields.currency, autoPay: account.fields.autoPay, paymentMethodId};
		state.accounts.push(stored);
		return ok({success: true, accountId: stored.accountId, accountNumber, ...(paymentMethodId === null ? {} : {paymentMethodId})});
	}

	function storePaymentMethod(card: ValidCard, accountKey: string | null, idempotencyKey: string | undefined): StoredPaymentMethod {
		const method: StoredPaymentMethod = {
			id: randomHex(),
			accountKey,
			creditCardType: card.creditCardType,
			last4: card.number.slice(-4),
			expirationMonth: card.expirationMonth,
			expirationYear: card.expirationYear,
			cardHolderName: card.cardHolderName,
			defaultPaymentMethod: card.defaultPaymentMethod,
			...(idempotencyKey === undefined ? {} : {idempotencyKey}),
			createdAt: new Date(config.now()).toISOString(),
		};
		state.paymentMethods.push(method);
		return method;
	}

	function validateCard(card: Record<string, unknown>, prefix: string, fields: CardFieldNames) {
		return checkCard(card, prefix, {requireCardHolderName: config.requireCardHolderName, now: config.now(), fields});
	}

	// --- Faults, latency, log ---------------------------------------------------------------

	function takeFault(path: string): FaultMode | CustomFault | undefined {
		const fault = state.fault;
		if (!fault || fault.remaining === 0 || !fault.paths.includes(path)) return undefined;
		fault.remaining -= 1;
		return fault.mode;
	}

	function applyFault(mode: FaultMode | CustomFault, request: IncomingMessage, response: ServerResponse): void {
		if (typeof mode === 'object') {
			if (mode.body === undefined) response.writeHead(mode.status, {...mode.headers, 'Content-Length': 0}).end();
			else send(response, {status: mode.status, body: mode.body, headers: mode.headers ?? {}});
			return;
		}

		switch (mode) {
			case 'reset': request.socket.destroy(); return;
			case 'hang': return; // never answered; close() ends the connection.
			case 'html500': return sendText(response, 500, 'text/html', HTML_500);
			case 'text500': return sendText(response, 500, 'text/plain', TEXT_500);
			case 'rateLimit': return send(response, {status: 429, headers: RATE_LIMIT_HEADERS, body: failure(reason(CODES.rateLimited, 'Too many requests.'))});
			case 'unavailable': return send(response, {status: 503, body: failure(reason(CODES.unavailable, 'Service temporarily unavailable.'))});
			case 'htmlReason': return send(response, ok(failure(reason(CODES.cardInvalidValue, HTML_REASON))));
		}
	}

	function send(response: ServerResponse, reply: Reply): void {
		if (reply.raw) {
			response.writeHead(reply.status, {...reply.headers, 'Content-Length': reply.raw.length}).end(reply.raw);
			return;
		}

		sendJson(response, reply.status, config.stringCodes ? withStringCodes(reply.body) : reply.body, reply.headers);
	}

	function delay(ms: number): Promise<void> {
		return new Promise(resolve => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});
	}

	function logRequest(request: IncomingMessage, response: ServerResponse, method: string, path: string): void {
		const entry: LoggedRequest = {
			method,
			path,
			origin: header(request, 'origin') ?? null,
			cookie: header(request, 'cookie') ?? null,
			signature: header(request, 'signature') ?? null,
			token: header(request, 'token') ?? null,
			idempotencyKey: header(request, 'idempotency-key') ?? null,
			status: null,
		};
		state.requests.push(entry);
		response.on('finish', () => {
			entry.status = response.statusCode;
		});
	}

	// --- Test controls ----------------------------------------------------------------------

	function setLatency(ms: number): void {
		if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
			throw new TypeError('setLatency: ms must be a non-negative finite number');
		}

		state.latencyMs = ms;
	}

	function failNext(count: number, mode: FaultMode | CustomFault, paths: string[] = CREATE_PATHS): void {
		if (!Number.isInteger(count) || count < 0) throw new TypeError('failNext: count must be a non-negative integer');
		if (isPlainObject(mode)) {
			const {status, headers} = mode;
			if (!Number.isInteger(status) || status < 200 || status > 599) throw new TypeError('failNext: a custom fault needs a status from 200 to 599');
			if (headers !== undefined && (!isPlainObject(headers) || !Object.values(headers).every(value => typeof value === 'string'))) {
				throw new TypeError('failNext: a custom fault\'s headers must map names to strings');
			}
		} else if (!FAULT_MODES.has(mode)) {
			throw new TypeError(`failNext: mode must be one of ${[...FAULT_MODES].map(name => `'${name}'`).join(', ')}, or {status, body?, headers?}`);
		}
		if (!Array.isArray(paths) || !paths.every(path => typeof path === 'string')) {
			throw new TypeError('failNext: paths must be an array of paths');
		}

		state.fault = {remaining: count, mode, paths: [...paths]};
	}

	function expireTokens(): void {
		for (const issued of state.tokens.values()) issued.expired = true;
	}

	function reset(): void {
		Object.assign(state, emptyState());
		addFile();
	}

	function nullRsaSignatureNext(count = 1): void {
		if (!Number.isInteger(count) || count < 0) throw new TypeError('nullRsaSignatureNext: count must be a non-negative integer');
		state.nullRsaSignatures = count;
	}

	function holdCreates(): () => void {
		if (!hold) {
			hold = new Promise(resolve => {
				releaseHold = resolve;
			});
		}

		return () => {
			releaseHold?.();
			hold = undefined;
			releaseHold = undefined;
		};
	}

	function control(method: string, path: string, text: string): Reply {
		const done = {status: 200, body: {ok: true}};
		const parsed = parseJsonObject(text || '{}');
		try {
			switch (`${method} ${path}`) {
				case 'GET /__stub/payment-methods': return {status: 200, body: stub.paymentMethods()};
				case 'GET /__stub/accounts': return {status: 200, body: stub.accounts()};
				case 'GET /__stub/requests': return {status: 200, body: stub.requests()};
				case 'POST /__stub/reset': reset(); return done;
				case 'POST /__stub/expire-tokens': expireTokens(); return done;
				case 'POST /__stub/latency': setLatency(parsed?.['ms'] as number); return done;
				case 'GET /__stub/files': return {status: 200, body: stub.fileIds()};
				case 'POST /__stub/files': return {status: 200, body: {id: addFile((parsed?.['text'] ?? undefined) as string | undefined)}};
				case 'POST /__stub/null-rsa-signature': nullRsaSignatureNext((parsed?.['count'] ?? 1) as number); return done;
				case 'POST /__stub/fail-next': {
					const paths = (parsed?.['paths'] ?? undefined) as string[] | undefined;
					failNext(parsed?.['count'] as number, parsed?.['mode'] as FaultMode | CustomFault, paths);
					return done;
				}

				default: return notFound(method, path);
			}
		} catch (error) {
			return {status: 400, body: {ok: false, error: error instanceof Error ? error.message : String(error)}};
		}
	}

	// --- Listen -----------------------------------------------------------------------------

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : config.port;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	publicUrl = (config.publicUrl ?? url).replace(/\/+$/, '');

	const stub: ZuoraStub = {
		url,
		publicUrl,
		port,
		origin: new URL(publicUrl).origin,
		close() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			releaseHold?.();
			return new Promise(resolve => {
				server.close(() => resolve());
				// Hanging requests and idle keep-alive sockets would otherwise hold close() open.
				server.closeAllConnections();
			});
		},
		paymentMethods: () => state.paymentMethods.map(method => ({...method})),
		accounts: () => state.accounts.map(account => ({...account})),
		requests: () => state.requests.map(entry => ({...entry})),
		reset,
		setLatency,
		failNext,
		expireTokens,
		tokens: () => ({issued: state.tokens.size, used: [...state.tokens.values()].filter(issued => issued.used).length}),
		allowOrigin(origin) {
			if (origin === '*' || new URL(origin).origin !== origin) throw new TypeError(`allowOrigin: "${origin}" is not an exact origin`);
			allowedOrigins.add(origin);
		},
		fileIds: () => [...state.files.keys()],
		addFile,
		nullRsaSignatureNext,
		holdCreates,
		heldCreates: () => heldCreates,
	};
	addFile();
	return stub;
}

// --- Pure helpers ---------------------------------------------------------------------------

function resolveOptions(options: ZuoraStubOptions): ResolvedOptions {
	const resolved: ResolvedOptions = {
		port: options.port ?? 0,
		host: options.host ?? '127.0.0.1',
		publicUrl: options.publicUrl,
		allowedOrigins: options.allowedOrigins ?? [],
		clientId: options.clientId ?? 'demo-client-id',
		clientSecret: options.clientSecret ?? 'demo-client-secret',
		oauthTokenLifetimeSeconds: options.oauthTokenLifetimeSeconds ?? 3599,
		tokenLifetimeMs: options.tokenLifetimeMs ?? 20 * 60 * 1000,
		requireCardHolderName: options.requireCardHolderName ?? false,
		preflightMaxAge: options.preflightMaxAge,
		testMode: options.testMode ?? false,
		secret: options.secret ?? randomBytes(32).toString('hex'),
		now: options.now ?? Date.now,
		invalidTokenStatus: options.invalidTokenStatus ?? 200,
		stringCodes: options.stringCodes ?? false,
		headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
		requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
		maxConnections: options.maxConnections ?? 256,
	};
	if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
		throw new TypeError('startZuoraStub: option "port" must be an integer from 0 to 65535');
	}

	if (!Array.isArray(resolved.allowedOrigins) || !resolved.allowedOrigins.every(origin => typeof origin === 'string')) {
		throw new TypeError('startZuoraStub: option "allowedOrigins" must be an array of origins');
	}

	if (resolved.allowedOrigins.includes('*')) {
		throw new TypeError('startZuoraStub: option "allowedOrigins" must list exact origins; "*" cannot be used with credentials');
	}

	if (resolved.publicUrl !== undefined && !URL.canParse(resolved.publicUrl)) {
		throw new TypeError('startZuoraStub: option "publicUrl" must be an absolute URL');
	}

	if (resolved.invalidTokenStatus !== 200 && resolved.invalidTokenStatus !== 401) {
		throw new TypeError('startZuoraStub: option "invalidTokenStatus" must be 200 or 401');
	}

	for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'maxConnections'] as const) {
		if (!Number.isInteger(resolved[name]) || !(resolved[name] > 0)) {
			throw new TypeError(`startZuoraStub: option "${name}" must be a positive integer`);
		}
	}

	if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
		throw new TypeError('startZuoraStub: option "headersTimeoutMs" must not exceed "requestTimeoutMs"');
	}

	for (const name of ['tokenLifetimeMs', 'oauthTokenLifetimeSeconds'] as const) {
		if (typeof resolved[name] !== 'number' || !(resolved[name] > 0)) {
			throw new TypeError(`startZuoraStub: option "${name}" must be a positive number`);
		}
	}

	if (resolved.preflightMaxAge !== undefined && (!Number.isInteger(resolved.preflightMaxAge) || resolved.preflightMaxAge < 0)) {
		throw new TypeError('startZuoraStub: option "preflightMaxAge" must be a non-negative integer of seconds');
	}

	if (typeof resolved.now !== 'function') throw new TypeError('startZuoraStub: option "now" must be a function');
	return resolved;
}

function emptyState() {
	return {
		tokens: new Map<string, IssuedToken>(),
		paymentMethods: [] as StoredPaymentMethod[],
		accounts: [] as StoredAccount[],
		requests: [] as LoggedRequest[],
		idempotent: new Map<string, IdempotencyEntry>(),
		files: new Map<string, Buffer>(),
		nullRsaSignatures: 0,
		latencyMs: 0,
		fault: undefined as Fault | undefined,
		accountCount: 0,
	};
}

/** The documented signature format: base64 of 40 lowercase hex characters. */
function hmacSignature(secret: string, uri: string, method: string, value: string, token: string): string {
	const hex = createHmac('sha1', secret).update([uri, method, value, token].join('\n')).digest('hex');
	return Buffer.from(hex).toString('base64');
}

function findCorsOperation(uri: string, method: string) {
	if (!URL.canParse(uri)) return undefined;
	const {pathname} = new URL(uri);
	return STUB_OPERATIONS.find(operation => operation.method === method && operation.pattern.test(pathname));
}

/** The first missing or bad field of a signature request, reported like Zuora's empty uri. */
function signatureRequestProblem(body: Record<string, unknown>, fields: string[]): Reason | undefined {
	for (const field of fields) {
		const value = body[field];
		if (isBlank(value)) return reason(CODES.signatureField, `'${field}' may not be empty`);
		if (typeof value !== 'string' || (field === 'method' && !SIGNATURE_METHODS.has(value))) {
			return reason(CODES.signatureField, `'${field}' has an invalid value`);
		}
	}

	return undefined;
}

/** A signed parameter as the string the signature binds: absent is "". */
function signedValue(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function authenticationError(): Reply {
	return {status: 401, body: {message: 'Authentication error'}};
}

function notFound(method: string, path: string): Reply {
	return {status: 404, body: failure(reason(CODES.notFound, `No operation matches ${method} ${path}.`))};
}

function randomAlphanumeric(length: number): string {
	let text = '';
	for (let index = 0; index < length; index++) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
	return text;
}

function makeRsaKeys() {
	const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
	return {privateKey, publicKey: publicKey.export({type: 'spki', format: 'der'}).toString('base64')};
}

function header(request: IncomingMessage, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Reads the whole body, keeping at most MAX_BODY_BYTES; the rest is drained (not kept) so
 * the client can finish sending and read the 413.
 * @returns undefined when the client went away
 */
function readBody(request: IncomingMessage): Promise<{text: string; tooLarge: boolean} | undefined> {
	return new Promise(resolve => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		request.on('end', () => {
			const tooLarge = size > MAX_BODY_BYTES;
			resolve({text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge});
		});
		request.on('error', () => resolve(undefined));
		request.on('close', () => resolve(undefined)); // no-op after 'end'
	});
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', ...headers, 'Content-Length': Buffer.byteLength(text)});
	response.end(text);
}

function sendText(response: ServerResponse, status: number, type: string, text: string): void {
	response.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(text)}).end(text);
}

/** The envelope with its reason codes as strings. */
function withStringCodes(body: unknown): unknown {
	if (!isPlainObject(body) || !Array.isArray(body['reasons'])) return body;
	return {...body, reasons: body['reasons'].map((item: unknown) => (isPlainObject(item) && typeof item['code'] === 'number' ? {...item, code: String(item['code'])} : item))};
}

/**
 * Runs the stub from the command line: PORT (default 0), ALLOWED_ORIGINS (comma list),
 * STUB_TEST_MODE=1 for the /__stub/ controls. Prints the URL.
 *
 * @example
 * // ALLOWED_ORIGINS=http://localhost:3000 PORT=4010 node -e "import('zuora-cors/testing').then(t => t.main())"
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<ZuoraStub> {
	const stub = await startZuoraStub({
		port: env['PORT'] ? Number(env['PORT']) : 0,
		allowedOrigins: (env['ALLOWED_ORIGINS'] ?? '').split(',').map(origin => origin.trim()).filter(Boolean),
		testMode: env['STUB_TEST_MODE'] === '1',
	});
	console.log(`Zuora stub listening on ${stub.url}`);
	return stub;
}
