/**
 * `createSignatureHandler`: the merchant's signature endpoint as a web-standard
 * `(request: Request, context?: {clientAddress}) => Promise<Response>`. Web APIs only; Node's
 * adapter is in node.ts.
 */
import {ZUORA_BACKEND_PATHS, ZUORA_CORS_OPERATIONS} from '../zuora.js';
import {isRefusal, json, type Refusal, refusalResponse, setupError, storeUnavailable} from './answers.js';
import {
	admit,
	type Authorization,
	checkRequest,
	createGate,
	frameCorsHeaders,
	framePreflight,
	withHeaders,
	ENDPOINT_OPTION_NAMES,
	type EndpointOptions,
	type Gate,
	type RequestContext,
} from './gate.js';
import type {IssuedTokens} from './issued-tokens.js';
import {ownField, ownFields} from './own-fields.js';
import {zuoraClientOf, zuoraRefusal} from './zuora-answers.js';
import type {ZuoraAnswer, ZuoraClient, ZuoraClientOptions} from './zuora-client.js';

/**
 * The CORS operation a handler signs for; each fixes the uri and method it signs:
 * - `'credit-card'`: `POST /v1/payment-methods/credit-cards`, binds `accountKey`;
 * - `'account'`: `POST /v1/accounts`, binds `name`;
 * - `'file'`: `GET /v1/files/{fileId}`;
 * - `'rsa-signature'`: a Payment Pages 2.0 signature (`POST /v1/rsa-signatures`) for `pageId`;
 *   answers `signature`, `token`, `tenantId` and `key`; with `viaBrowser`, an HMAC pair for the
 *   page's own CORS call to `POST /v1/rsa-signatures` instead.
 */
export type SignatureOperation = 'credit-card' | 'account' | 'file' | 'rsa-signature';

export type SignatureContext = RequestContext;

export type SignatureHandler = (request: Request, context?: SignatureContext) => Promise<Response>;

export type SignatureHandlerOptions = EndpointOptions & {
	operation: SignatureOperation;
	/** A client from `createZuoraClient` (share one between handlers: one OAuth token), or its options. */
	zuora: ZuoraClient | ZuoraClientOptions;
	/**
	 * The exact URL the browser will call, when it differs from `zuora.baseUrl` + the
	 * operation's path (for `'file'`: the base the file id is appended to). Required for
	 * `'rsa-signature'` (the Payment Page's URL).
	 */
	uri?: string;
	/**
	 * `'rsa-signature'` only: sign the page's own CORS call to Zuora's `POST /v1/rsa-signatures`
	 * (an HMAC pair bound to `pageId`, for the browser's `createPaymentPageSignature`) instead of
	 * fetching the RSA signature here. `uri` then defaults to `<baseUrl>/v1/rsa-signatures`.
	 *
	 * @default false
	 */
	viaBrowser?: boolean;
	/**
	 * A request body declared larger than this is refused (413); the handler itself never reads one.
	 *
	 * @default 4096
	 */
	maxBodyBytes?: number;
	/** Key prefix in the store; handlers with the same prefix share counts. @default `zuora-cors:<operation>` */
	keyPrefix?: string;
	/**
	 * Where each token handed out is recorded with its session (`createIssuedTokens()`); give the
	 * same one to the reconcile handler, which answers only for tokens recorded here.
	 */
	tokens?: IssuedTokens;
};

/** Every option of `SignatureHandlerOptions`, the only ones read (own properties). */
export const SIGNATURE_OPTION_NAMES = [...ENDPOINT_OPTION_NAMES, 'operation', 'zuora', 'uri', 'viaBrowser', 'maxBodyBytes', 'tokens'] as const satisfies ReadonlyArray<keyof SignatureHandlerOptions>;

/** What one handler signs, fixed at creation. */
type SigningConfig = {
	operation: SignatureOperation;
	/** The URL signed (for files: the base the file id is appended to). */
	uri: string;
	/** The RSA signature is fetched here (else an HMAC pair is). */
	rsaHere: boolean;
	zuora: ZuoraClient;
	tokens: IssuedTokens | undefined;
};

/** The body of the hmac- or rsa-signatures call, as Zuora names its fields. */
type SignedCall = {uri: string; method: 'POST' | 'GET'; accountKey?: string; name?: string; pageId?: string};

const OPERATIONS = {
	'credit-card': ZUORA_CORS_OPERATIONS.creditCard,
	account: ZUORA_CORS_OPERATIONS.account,
	file: ZUORA_CORS_OPERATIONS.file,
	'rsa-signature': ZUORA_CORS_OPERATIONS.rsaSignature,
} as const;

/** Characters allowed in what authorize returns: printable, no control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const SAFE_VALUE = /^[^\u0000-\u001F\u007F]{1,255}$/;
const FILE_ID = /^[\w-]{1,128}$/;

/**
 * Creates the signature endpoint for one operation. Its answer names what it signed, as Zuora's
 * hmac-signatures request does: `{success: true, signature, token, uri, method, accountKey}`
 * (`name` for `'account'`, `pageId` for `'rsa-signature'`; for `'file'` the id is in `uri`).
 *
 * @example
 * const signature = createSignatureHandler({
 *   operation: 'credit-card',
 *   zuora: {baseUrl: 'apisandbox', clientId, clientSecret},
 *   origin: 'https://shop.example',
 *   trustProxy: 0, // shoppers connect here; 1 behind one proxy that appends X-Forwarded-For
 *   authorize: request => {
 *     const session = sessions.get(request);
 *     return session && {session: session.id, accountKey: session.accountKey};
 *   },
 * });
 * // node:http / Express: toNodeListener(signature); Hono: signature(c.req.raw, {clientAddress});
 * // Next.js (trustProxy: 1 behind its proxy): export const POST = signature
 */
export function createSignatureHandler(given: SignatureHandlerOptions): SignatureHandler {
	const options = ownFields(given, SIGNATURE_OPTION_NAMES);
	const signing = resolveSigning(options);
	const gate = createGate(options, {keyPrefix: `zuora-cors:${signing.operation}`, maxBodyBytes: 4096, bodyRequired: false}, options.maxBodyBytes);
	const log =
		options.log ??
		((line: string) => {
			console.error(line);
		});
	const say = (line: string) => {
		log(`zuora-cors/server ${signing.operation}: ${line}`);
	};

	const respond = async (request: Request, context: SignatureContext) => {
		try {
			const answer = await sign(request, context, gate, signing);
			if (isRefusal(answer)) {
				say(answer.log);
				return refusalResponse(answer);
			}

			return answer;
		} catch (error) {
			// authorize threw, or a bug: no token, and only the error's name and message logged.
			say(`failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
			return json(500, {reasons: [{code: 'SERVER_ERROR', message: 'The request failed.'}]});
		}
	};

	return async (request, context = {}) => framePreflight(request, gate.frameOrigin) ?? withHeaders(await respond(request, context), frameCorsHeaders(request, gate.frameOrigin));
}

/** The operation, the signed URL and the Zuora client; a TypeError naming a bad option. */
function resolveSigning(options: SignatureHandlerOptions): SigningConfig {
	const {operation} = options;
	if (typeof operation !== 'string' || !Object.hasOwn(OPERATIONS, operation)) {
		throw new TypeError(`operation must be one of ${Object.keys(OPERATIONS).join(', ')}`);
	}

	const zuora = zuoraClientOf(options.zuora);
	const rsaHere = operation === 'rsa-signature' && options.viaBrowser !== true;
	if (rsaHere && options.uri === undefined) {
		throw new TypeError("operation 'rsa-signature' needs uri: the URL of the Payment Page");
	}

	// Files: the base the file id is appended to (`<baseUrl>/v1/files`, or `uri`).
	const uri = (options.uri ?? `${ownField(zuora, 'baseUrl') ?? ''}${OPERATIONS[operation].path.replace('/{file-id}', '')}`).replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+\//.test(uri)) {
		throw new TypeError(`uri must be an absolute http(s) URL (got ${uri})`);
	}

	const {tokens} = options;
	if (tokens !== undefined && (typeof tokens !== 'object' || tokens === null || typeof tokens.record !== 'function')) {
		throw new TypeError('tokens must be the record from createIssuedTokens()');
	}

	return {operation, uri, rsaHere, zuora, tokens};
}

/** One request: the gate's checks, authorize and limits, then Zuora. */
async function sign(request: Request, context: RequestContext, gate: Gate, signing: SigningConfig): Promise<Response | Refusal> {
	const checked = checkRequest(request, context, gate);
	if (isRefusal(checked)) {
		return checked;
	}

	const admitted = await admit(request, gate, checked, authorization => limitAccount(signing.operation, authorization));
	if (isRefusal(admitted) || admitted instanceof Response) {
		return admitted;
	}

	const call = signedCall(signing, admitted.authorization);
	if (typeof call === 'string') {
		return setupError(`authorize returned ${call}`);
	}

	const path = signing.rsaHere ? ZUORA_BACKEND_PATHS.rsaSignatures : ZUORA_BACKEND_PATHS.hmacSignatures;
	const answer = await zuoraRefusal(async () => signing.zuora.post(path, call), 'signature');
	if (isRefusal(answer)) {
		return answer;
	}

	const decided = signatureAnswer(answer, call, signing.rsaHere);
	if (isRefusal(decided)) {
		return decided;
	}

	const recorded = await recordToken(signing.tokens, decided['token'] as string, admitted.authorization.session);
	return recorded ?? json(200, decided);
}

/** Records who was given the token (for reconcile); a store that fails withholds it (503). */
async function recordToken(tokens: IssuedTokens | undefined, token: string, session: string): Promise<Refusal | undefined> {
	try {
		await tokens?.record(token, session);
		return undefined;
	} catch (error) {
		return storeUnavailable(`the token store failed: ${error instanceof Error ? error.message : String(error)}`);
	}
}

/** The per-account limit's key: `account`, else the card's account or the account name; files and pages count only by `account`. */
function limitAccount(operation: SignatureOperation, authorization: Authorization): string | undefined {
	return authorization.account ?? (operation === 'credit-card' || operation === 'account' ? (authorization.accountKey ?? authorization.name) : undefined);
}

/** The body sent to Zuora, from the configuration and authorize's answer only; or what is wrong with that answer. */
export function signedCall(signing: Pick<SigningConfig, 'operation' | 'uri'>, authorization: Authorization): SignedCall | string {
	const value = (name: 'accountKey' | 'name' | 'fileId' | 'pageId') => {
		const given = Object.hasOwn(authorization, name) ? authorization[name] : undefined;
		return typeof given === 'string' && SAFE_VALUE.test(given) ? given : undefined;
	};

	const {uri} = signing;
	switch (signing.operation) {
		case 'credit-card': {
			const accountKey = value('accountKey');
			return accountKey === undefined ? 'no valid accountKey' : {uri, method: 'POST', accountKey};
		}

		case 'account': {
			const name = value('name');
			return name === undefined ? 'no valid name' : {uri, method: 'POST', name};
		}

		case 'file': {
			const fileId = value('fileId');
			return fileId === undefined || !FILE_ID.test(fileId) ? 'no valid fileId' : {uri: `${uri}/${fileId}`, method: 'GET'};
		}

		case 'rsa-signature': {
			const pageId = value('pageId');
			return pageId === undefined ? 'no valid pageId' : {uri, method: 'POST', pageId};
		}
	}
}

/**
 * Zuora's answer to a signature call (a failed call already decided by `zuoraRefusal`): the pair
 * and what it signs, named as in the request to Zuora, or a refusal.
 */
export function signatureAnswer(answer: ZuoraAnswer, call: SignedCall, rsaHere: boolean): Record<string, unknown> | Refusal {
	const {status, body} = answer;
	const signature = body?.['signature'];
	const token = body?.['token'];
	if (status === 200 && body?.['success'] === true && typeof signature === 'string' && typeof token === 'string') {
		return {success: true, signature, token, ...call, ...(rsaHere ? {tenantId: body['tenantId'], key: body['key']} : {})};
	}

	if (rsaHere && signature === null && typeof token === 'string') {
		return setupError("Zuora answered a null RSA signature: too many signed fields for the Payment Page (see Zuora's rsa-signatures reference)");
	}

	return {status: 502, code: 'ZUORA_INVALID_RESPONSE', message: 'The payment service gave no signature.', log: `Zuora answered HTTP ${status} without a signature`};
}
