/**
 * A stub of Zuora's CORS REST surface, for the demo and the tests: OAuth, HMAC and RSA
 * signatures, Create Payment Method (credit card) and Create Account, with CORS headers,
 * one-time tokens, Zuora's error envelope, and test controls for latency and faults.
 *
 * It follows Zuora where Zuora documents the behaviour (the CORS REST guide, the HMAC and
 * RSA signature API references; see the README's "Zuora facts"): the four CORS-enabled
 * operations, the signed parameter of each, the `{ success: false, processId, reasons }`
 * envelope answered with HTTP 200, codes 90000010, 90000011 and 59010220, the signature and
 * token formats, and `POST /oauth/token`.
 *
 * Where Zuora is silent, this stub chooses:
 * - Signature: base64 of the 40 lowercase hex characters of
 *   HMAC-SHA1(secret, uri + "\n" + method + "\n" + signed value (or "") + "\n" + token),
 *   the same format as Zuora's documented example. The secret is random per start.
 * - Token lifetime: 20 minutes from issuance (`tokenLifetimeMs`). An expired token answers
 *   90000011 "Invalid token. The token has expired.", the code of a used token, so a client
 *   re-signs exactly as it does after a used token.
 * - A token is spent on its first use, before any other check, whatever the outcome.
 * - A signature that does not match (another uri, another method, a tampered `signature`
 *   header, or a body accountKey/name other than the signed one) answers 90000012
 *   "Invalid signature." Zuora reports only the free text "Invalid signature".
 * - A signature is issued for any host in `uri`; only its use checks that the uri is
 *   `publicUrl` + the request path.
 * - A missing or bad field of a signature request (method, or the `name` that Create Account
 *   signs, or `pageId`) answers like Zuora's empty uri: code 59010220, "'<field>' may not
 *   be empty" or "'<field>' has an invalid value". `method` must be upper case.
 * - A body that is not a JSON object answers HTTP 400 with the envelope, code
 *   <resource>90 (malformed request): 53100090 on the create operations, 59010290 on the
 *   signature operations. A body over 1 MiB answers HTTP 413, code 50000070.
 * - Card fields: one reason per bad field, code 53100020 (invalid value) or 53100022
 *   (missing field), message "<field>: invalid value" / "<field>: missing field"; on
 *   Create Account the field is prefixed "creditCard.". Messages and the request log never
 *   hold the card number or the security code. The number must match the type's prefixes
 *   and lengths (Visa 13/16, MasterCard 16, AmericanExpress 15, Discover 16, JCB 16,
 *   Diners 14-16). A card expires at the end of its expiration month (UTC); a past year is
 *   an expirationYear error, a past month of this year an expirationMonth error.
 *   `cardHolderInfo.cardHolderName` is only required with `requireCardHolderName`.
 *   `defaultPaymentMethod` may be a boolean or "true"/"false" (the guide's sample sends
 *   form values). `accountKey` is not looked up: any value is taken as an existing account;
 *   without one an orphan method is created (`accountKey: null`).
 * - Create Account requires `creditCard`, validates only it (name is checked by the
 *   signature), and creates an account numbered A00000001, A00000002, ...
 * - Declines: code 53100320 with a gateway-style message, nothing is created (not even the
 *   account). Decline test cards (Visa, any valid expiry; the numbers Stripe uses):
 *     4000000000000002  generic decline
 *     4000000000009995  insufficient funds
 *     4000000000000069  expired card
 * - Idempotency-Key: a key already seen on the same path answers the stored first
 *   response, creates nothing and needs no fresh token (a replay spends nothing; its body
 *   is not compared). Only a successful creation is stored: like Stripe, a request that
 *   failed before anything was created leaves its key free for a retry with a new token.
 * - CORS: an allowed origin (exact string match, never `*`) gets
 *   `Access-Control-Allow-Origin: <origin>`, `Access-Control-Allow-Credentials: true` and
 *   `Access-Control-Expose-Headers: Retry-After` on every answer; every answer carries
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
 * - `POST /v1/rsa-signatures` takes only a bearer token (the stub serves no Payment Page, so
 *   it does not accept an HMAC signature/token pair there). Its signature is RSA-SHA256 over
 *   uri, method, pageId and token with a key pair made on first use; `key` is that public
 *   key (base64 DER SPKI, as in Zuora's sample); `tenantId` is "12270" (Zuora's sample).
 *   RSA tokens are not counted by `tokens()`.
 * - `GET /v1/files/{id}` can be signed but is not served: like every unknown route it
 *   answers 404 `{ success: false, processId, reasons: [{ code: 50000040, ... }] }`.
 * - Faults (`failNext`) fire after the request is read and the latency has passed, and
 *   before it is processed: the token is not spent and nothing is created. They model a
 *   failure in front of Zuora (a load balancer). Preflights are never faulted. By default
 *   they hit only the two create operations the browser calls. The html500 answer carries
 *   the same CORS headers as any answer, so a page can read its status.
 * - Latency (`setLatency`) delays every answer, preflights included, but not the controls.
 * - Test controls under `/__stub/` exist only with `testMode` (otherwise 404 like any
 *   unknown route), get the same CORS headers, and are neither delayed, faulted nor logged.
 */

import {createHmac, generateKeyPairSync, randomBytes, randomInt, randomUUID, sign, timingSafeEqual} from 'node:crypto';
import {createServer} from 'node:http';
import {pathToFileURL} from 'node:url';

/**
 * @typedef {object} ZuoraStubOptions
 * @property {number} [port] Port to listen on; 0 picks a free one. Default: 0
 * @property {string} [host] Interface to listen on. Default: '127.0.0.1'
 * @property {string} [publicUrl] Base URL signatures are bound to (a signed uri must be this plus the request path). Default: `http://${host}:${port}`
 * @property {string[]} [allowedOrigins] Exact origins allowed by CORS. Default: []
 * @property {string} [clientId] OAuth client id. Default: 'demo-client-id'
 * @property {string} [clientSecret] OAuth client secret. Default: 'demo-client-secret'
 * @property {number} [oauthTokenLifetimeSeconds] Lifetime of an OAuth bearer token. Default: 3599
 * @property {number} [tokenLifetimeMs] Lifetime of a CORS signature/token pair, from issuance. Default: 1_200_000 (20 minutes)
 * @property {boolean} [requireCardHolderName] Whether a card without cardHolderInfo.cardHolderName is refused. Default: false
 * @property {number} [preflightMaxAge] Seconds sent as Access-Control-Max-Age; none is sent when undefined. Default: undefined
 * @property {boolean} [testMode] Serve the HTTP test controls under /__stub/. Default: false
 * @property {string} [secret] HMAC key of the signatures. Default: random per start
 * @property {() => number} [now] Clock in epoch milliseconds. Default: Date.now
 */

/**
 * @typedef {Required<Omit<ZuoraStubOptions, 'publicUrl' | 'preflightMaxAge'>> & {publicUrl: string | undefined, preflightMaxAge: number | undefined}} ResolvedOptions
 */

/**
 * A stored payment method. The card number and security code are never stored.
 * @typedef {object} StoredPaymentMethod
 * @property {string} id 32 lowercase hex characters.
 * @property {string | null} accountKey The body's accountKey; null for an orphan method.
 * @property {string} creditCardType
 * @property {string} last4
 * @property {number} expirationMonth
 * @property {number} expirationYear
 * @property {string | null} cardHolderName
 * @property {boolean} defaultPaymentMethod
 * @property {string} [idempotencyKey] The Idempotency-Key header of the creating request.
 * @property {string} createdAt ISO 8601.
 */

/**
 * @typedef {object} StoredAccount
 * @property {string} accountId 32 lowercase hex characters.
 * @property {string} accountNumber A00000001, A00000002, ...
 * @property {string} name
 * @property {string} paymentMethodId
 */

/**
 * One received request. The body is never logged.
 * @typedef {object} LoggedRequest
 * @property {string} method
 * @property {string} path Without the query string.
 * @property {string | null} origin
 * @property {string | null} cookie
 * @property {string | null} signature
 * @property {string | null} token
 * @property {string | null} idempotencyKey
 * @property {number | null} status null while unanswered, and for the 'reset' and 'hang' faults.
 */

/** @typedef {'reset' | 'hang' | 'html500'} FaultMode */

/**
 * @typedef {object} ZuoraStub
 * @property {string} url Where the stub listens, e.g. `http://127.0.0.1:54321`.
 * @property {string} publicUrl Base URL signatures are bound to: `options.publicUrl`, else `url`.
 * @property {number} port
 * @property {string} origin The origin of `publicUrl` (what a page's CSP connect-src names).
 * @property {() => Promise<void>} close Stops listening and ends every connection, hanging ones included.
 * @property {() => StoredPaymentMethod[]} paymentMethods
 * @property {() => StoredAccount[]} accounts
 * @property {() => LoggedRequest[]} requests
 * @property {() => void} reset Clears payment methods, accounts, the request log, CORS tokens, idempotency keys, latency and faults.
 * @property {(ms: number) => void} setLatency Delays every answer by `ms`.
 * @property {(count: number, mode: FaultMode, paths?: string[]) => void} failNext The next `count` requests to `paths` fail with `mode`.
 * @property {() => void} expireTokens Every CORS token issued so far becomes expired.
 * @property {() => {issued: number, used: number}} tokens How many CORS tokens were issued and used.
 * @property {(origin: string) => void} allowOrigin Adds an exact origin to `allowedOrigins` (a page's server often starts after the stub).
 */

/** @typedef {{code: number, message: string}} Reason */
/** @typedef {{status: number, body: unknown}} Reply */
/** @typedef {{uri: string, method: string, signedParameter: {name: string, value: string} | undefined, issuedAt: number, used: boolean, expired: boolean}} IssuedToken */
/** @typedef {{remaining: number, mode: FaultMode, paths: string[]}} Fault */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/**
 * The four CORS-enabled operations and the parameter each signature binds besides uri and
 * method. Mirrors CORS_OPERATIONS in src/zuora.ts, copied so the stub runs without a build.
 */
const CORS_OPERATIONS = [
	{method: 'POST', pattern: /^\/v1\/payment-methods\/credit-cards$/, signedParameter: 'accountKey', required: false},
	{method: 'POST', pattern: /^\/v1\/accounts$/, signedParameter: 'name', required: true},
	{method: 'GET', pattern: /^\/v1\/files\/[^/]+$/, signedParameter: undefined, required: false},
	{method: 'POST', pattern: /^\/v1\/rsa-signatures$/, signedParameter: 'pageId', required: true},
];

/** Methods Zuora's HMAC API accepts (documented). */
const SIGNATURE_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']);

/** Reason codes: a 6-digit resource code and a 2-digit category (20 invalid value, 22 missing field, 90 malformed). */
const CODES = {
	notCorsEnabled: 90_000_010, // documented
	invalidToken: 90_000_011, // documented
	invalidSignature: 90_000_012, // stub's choice
	signatureField: 59_010_220, // documented for an empty uri
	signatureMalformed: 59_010_290,
	cardInvalidValue: 53_100_020,
	cardMissingField: 53_100_022,
	cardMalformed: 53_100_090,
	declined: 53_100_320,
	notFound: 50_000_040,
	internal: 50_000_060,
	tooLarge: 50_000_070,
};

const MESSAGES = {
	usedToken: 'Invalid token. Note: a token can only be used once.',
	expiredToken: 'Invalid token. The token has expired.',
	invalidSignature: 'Invalid signature.',
	notCorsEnabled: 'This API is not CORS enabled.',
	malformed: 'Malformed request body: expected a JSON object.',
};

/** The browser-facing operations, which faults hit by default. */
const CREATE_PATHS = ['/v1/payment-methods/credit-cards', '/v1/accounts'];

const FAULT_MODES = new Set(['reset', 'hang', 'html500']);
const HTML_500 = '<html><body><h1>500 Internal Server Error</h1></body></html>';
const MAX_BODY_BYTES = 1024 * 1024;
const TENANT_ID = '12270';
const ALLOW_METHODS = 'POST, GET, OPTIONS';
const ALLOW_HEADERS = 'signature, token, content-type, accept, idempotency-key';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Card brands by Zuora's creditCardType: accepted lengths and IIN ranges (inclusive, compared
 * on as many leading digits as the bound has).
 * @type {Record<string, {lengths: number[], prefixes: Array<[number, number]>, cvcLength: number}>}
 */
const CARD_BRANDS = {
	Visa: {lengths: [13, 16], prefixes: [[4, 4]], cvcLength: 3},
	MasterCard: {lengths: [16], prefixes: [[51, 55], [2221, 2720]], cvcLength: 3},
	AmericanExpress: {lengths: [15], prefixes: [[34, 34], [37, 37]], cvcLength: 4},
	Discover: {lengths: [16], prefixes: [[6011, 6011], [65, 65], [644, 649]], cvcLength: 3},
	JCB: {lengths: [16], prefixes: [[3528, 3589]], cvcLength: 3},
	Diners: {lengths: [14, 15, 16], prefixes: [[36, 36], [38, 38], [300, 305]], cvcLength: 3},
};

/** Decline test cards, by number: the gateway message each answers. */
const DECLINES = new Map([
	['4000000000000002', 'Transaction declined.402 - [card_declined/generic_decline] Your card was declined.'],
	['4000000000009995', 'Transaction declined.402 - [card_declined/insufficient_funds] Your card has insufficient funds.'],
	['4000000000000069', 'Transaction declined.402 - [card_declined/expired_card] Your card has expired.'],
]);

/** Length limits of cardHolderInfo's optional fields (documented). */
const CARD_HOLDER_LIMITS = {addressLine1: 255, addressLine2: 255, city: 40, zipCode: 20, phone: 40, email: 80};

/**
 * Starts the stub Zuora origin.
 *
 * @param {ZuoraStubOptions} [options]
 * @returns {Promise<ZuoraStub>}
 * @example
 * const zuora = await startZuoraStub({allowedOrigins: ['http://localhost:3000']});
 * // the backend signs `${zuora.publicUrl}/v1/payment-methods/credit-cards`
 * await zuora.close();
 */
export async function startZuoraStub(options = {}) {
	const config = resolveOptions(options);
	const allowedOrigins = new Set(config.allowedOrigins);
	const state = emptyState();
	/** @type {Map<string, {expiresAt: number}>} */
	const oauthTokens = new Map();
	const oauthUser = randomBytes(16).toString('hex');
	const oauthEntity = randomUUID();
	/** @type {Set<NodeJS.Timeout>} */
	const timers = new Set();
	/** @type {{privateKey: import('node:crypto').KeyObject, publicKey: string} | undefined} */
	let rsaKeys;
	let publicUrl = '';

	const server = createServer((request, response) => {
		handle(request, response).catch(() => {
			if (response.headersSent) response.destroy();
			else sendJson(response, 500, failure(reason(CODES.internal, 'Internal error.')));
		});
	});

	/** @param {IncomingMessage} request @param {ServerResponse} response */
	async function handle(request, response) {
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
		send(response, route(request, method, path, body.text));
	}

	/** @param {IncomingMessage} request @param {string} method @param {string} path @param {string} text @returns {Reply} */
	function route(request, method, path, text) {
		const key = `${method} ${path}`;
		if (key === 'POST /oauth/token') return issueOAuthToken(text);
		if (key === 'POST /v1/hmac-signatures') return authenticated(request) ? issueHmacSignature(text) : authenticationError();
		if (key === 'POST /v1/rsa-signatures') return authenticated(request) ? issueRsaSignature(text) : authenticationError();
		if (key === 'POST /v1/payment-methods/credit-cards') return createViaCors(request, path, text, createPaymentMethod);
		if (key === 'POST /v1/accounts') return createViaCors(request, path, text, createAccount);
		return notFound(method, path);
	}

	// --- CORS -----------------------------------------------------------------------------

	/** @param {ServerResponse} response @param {string | undefined} origin */
	function applyCors(response, origin) {
		// Vary on every answer: a cache must not serve one origin's answer to another.
		response.setHeader('Vary', 'Origin');
		if (origin === undefined || !allowedOrigins.has(origin)) return;
		response.setHeader('Access-Control-Allow-Origin', origin);
		response.setHeader('Access-Control-Allow-Credentials', 'true');
		response.setHeader('Access-Control-Expose-Headers', 'Retry-After');
	}

	/** @param {ServerResponse} response @param {string | undefined} origin */
	function preflight(response, origin) {
		if (origin === undefined || !allowedOrigins.has(origin)) {
			response.writeHead(403).end();
			return;
		}
		/** @type {Record<string, string>} */
		const headers = {'Access-Control-Allow-Methods': ALLOW_METHODS, 'Access-Control-Allow-Headers': ALLOW_HEADERS};
		if (config.preflightMaxAge !== undefined) headers['Access-Control-Max-Age'] = String(config.preflightMaxAge);
		response.writeHead(204, headers).end();
	}

	// --- OAuth and signatures ---------------------------------------------------------------

	/** @param {string} text @returns {Reply} */
	function issueOAuthToken(text) {
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

	/** @param {IncomingMessage} request */
	function authenticated(request) {
		const match = /^Bearer (\S+)$/i.exec(header(request, 'authorization') ?? '');
		const issued = match?.[1] === undefined ? undefined : oauthTokens.get(match[1]);
		return issued !== undefined && config.now() < issued.expiresAt;
	}

	/** @param {string} text @returns {Reply} */
	function issueHmacSignature(text) {
		const parsed = parseJsonObject(text);
		if (!parsed) return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
		const problem = signatureRequestProblem(parsed, ['uri', 'method']);
		if (problem) return ok(failure(problem));
		const uri = /** @type {string} */ (parsed.uri);
		const method = /** @type {string} */ (parsed.method);
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

	/** @param {string} text @returns {Reply} */
	function issueRsaSignature(text) {
		const parsed = parseJsonObject(text);
		if (!parsed) return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
		const problem = signatureRequestProblem(parsed, ['uri', 'method', 'pageId']);
		if (problem) return ok(failure(problem));
		rsaKeys ??= makeRsaKeys();
		const token = randomAlphanumeric(32);
		const signed = [parsed.uri, parsed.method, parsed.pageId, token].join('\n');
		const signature = sign('sha256', Buffer.from(signed), rsaKeys.privateKey).toString('base64');
		return ok({signature, token, tenantId: TENANT_ID, key: rsaKeys.publicKey, success: true});
	}

	// --- CORS create operations -------------------------------------------------------------

	/**
	 * The shared path of the two create operations: idempotent replay, then the one-time token
	 * and signature, then the body.
	 * @param {IncomingMessage} request
	 * @param {string} path
	 * @param {string} text
	 * @param {(body: Record<string, unknown>, idempotencyKey: string | undefined) => Reply} create
	 * @returns {Reply}
	 */
	function createViaCors(request, path, text, create) {
		const idempotencyKey = header(request, 'idempotency-key');
		const replayKey = idempotencyKey === undefined ? undefined : `${path}\n${idempotencyKey}`;
		const stored = replayKey === undefined ? undefined : state.idempotent.get(replayKey);
		if (stored) return stored;

		const body = parseJsonObject(text);
		const tokenProblem = spendToken(request, path, body);
		if (tokenProblem) return ok(failure(tokenProblem));
		if (!body) return {status: 400, body: failure(reason(CODES.cardMalformed, MESSAGES.malformed))};

		const reply = create(body, idempotencyKey);
		if (replayKey !== undefined && isSuccess(reply.body)) state.idempotent.set(replayKey, reply);
		return reply;
	}

	/**
	 * Checks the `token` and `signature` headers, spending the token first.
	 * @param {IncomingMessage} request
	 * @param {string} path
	 * @param {Record<string, unknown> | undefined} body
	 * @returns {Reason | undefined}
	 */
	function spendToken(request, path, body) {
		const token = header(request, 'token');
		const issued = token === undefined ? undefined : state.tokens.get(token);
		if (token === undefined || !issued || issued.used) return reason(CODES.invalidToken, MESSAGES.usedToken);
		// Spent on first use, whatever follows: a token is a one-time ticket.
		issued.used = true;
		if (issued.expired || config.now() - issued.issuedAt > config.tokenLifetimeMs) {
			return reason(CODES.invalidToken, MESSAGES.expiredToken);
		}
		const value = issued.signedParameter?.value ?? '';
		const bodyValue = issued.signedParameter === undefined ? '' : signedValue(body?.[issued.signedParameter.name]);
		const expected = hmacSignature(config.secret, issued.uri, issued.method, value, token);
		const matches = issued.uri === publicUrl + path
			&& issued.method === request.method
			&& safeEqual(header(request, 'signature') ?? '', expected)
			&& bodyValue === value;
		return matches ? undefined : reason(CODES.invalidSignature, MESSAGES.invalidSignature);
	}

	/** @param {Record<string, unknown>} body @param {string | undefined} idempotencyKey @returns {Reply} */
	function createPaymentMethod(body, idempotencyKey) {
		const accountKey = body.accountKey;
		const checked = validateCard(body, '');
		if (accountKey !== undefined && accountKey !== null && typeof accountKey !== 'string') {
			checked.reasons.unshift(reason(CODES.cardInvalidValue, 'accountKey: invalid value'));
		}
		if (!checked.card || checked.reasons.length > 0) return ok(failure(...checked.reasons));
		const decline = DECLINES.get(checked.card.number);
		if (decline) return ok(failure(reason(CODES.declined, decline)));
		const method = storePaymentMethod(checked.card, typeof accountKey === 'string' ? accountKey : null, idempotencyKey);
		return ok({success: true, paymentMethodId: method.id});
	}

	/** @param {Record<string, unknown>} body @param {string | undefined} idempotencyKey @returns {Reply} */
	function createAccount(body, idempotencyKey) {
		const creditCard = body.creditCard;
		if (creditCard === undefined || creditCard === null) {
			return ok(failure(reason(CODES.cardMissingField, 'creditCard: missing field')));
		}
		if (!isPlainObject(creditCard)) return ok(failure(reason(CODES.cardInvalidValue, 'creditCard: invalid value')));
		const checked = validateCard(creditCard, 'creditCard.');
		if (!checked.card) return ok(failure(...checked.reasons));
		const decline = DECLINES.get(checked.card.number);
		if (decline) return ok(failure(reason(CODES.declined, decline)));

		state.accountCount += 1;
		const accountNumber = `A${String(state.accountCount).padStart(8, '0')}`;
		const method = storePaymentMethod(checked.card, accountNumber, idempotencyKey);
		const account = {accountId: randomHex(), accountNumber, name: String(body.name), paymentMethodId: method.id};
		state.accounts.push(account);
		return ok({success: true, accountId: account.accountId, accountNumber, paymentMethodId: method.id});
	}

	/** @param {ValidCard} card @param {string | null} accountKey @param {string | undefined} idempotencyKey */
	function storePaymentMethod(card, accountKey, idempotencyKey) {
		/** @type {StoredPaymentMethod} */
		const method = {
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

	/** @param {Record<string, unknown>} card @param {string} prefix */
	function validateCard(card, prefix) {
		return checkCard(card, prefix, {requireCardHolderName: config.requireCardHolderName, now: config.now()});
	}

	// --- Faults, latency, log ---------------------------------------------------------------

	/** @param {string} path @returns {FaultMode | undefined} */
	function takeFault(path) {
		const fault = state.fault;
		if (!fault || fault.remaining === 0 || !fault.paths.includes(path)) return undefined;
		fault.remaining -= 1;
		return fault.mode;
	}

	/** @param {FaultMode} mode @param {IncomingMessage} request @param {ServerResponse} response */
	function applyFault(mode, request, response) {
		if (mode === 'reset') request.socket.destroy();
		if (mode === 'html500') {
			response.writeHead(500, {'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(HTML_500)}).end(HTML_500);
		}
		// 'hang': never answered; close() ends the connection.
	}

	/** @param {number} ms */
	function delay(ms) {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve(undefined);
			}, ms);
			timers.add(timer);
		});
	}

	/** @param {IncomingMessage} request @param {ServerResponse} response @param {string} method @param {string} path */
	function logRequest(request, response, method, path) {
		/** @type {LoggedRequest} */
		const entry = {
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

	/** @param {number} ms */
	function setLatency(ms) {
		if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
			throw new TypeError('setLatency: ms must be a non-negative finite number');
		}
		state.latencyMs = ms;
	}

	/** @param {number} count @param {FaultMode} mode @param {string[]} [paths] */
	function failNext(count, mode, paths = CREATE_PATHS) {
		if (!Number.isInteger(count) || count < 0) throw new TypeError('failNext: count must be a non-negative integer');
		if (!FAULT_MODES.has(mode)) throw new TypeError("failNext: mode must be 'reset', 'hang' or 'html500'");
		if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
			throw new TypeError('failNext: paths must be an array of paths');
		}
		state.fault = {remaining: count, mode, paths: [...paths]};
	}

	function expireTokens() {
		for (const issued of state.tokens.values()) issued.expired = true;
	}

	function reset() {
		Object.assign(state, emptyState());
	}

	/** @param {string} method @param {string} path @param {string} text @returns {Reply} */
	function control(method, path, text) {
		const done = {status: 200, body: {ok: true}};
		const parsed = parseJsonObject(text || '{}');
		try {
			switch (`${method} ${path}`) {
				case 'GET /__stub/payment-methods': return {status: 200, body: stub.paymentMethods()};
				case 'GET /__stub/accounts': return {status: 200, body: stub.accounts()};
				case 'GET /__stub/requests': return {status: 200, body: stub.requests()};
				case 'POST /__stub/reset': reset(); return done;
				case 'POST /__stub/expire-tokens': expireTokens(); return done;
				case 'POST /__stub/latency': setLatency(/** @type {number} */ (parsed?.ms)); return done;
				case 'POST /__stub/fail-next': {
					const paths = /** @type {string[] | undefined} */ (parsed?.paths ?? undefined);
					failNext(/** @type {number} */ (parsed?.count), /** @type {FaultMode} */ (parsed?.mode), paths);
					return done;
				}
				default: return notFound(method, path);
			}
		} catch (error) {
			return {status: 400, body: {ok: false, error: error instanceof Error ? error.message : String(error)}};
		}
	}

	// --- Listen -----------------------------------------------------------------------------

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve(undefined));
	});
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : config.port;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	publicUrl = (config.publicUrl ?? url).replace(/\/+$/, '');

	/** @type {ZuoraStub} */
	const stub = {
		url,
		publicUrl,
		port,
		origin: new URL(publicUrl).origin,
		close() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			return new Promise((resolve) => {
				server.close(() => resolve());
				// Hanging requests and idle keep-alive sockets would otherwise hold close() open.
				server.closeAllConnections();
			});
		},
		paymentMethods: () => state.paymentMethods.map((method) => ({...method})),
		accounts: () => state.accounts.map((account) => ({...account})),
		requests: () => state.requests.map((entry) => ({...entry})),
		reset,
		setLatency,
		failNext,
		expireTokens,
		tokens: () => ({issued: state.tokens.size, used: [...state.tokens.values()].filter((issued) => issued.used).length}),
		allowOrigin(origin) {
			if (origin === '*' || new URL(origin).origin !== origin) throw new TypeError(`allowOrigin: "${origin}" is not an exact origin`);
			allowedOrigins.add(origin);
		},
	};
	return stub;
}

// --- Pure helpers ---------------------------------------------------------------------------

/** @param {ZuoraStubOptions} options @returns {ResolvedOptions} */
function resolveOptions(options) {
	const resolved = {
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
	};
	if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
		throw new TypeError('startZuoraStub: option "port" must be an integer from 0 to 65535');
	}
	if (!Array.isArray(resolved.allowedOrigins) || !resolved.allowedOrigins.every((origin) => typeof origin === 'string')) {
		throw new TypeError('startZuoraStub: option "allowedOrigins" must be an array of origins');
	}
	if (resolved.allowedOrigins.includes('*')) {
		throw new TypeError('startZuoraStub: option "allowedOrigins" must list exact origins; "*" cannot be used with credentials');
	}
	if (resolved.publicUrl !== undefined && !URL.canParse(resolved.publicUrl)) {
		throw new TypeError('startZuoraStub: option "publicUrl" must be an absolute URL');
	}
	for (const name of /** @type {const} */ (['tokenLifetimeMs', 'oauthTokenLifetimeSeconds'])) {
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
		/** @type {Map<string, IssuedToken>} */
		tokens: new Map(),
		/** @type {StoredPaymentMethod[]} */
		paymentMethods: [],
		/** @type {StoredAccount[]} */
		accounts: [],
		/** @type {LoggedRequest[]} */
		requests: [],
		/** @type {Map<string, Reply>} */
		idempotent: new Map(),
		latencyMs: 0,
		/** @type {Fault | undefined} */
		fault: undefined,
		accountCount: 0,
	};
}

/**
 * The documented signature format: base64 of 40 lowercase hex characters.
 * @param {string} secret @param {string} uri @param {string} method @param {string} value @param {string} token
 */
function hmacSignature(secret, uri, method, value, token) {
	const hex = createHmac('sha1', secret).update([uri, method, value, token].join('\n')).digest('hex');
	return Buffer.from(hex).toString('base64');
}

/** @param {string} uri @param {string} method */
function findCorsOperation(uri, method) {
	if (!URL.canParse(uri)) return undefined;
	const {pathname} = new URL(uri);
	return CORS_OPERATIONS.find((operation) => operation.method === method && operation.pattern.test(pathname));
}

/**
 * The first missing or bad field of a signature request, reported like Zuora's empty uri.
 * @param {Record<string, unknown>} body @param {string[]} fields
 * @returns {Reason | undefined}
 */
function signatureRequestProblem(body, fields) {
	for (const field of fields) {
		const value = body[field];
		if (isBlank(value)) return reason(CODES.signatureField, `'${field}' may not be empty`);
		if (typeof value !== 'string' || (field === 'method' && !SIGNATURE_METHODS.has(value))) {
			return reason(CODES.signatureField, `'${field}' has an invalid value`);
		}
	}
	return undefined;
}

/** A signed parameter as the string the signature binds: absent is "". @param {unknown} value */
function signedValue(value) {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * @typedef {object} ValidCard
 * @property {string} creditCardType
 * @property {string} number Kept only to pick a decline and the last four digits.
 * @property {number} expirationMonth
 * @property {number} expirationYear
 * @property {string | null} cardHolderName
 * @property {boolean} defaultPaymentMethod
 */

/**
 * Validates a card body; one reason per bad field. Messages name the field, never its value.
 * @param {Record<string, unknown>} card
 * @param {string} prefix Field-path prefix for messages: '' or 'creditCard.'.
 * @param {{requireCardHolderName: boolean, now: number}} rules
 * @returns {{reasons: Reason[], card: ValidCard | undefined}}
 */
function checkCard(card, prefix, rules) {
	/** @type {Reason[]} */
	const reasons = [];
	/** @param {string} field */
	const invalid = (field) => reasons.push(reason(CODES.cardInvalidValue, `${prefix}${field}: invalid value`));
	/** @param {string} field */
	const missing = (field) => reasons.push(reason(CODES.cardMissingField, `${prefix}${field}: missing field`));

	const type = card.creditCardType;
	const brand = typeof type === 'string' && Object.hasOwn(CARD_BRANDS, type) ? CARD_BRANDS[type] : undefined;
	if (isBlank(type)) missing('creditCardType');
	else if (!brand) invalid('creditCardType');

	const number = card.creditCardNumber;
	if (isBlank(number)) missing('creditCardNumber');
	else if (typeof number !== 'string' || !isCardNumberValid(number, brand)) invalid('creditCardNumber');

	const month = toInteger(card.expirationMonth, /^\d{1,2}$/);
	if (isBlank(card.expirationMonth)) missing('expirationMonth');
	else if (month === undefined || month < 1 || month > 12) invalid('expirationMonth');

	const year = toInteger(card.expirationYear, /^\d{4}$/);
	if (isBlank(card.expirationYear)) missing('expirationYear');
	else if (year === undefined || year < 1000 || year > 9999) invalid('expirationYear');

	if (month !== undefined && month >= 1 && month <= 12 && year !== undefined && year >= 1000) {
		// A card is good through the last day of its expiration month.
		const today = new Date(rules.now);
		if (year < today.getUTCFullYear()) invalid('expirationYear');
		else if (year === today.getUTCFullYear() && month < today.getUTCMonth() + 1) invalid('expirationMonth');
	}

	const securityCode = card.securityCode;
	if (!isBlank(securityCode)) {
		const digits = typeof securityCode === 'number' || typeof securityCode === 'string' ? String(securityCode) : '';
		const lengthOk = brand ? digits.length === brand.cvcLength : digits.length === 3 || digits.length === 4;
		if (!/^\d+$/.test(digits) || !lengthOk) invalid('securityCode');
	}

	const holder = card.cardHolderInfo;
	/** @type {string | null} */
	let cardHolderName = null;
	if (holder !== undefined && holder !== null && !isPlainObject(holder)) invalid('cardHolderInfo');
	const holderInfo = isPlainObject(holder) ? holder : {};
	const name = holderInfo.cardHolderName;
	if (isBlank(name)) {
		if (rules.requireCardHolderName) missing('cardHolderInfo.cardHolderName');
	} else if (typeof name !== 'string' || name.length > 50) {
		invalid('cardHolderInfo.cardHolderName');
	} else {
		cardHolderName = name;
	}
	for (const [field, limit] of Object.entries(CARD_HOLDER_LIMITS)) {
		const value = holderInfo[field];
		if (!isBlank(value) && (typeof value !== 'string' || value.length > limit)) invalid(`cardHolderInfo.${field}`);
	}

	const defaultPaymentMethod = toBoolean(card.defaultPaymentMethod);
	if (defaultPaymentMethod === undefined) invalid('defaultPaymentMethod');

	if (reasons.length > 0 || typeof type !== 'string' || typeof number !== 'string' || month === undefined || year === undefined) {
		return {reasons, card: undefined};
	}
	return {
		reasons,
		card: {creditCardType: type, number, expirationMonth: month, expirationYear: year, cardHolderName, defaultPaymentMethod: defaultPaymentMethod ?? false},
	};
}

/**
 * Digits only, at most 16, Luhn-valid and, when the brand is known, one of its lengths and prefixes.
 * @param {string} number @param {{lengths: number[], prefixes: Array<[number, number]>} | undefined} brand
 */
function isCardNumberValid(number, brand) {
	if (!/^\d{1,16}$/.test(number) || !passesLuhn(number)) return false;
	if (!brand) return true;
	return brand.lengths.includes(number.length) && brand.prefixes.some(([low, high]) => {
		const leading = Number(number.slice(0, String(low).length));
		return leading >= low && leading <= high;
	});
}

/** @param {string} digits */
function passesLuhn(digits) {
	let sum = 0;
	for (let index = 0; index < digits.length; index++) {
		let digit = Number(digits[digits.length - 1 - index]);
		if (index % 2 === 1) {
			digit *= 2;
			if (digit > 9) digit -= 9;
		}
		sum += digit;
	}
	return sum % 10 === 0;
}

/** An integer from a number or a digit string matching `pattern`. @param {unknown} value @param {RegExp} pattern */
function toInteger(value, pattern) {
	if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
	if (typeof value === 'string' && pattern.test(value)) return Number(value);
	return undefined;
}

/** Absent is false; the guide's sample sends form values, so "true"/"false" count too. @param {unknown} value */
function toBoolean(value) {
	if (value === undefined || value === null || value === false || value === 'false') return false;
	if (value === true || value === 'true') return true;
	return undefined;
}

/** @param {unknown} value */
function isBlank(value) {
	return value === undefined || value === null || value === '';
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string} text @returns {Record<string, unknown> | undefined} */
function parseJsonObject(text) {
	try {
		const value = JSON.parse(text);
		return isPlainObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** @param {unknown} body */
function isSuccess(body) {
	return isPlainObject(body) && body.success === true;
}

/** @param {number} code @param {string} message @returns {Reason} */
function reason(code, message) {
	return {code, message};
}

/** Zuora's failure envelope. @param {Reason[]} reasons */
function failure(...reasons) {
	return {success: false, processId: randomBytes(8).toString('hex').toUpperCase(), reasons};
}

/** @param {unknown} body @returns {Reply} */
function ok(body) {
	return {status: 200, body};
}

/** @returns {Reply} */
function authenticationError() {
	return {status: 401, body: {message: 'Authentication error'}};
}

/** @param {string} method @param {string} path @returns {Reply} */
function notFound(method, path) {
	return {status: 404, body: failure(reason(CODES.notFound, `No operation matches ${method} ${path}.`))};
}

/** @param {string} a @param {string} b */
function safeEqual(a, b) {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

function randomHex() {
	return randomBytes(16).toString('hex');
}

/** @param {number} length */
function randomAlphanumeric(length) {
	let text = '';
	for (let index = 0; index < length; index++) text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
	return text;
}

function makeRsaKeys() {
	const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
	return {privateKey, publicKey: publicKey.export({type: 'spki', format: 'der'}).toString('base64')};
}

/** @param {IncomingMessage} request @param {string} name */
function header(request, name) {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Reads the whole body, keeping at most MAX_BODY_BYTES; the rest is drained (not kept) so
 * the client can finish sending and read the 413.
 * @param {IncomingMessage} request
 * @returns {Promise<{text: string, tooLarge: boolean} | undefined>} undefined when the client went away
 */
function readBody(request) {
	return new Promise((resolve) => {
		/** @type {Buffer[]} */
		const chunks = [];
		let size = 0;
		request.on('data', (/** @type {Buffer} */ chunk) => {
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

/** @param {ServerResponse} response @param {Reply} reply */
function send(response, reply) {
	sendJson(response, reply.status, reply.body);
}

/** @param {ServerResponse} response @param {number} status @param {unknown} body */
function sendJson(response, status, body) {
	const text = JSON.stringify(body);
	response.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text)});
	response.end(text);
}

/**
 * Runs the stub from the command line: PORT (default 0), ALLOWED_ORIGINS (comma list),
 * STUB_TEST_MODE=1 for the /__stub/ controls. Prints the URL.
 * @param {NodeJS.ProcessEnv} [env]
 * @example
 * // ALLOWED_ORIGINS=http://localhost:3000 PORT=4010 node demo/zuora-stub.mjs
 */
export async function main(env = process.env) {
	const stub = await startZuoraStub({
		port: env.PORT ? Number(env.PORT) : 0,
		allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
		testMode: env.STUB_TEST_MODE === '1',
	});
	console.log(`Zuora stub listening on ${stub.url}`);
	return stub;
}

// The one side effect: start when run directly (`node demo/zuora-stub.mjs`), never on import.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error) => {
		console.error(error);
		process.exitCode = 1;
	});
}
