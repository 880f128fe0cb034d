/**
 * `createSignatureHandler`: the merchant's signature endpoint as a web-standard
 * `(request: Request) => Promise<Response>`. Web APIs only; Node's adapter is in node.ts.
 */
import {CORS_OPERATIONS, ZUORA_BACKEND_PATHS} from '../zuora.js';
import {addressKey, clientAddress, type TrustProxy} from './address.js';
import {createLimiter, LimitStoreError, type LimitKind, type Limits, type RedisStore} from './limits.js';
import {createZuoraClient, ZuoraUnavailableError, type ZuoraAnswer, type ZuoraClient, type ZuoraClientOptions} from './zuora-client.js';

/**
 * The CORS operation a handler signs for; each fixes the uri and method it signs:
 * - `'credit-card'`: `POST /v1/payment-methods/credit-cards`, binds `accountKey`;
 * - `'account'`: `POST /v1/accounts`, binds `name` (returned to the page beside the pair);
 * - `'file'`: `GET /v1/files/{fileId}`;
 * - `'rsa-signature'`: a Payment Pages 2.0 signature (`POST /v1/rsa-signatures`) for `pageId`;
 *   answers `signature`, `token`, `tenantId` and `key`; with `viaBrowser`, an HMAC pair for the
 *   page's own CORS call to `POST /v1/rsa-signatures` instead (answered with `pageId`).
 */
export type SignatureOperation = 'credit-card' | 'account' | 'file' | 'rsa-signature';

/** What `authorize` decides: who asks (for the limits) and what the token is for. The browser chooses none of it. */
export type Authorization = {
	/** The shopper's session (per-session limit). Required. */
	session: string;
	/** `'credit-card'`: the account the card is added to. */
	accountKey?: string;
	/** `'account'`: the account name the signature binds. */
	name?: string;
	/** `'file'`: the file the page may download. */
	fileId?: string;
	/** `'rsa-signature'`: the Payment Page. */
	pageId?: string;
	/** The per-account limit's key. Default: `accountKey` or `name`; none for files and pages. */
	account?: string;
};

/** What the adapter knows and a `Request` does not carry. */
export type SignatureContext = {
	/** The socket's remote address (`toNodeListener` passes it). */
	clientAddress?: string | undefined;
};

export type SignatureHandler = (request: Request, context?: SignatureContext) => Promise<Response>;

export type SignatureHandlerOptions = {
	operation: SignatureOperation;
	/** A client from `createZuoraClient` (share one between handlers: one OAuth token), or its options. */
	zuora: ZuoraClient | ZuoraClientOptions;
	/**
	 * Decides whether this request may get a token, and for what. Return `null`/`undefined` to
	 * refuse (403), or a `Response` to answer it yourself. Never trust anything the page sent
	 * for the account: take it from your session.
	 */
	authorize(request: Request): Authorization | Response | null | undefined | Promise<Authorization | Response | null | undefined>;
	/**
	 * The exact URL the browser will call, when it differs from `zuora.baseUrl` + the
	 * operation's path (for `'file'`: the base the file id is appended to). Required for
	 * `'rsa-signature'` (the Payment Page's URL).
	 */
	uri?: string;
	/**
	 * `'rsa-signature'` only: sign the page's own CORS call to Zuora's `POST /v1/rsa-signatures`
	 * (an HMAC pair bound to `pageId`, answered with `pageId`, for the browser's
	 * `createPaymentPageSignature`) instead of fetching the RSA signature here. `uri` then
	 * defaults to `<baseUrl>/v1/rsa-signatures`.
	 *
	 * @default false
	 */
	viaBrowser?: boolean;
	/** The page origin(s) allowed to ask. Default: the request URL's own origin. */
	origin?: string | readonly string[];
	/** How the client address is found (see address.ts). Default: the adapter's socket address only. */
	trustProxy?: TrustProxy;
	limits?: Limits;
	/** A Redis client (ioredis or node-redis v4+): limits then hold across instances. Default: this process's memory. */
	store?: RedisStore;
	/**
	 * A limit-store call not answered within this fails closed (503).
	 *
	 * @default 1000
	 */
	storeTimeoutMs?: number;
	/** Key prefix in the store; handlers with the same prefix share counts. @default `zuora-cors:<operation>` */
	keyPrefix?: string;
	/**
	 * A request body declared larger than this is refused (413); the handler itself never reads one.
	 *
	 * @default 4096
	 */
	maxBodyBytes?: number;
	/** Where refusals and failures are logged (never card data: no body is read). @default console.error */
	log?: (line: string) => void;
};

/** The envelope of every refusal: reasons, no `success` field, so the page classifies by status. */
type Reason = {code: number | string; message: string};

const PATHS = {
	'credit-card': CORS_OPERATIONS[0],
	account: CORS_OPERATIONS[1],
	file: CORS_OPERATIONS[2],
	'rsa-signature': CORS_OPERATIONS[3],
} as const;

/** Characters allowed in what authorize returns: printable, no control characters. */
const SAFE_VALUE = /^[^\u0000-\u001F\u007F]{1,255}$/;
const FILE_ID = /^[\w-]{1,128}$/;

/**
 * Creates the signature endpoint for one operation.
 *
 * @example
 * const signature = createSignatureHandler({
 *   operation: 'credit-card',
 *   zuora: {baseUrl: 'https://rest.apisandbox.zuora.com', clientId, clientSecret},
 *   authorize: request => {
 *     const session = sessions.get(request);
 *     return session && {session: session.id, accountKey: session.accountKey};
 *   },
 * });
 * // Next.js: export const POST = signature;  node:http / Express: toNodeListener(signature)
 */
export function createSignatureHandler(options: SignatureHandlerOptions): SignatureHandler {
	const {operation} = options;
	if (!Object.hasOwn(PATHS, operation)) {
		throw new TypeError(`operation must be one of ${Object.keys(PATHS).join(', ')}`);
	}

	if (typeof options.authorize !== 'function') {
		throw new TypeError('authorize must be a function: it decides who gets a token, and for which account');
	}

	const zuora = 'post' in options.zuora ? options.zuora : createZuoraClient(options.zuora);
	// The RSA signature fetched here; else (viaBrowser and the three other operations) an HMAC pair.
	const rsaHere = operation === 'rsa-signature' && options.viaBrowser !== true;
	if (rsaHere && options.uri === undefined) {
		throw new TypeError('operation \'rsa-signature\' needs uri: the URL of the Payment Page');
	}

	// Files: the base the file id is appended to (`<baseUrl>/v1/files`, or `uri`).
	const uri = (options.uri ?? `${zuora.baseUrl}${PATHS[operation].path.replace('/{file-id}', '')}`).replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]+\//.test(uri)) {
		throw new TypeError(`uri must be an absolute http(s) URL (got ${uri})`);
	}

	const origins = options.origin === undefined ? undefined : new Set(typeof options.origin === 'string' ? [options.origin] : options.origin);
	const limiter = createLimiter(options.limits, options.store, options.keyPrefix ?? `zuora-cors:${operation}`, options.storeTimeoutMs ?? 1000);
	const maxBodyBytes = options.maxBodyBytes ?? 4096;
	const log = options.log ?? ((line: string) => {
		console.error(line);
	});
	const say = (line: string) => {
		log(`zuora-cors/server ${operation}: ${line}`);
	};

	return async (request, context = {}) => {
		try {
			return await handle(request, context);
		} catch (error) {
			// authorize threw, or a bug: no token, and only the error's name and message logged.
			say(`failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
			return refuse(500, 'SERVER_ERROR', 'The signature could not be issued.');
		}
	};

	async function handle(request: Request, context: SignatureContext): Promise<Response> {
		if (request.method !== 'POST') {
			return refuse(405, 'METHOD_NOT_ALLOWED', 'Signatures are issued on POST only.', {allow: 'POST'});
		}

		if (!isSameOrigin(request, origins)) {
			say(`refused a cross-site request (Origin ${request.headers.get('origin') ?? 'none'}, Sec-Fetch-Site ${request.headers.get('sec-fetch-site') ?? 'none'})`);
			return refuse(403, 'CROSS_SITE', 'Signatures are issued to same-origin requests only.');
		}

		const length = request.headers.get('content-length');
		if (length === null ? request.headers.has('transfer-encoding') : !(/^\d{1,12}$/.test(length) && Number(length) <= maxBodyBytes)) {
			return refuse(413, 'BODY_TOO_LARGE', `A signature request carries at most ${maxBodyBytes} bytes, with a Content-Length.`, {connection: 'close'});
		}

		const address = clientAddress(request, context.clientAddress, options.trustProxy);
		const addressLimitKey = address === undefined ? undefined : addressKey(address);
		if (addressLimitKey === undefined) {
			say(address === undefined
				? 'no client address: pass context.clientAddress (toNodeListener does), or set trustProxy'
				: 'the client address is not an IP address: check trustProxy');
			return refuse(500, 'SERVER_ERROR', 'The signature could not be issued.');
		}

		const authorization = await options.authorize(request);
		if (authorization instanceof Response) {
			return authorization;
		}

		if (authorization === null || authorization === undefined) {
			return refuse(403, 'NOT_AUTHORIZED', 'No checkout session: load the checkout page again.');
		}

		const signed = signedRequest(authorization);
		if (typeof signed === 'string') {
			say(`authorize returned ${signed}`);
			return refuse(500, 'SERVER_ERROR', 'The signature could not be issued.');
		}

		// A file or a Payment Page is not a card for an account: only `account` set by the merchant limits those.
		const accountKey = authorization.account ?? (operation === 'credit-card' || operation === 'account' ? authorization.accountKey ?? authorization.name : undefined);
		const checks: Array<[LimitKind, string | undefined]> = [['session', authorization.session], ['address', addressLimitKey], ['account', accountKey]];
		for (const [kind, key] of checks) {
			if (key === undefined) {
				continue;
			}

			let wait: number | undefined;
			try {
				wait = await limiter.take(kind, key); // eslint-disable-line no-await-in-loop
			} catch (error) {
				if (!(error instanceof LimitStoreError)) {
					throw error;
				}

				say(`${error.message}: failing closed (503, no token)`);
				return refuse(503, 'LIMITS_UNAVAILABLE', 'Signatures are unavailable for a moment. Please try again.', {'retry-after': '5'});
			}

			if (wait !== undefined) {
				say(`refused: ${kind} limit reached`);
				return refuse(429, 'RATE_LIMITED', 'Too many signature requests. Please wait and try again.', {'retry-after': String(Math.ceil(wait / 1000))});
			}
		}

		let answer: ZuoraAnswer;
		try {
			answer = await zuora.post(rsaHere ? ZUORA_BACKEND_PATHS.rsaSignatures : ZUORA_BACKEND_PATHS.hmacSignatures, signed);
		} catch (error) {
			if (!(error instanceof ZuoraUnavailableError)) {
				throw error;
			}

			say(`Zuora unavailable: ${error.message}`);
			return refuse(503, 'ZUORA_UNAVAILABLE', 'The payment service could not be reached. Please try again.');
		}

		return relay(answer, authorization);
	}

	/** The body sent to Zuora, built from the configuration and authorize's answer only; or what is wrong with that answer. */
	function signedRequest(authorization: Authorization): Record<string, unknown> | string {
		if (typeof authorization.session !== 'string' || authorization.session === '') {
			return 'no session';
		}

		const value = (name: 'accountKey' | 'name' | 'fileId' | 'pageId') => {
			const given = authorization[name];
			return typeof given === 'string' && SAFE_VALUE.test(given) ? given : undefined;
		};

		switch (operation) {
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

	function relay(answer: ZuoraAnswer, authorization: Authorization): Response {
		const {status, body} = answer;
		if (status === 200 && body?.['success'] === true && typeof body['token'] === 'string' && typeof body['signature'] === 'string') {
			const pair: Record<string, unknown> = {success: true, signature: body['signature'], token: body['token']};
			if (operation === 'account') {
				pair['name'] = authorization.name;
			}

			if (rsaHere) {
				pair['tenantId'] = body['tenantId'];
				pair['key'] = body['key'];
			} else if (operation === 'rsa-signature') {
				pair['pageId'] = authorization.pageId;
			}

			return json(200, pair);
		}

		const reasons = Array.isArray(body?.['reasons']) ? (body['reasons'] as unknown[]).slice(0, 5).flatMap(reasonOf) : [];
		if (body?.['success'] === false && reasons.length > 0 && status !== 429 && status < 500) {
			// Zuora refused the request this configuration makes: relayed with 502, Zuora's reasons kept.
			say(`Zuora refused the signature request: HTTP ${status}, ${reasons.map(reason => String(reason.code)).join(', ')}`);
			return json(502, {success: false, ...(typeof body['processId'] === 'string' ? {processId: body['processId']} : {}), reasons});
		}

		if (status === 429 || status >= 500 || status === 401) {
			say(`Zuora answered HTTP ${status} to the signature request`);
			const retryAfter = answer.headers.get('retry-after') ?? answer.headers.get('ratelimit-reset');
			return refuse(503, 'ZUORA_UNAVAILABLE', 'The payment service is busy. Please try again.', retryAfter !== null && /^\d{1,6}$/.test(retryAfter) ? {'retry-after': retryAfter} : {});
		}

		say(`Zuora answered HTTP ${status} without a signature${operation === 'rsa-signature' && body?.['signature'] === null ? ' (a null RSA signature: too many signed fields?)' : ''}`);
		return refuse(502, 'ZUORA_INVALID_RESPONSE', 'The payment service gave no signature.');
	}
}

/**
 * A same-origin request: `Sec-Fetch-Site`, when sent, must be `same-origin`; `Origin`, when
 * sent, must be an allowed origin (by default the request URL's own); at least one of them
 * must be there (every browser sends `Origin` on a POST).
 */
function isSameOrigin(request: Request, origins: ReadonlySet<string> | undefined): boolean {
	const site = request.headers.get('sec-fetch-site');
	const origin = request.headers.get('origin');
	if (site !== null && site !== 'same-origin') {
		return false;
	}

	if (origin === null) {
		return site === 'same-origin';
	}

	return origins === undefined ? origin === new URL(request.url).origin : origins.has(origin);
}

function reasonOf(value: unknown): Reason[] {
	if (typeof value !== 'object' || value === null) {
		return [];
	}

	const {code, message} = value as {code?: unknown; message?: unknown};
	return (typeof code === 'number' || typeof code === 'string') && typeof message === 'string'
		? [{code: typeof code === 'string' ? code.slice(0, 32) : code, message: message.slice(0, 500)}]
		: [];
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
	return json(status, {reasons: [{code, message}]}, headers);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: {'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers},
	});
}
