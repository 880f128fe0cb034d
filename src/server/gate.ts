/**
 * The checks every endpoint of this entry makes before its own work, in order: POST only, same
 * origin, a bounded body, a known client address (pure decisions), then `authorize` and the
 * limits (I/O), in the order `limitChecks` gives; a refused request costs no limit a point.
 * Each refusal carries the one line the endpoint logs.
 */
import {type Refusal, setupError, storeUnavailable} from './answers.js';
import {addressKey, clientAddress, networkKey, proxyBypassed, type TrustProxy} from './address.js';
import {createLimiter, LimitStoreError, type LimitKind, type Limiter, type Limits} from './limits.js';
import {ownFields} from './own-fields.js';
import type {RedisStore} from './redis-store.js';

/** What the adapter knows and a `Request` does not carry. */
export type RequestContext = {
	/** The socket's remote address (`toNodeListener` passes it). */
	clientAddress?: string | undefined;
};

/** What `authorize` decides: who asks (for the limits) and what for. The browser chooses none of it. */
export type Authorization = {
	/** The shopper's session (per-session limit). Required. */
	session: string;
	/** `'credit-card'` and reconcile: the account the card is added to. */
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

/** Every field of `Authorization`, the only ones read from authorize's answer (own properties). */
export const AUTHORIZATION_FIELDS = ['session', 'accountKey', 'name', 'fileId', 'pageId', 'account'] as const satisfies ReadonlyArray<keyof Authorization>;

export type Authorize = (request: Request) => Authorization | Response | null | undefined | Promise<Authorization | Response | null | undefined>;

/** The options both handlers share. */
export type EndpointOptions = {
	/**
	 * Decides whether this request may be answered, and for which account. Return
	 * `null`/`undefined` to refuse (403), or a `Response` to answer it yourself. Never trust
	 * anything the page sent for the account: take it from your session.
	 */
	authorize: Authorize;
	/**
	 * The page origin(s) allowed to ask, e.g. `'https://shop.example'`. Without it the request
	 * URL's own origin is allowed **on a loopback host only** (`localhost`, `127.0.0.0/8`, `[::1]`):
	 * a page on any other host could be a DNS-rebinding attacker whose name now points at this
	 * server, and its requests look same-origin. Elsewhere a request then answers 500
	 * `SETUP_ERROR` and the log says to set `origin`.
	 */
	origin?: string | readonly string[];
	/**
	 * The card frame's origin (`createCardFrameHandler`, e.g. `'https://cards.shop.example'`),
	 * which calls this endpoint from its own origin with the shopper's cookie. Its requests are
	 * answered with CORS for exactly this origin (credentials, `Vary: Origin`) when same-site;
	 * cross-site ones are refused (`CROSS_SITE`), readable by the frame so it can say why.
	 */
	frameOrigin?: string;
	/**
	 * How the client address (the per-address limit's key) is found, required so that a server
	 * which cannot learn it fails here, when created, not at every shopper's request:
	 * - `0`: no proxy in front; the connection's address, which the adapter passes as
	 *   `context.clientAddress` (`toNodeListener` does; Hono, Fastify: pass it yourself);
	 * - `n`: `n` proxies in front (a load balancer, Vercel, nginx): the address the outermost one
	 *   saw, read from the right of `X-Forwarded-For` (see address.ts);
	 * - a function `(request, socketAddress) => address`.
	 */
	trustProxy: TrustProxy;
	limits?: Limits;
	/**
	 * A Redis client, ioredis 5 (`new Redis(...)`) or node-redis v4+ (`createClient(...)`, then
	 * `connect()`): limits then hold across instances. One still connecting is waited for, up to
	 * `storeTimeoutMs`. Anything else is refused when the handler is created. Default: this
	 * process's memory.
	 */
	store?: RedisStore;
	/**
	 * A limit-store call (the wait for a connecting client included) not answered within this
	 * fails closed (503).
	 *
	 * @default 1000
	 */
	storeTimeoutMs?: number;
	/**
	 * The secret limit keys are hashed with (HMAC-SHA-256), so no session id, address or account
	 * reaches the store as is. Required with `store` (every instance sharing it must use the same
	 * one); without `store`, a random key made at startup.
	 */
	limitKeySecret?: string;
	/** Key prefix in the store; handlers with the same prefix share counts. */
	keyPrefix?: string;
	/** Where refusals and failures are logged, one line each (never secrets or card data). @default console.error */
	log?: (line: string) => void;
};

/** Every option of `EndpointOptions`, the only ones read (own properties). */
export const ENDPOINT_OPTION_NAMES = ['authorize', 'origin', 'frameOrigin', 'trustProxy', 'limits', 'store', 'storeTimeoutMs', 'limitKeySecret', 'keyPrefix', 'log'] as const satisfies ReadonlyArray<
	keyof EndpointOptions
>;

/** The gate's resolved configuration. */
export type Gate = {
	origins: ReadonlySet<string> | undefined;
	frameOrigin: string | undefined;
	trustProxy: TrustProxy | undefined;
	maxBodyBytes: number;
	/** A body must be sent (with a Content-Length); else one is refused unless declared small. */
	bodyRequired: boolean;
	limiter: Limiter;
	authorize: Authorize;
};

/** The client's limit keys: its address, and its network (IPv4 /24, IPv6 /48). */
export type AddressKeys = {addressKey: string; networkKey: string};

export type Admitted = AddressKeys & {authorization: Authorization};

/** Resolves the shared options once; a bad one throws a TypeError that names it. */
export function createGate(given: EndpointOptions, defaults: {keyPrefix: string; maxBodyBytes: number; bodyRequired: boolean}, maxBodyBytes: number | undefined): Gate {
	const options = ownFields(given, ENDPOINT_OPTION_NAMES);
	if (typeof options.authorize !== 'function') {
		throw new TypeError('authorize must be a function: it decides who is answered, and for which account');
	}

	checkTrustProxy(options.trustProxy);
	const origins = options.origin === undefined ? undefined : new Set(typeof options.origin === 'string' ? [options.origin] : options.origin);
	for (const origin of [...(origins ?? []), ...(options.frameOrigin === undefined ? [] : [options.frameOrigin])]) {
		if (typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin) || new URL(origin).origin !== origin) {
			throw new TypeError(`origin must be a page origin such as https://shop.example (scheme, host, port only; got ${String(origin)})`);
		}
	}

	const bytes = maxBodyBytes ?? defaults.maxBodyBytes;
	if (!(Number.isInteger(bytes) && bytes >= 0)) {
		throw new TypeError('maxBodyBytes must be a whole number of bytes');
	}

	return {
		origins,
		frameOrigin: options.frameOrigin,
		trustProxy: options.trustProxy,
		maxBodyBytes: bytes,
		bodyRequired: defaults.bodyRequired,
		limiter: createLimiter({
			limits: options.limits,
			store: options.store,
			prefix: options.keyPrefix ?? defaults.keyPrefix,
			storeTimeoutMs: options.storeTimeoutMs ?? 1000,
			keySecret: options.limitKeySecret,
		}),
		authorize: options.authorize,
	};
}

/** A TypeError naming `trustProxy` when it is missing or not a hop count or a function. */
function checkTrustProxy(trustProxy: unknown): asserts trustProxy is TrustProxy {
	if (trustProxy === undefined) {
		throw new TypeError(
			"trustProxy is required: 0 when shoppers connect to this server (toNodeListener passes the connection's address; with a framework that gives only a Request, pass {clientAddress} as the handler's second argument), the number of proxies in front that append X-Forwarded-For, or a function (request, socketAddress) => address",
		);
	}

	if (typeof trustProxy !== 'function' && !(Number.isInteger(trustProxy) && (trustProxy as number) >= 0 && (trustProxy as number) <= 10)) {
		throw new TypeError(`trustProxy must be a number of proxies (0 to 10) or a function; got ${typeof trustProxy === 'number' ? trustProxy : typeof trustProxy}`);
	}
}

/** The pure checks, in order; the first refusal, or the client address's limit key. */
export function checkRequest(request: Request, context: RequestContext, gate: Gate): Refusal | AddressKeys {
	if (request.method !== 'POST') {
		return {status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Only POST is answered here.', headers: {allow: 'POST'}, log: `refused ${printable(request.method)}: POST only`};
	}

	const origin = originRefusal(request, gate.origins, gate.frameOrigin);
	if (origin !== undefined) {
		return origin;
	}

	const body = bodyRefusal(request.headers, gate.maxBodyBytes, gate.bodyRequired);
	if (body !== undefined) {
		return body;
	}

	if (proxyBypassed(request, gate.trustProxy)) {
		// The client reached a proxy behind the first one: its own X-Forwarded-For entries would pick its limit key.
		return {status: 400, code: 'BAD_REQUEST', message: 'The request did not come through the expected proxies.', log: 'X-Forwarded-For has fewer entries than trustProxy (a proxy was bypassed)'};
	}

	const address = clientAddress(request, context.clientAddress, gate.trustProxy);
	const key = address === undefined ? undefined : addressKey(address);
	if (key === undefined) {
		return setupError(
			address === undefined
				? "no client address: trustProxy 0 takes the connection's address, and none was passed: serve the handler with toNodeListener, or pass {clientAddress} as its second argument"
				: 'the client address is not an IP address: check trustProxy',
		);
	}

	return {addressKey: key, networkKey: networkKey(address!)!};
}

/**
 * Same origin: `Sec-Fetch-Site`, when sent, must be `same-origin`; `Origin`, when sent, must be an
 * allowed origin; at least one of them must be there (every browser sends `Origin` on a POST).
 * Without configured origins, the request URL's own origin, on a loopback host only.
 */
export function originRefusal(request: Request, origins: ReadonlySet<string> | undefined, frameOrigin?: string): Refusal | undefined {
	const site = request.headers.get('sec-fetch-site');
	const origin = request.headers.get('origin');
	const url = new URL(request.url);
	if (frameOrigin !== undefined && origin === frameOrigin) {
		return site === null || site === 'same-site' || site === 'same-origin'
			? undefined
			: {
					status: 403,
					code: 'CROSS_SITE',
					message: 'The card frame is on another site than this endpoint: its cookie is withheld.',
					log: `refused the card frame ${printable(origin)}: the request is ${printable(site)}, so the shopper's cookie is withheld; serve the frame on the shop's own site (a subdomain such as cards.shop.example)`,
				};
	}

	const allowed = origins ?? new Set([url.origin]);
	const sameOrigin = (site === null || site === 'same-origin') && (origin === null ? site === 'same-origin' : allowed.has(origin));
	if (!sameOrigin) {
		return {
			status: 403,
			code: 'CROSS_SITE',
			message: 'Only same-origin requests are answered here.',
			log: `refused a cross-site request (Origin ${printable(origin ?? 'none')}, Sec-Fetch-Site ${printable(site ?? 'none')})`,
		};
	}

	if (origins === undefined && !isLoopbackHost(url.hostname)) {
		return setupError(
			`no origin configured, and ${printable(url.host)} is not a loopback host: set origin to the shop's page origin (e.g. 'https://shop.example'); without it only localhost is answered, as a guard against DNS rebinding`,
		);
	}

	return undefined;
}

/**
 * The CORS headers for a request from the card frame: its exact origin with credentials. Every
 * answer of an endpoint with a `frameOrigin` varies by Origin (a cache must not give one origin's
 * answer to another). Undefined without a `frameOrigin`.
 */
export function frameCorsHeaders(request: Request, frameOrigin: string | undefined): Record<string, string> | undefined {
	if (frameOrigin === undefined) {
		return undefined;
	}

	return request.headers.get('origin') === frameOrigin ? {'access-control-allow-origin': frameOrigin, 'access-control-allow-credentials': 'true', vary: 'Origin'} : {vary: 'Origin'};
}

/** The answer to the card frame's CORS preflight (a JSON POST), or undefined for any other request. */
export function framePreflight(request: Request, frameOrigin: string | undefined): Response | undefined {
	const site = request.headers.get('sec-fetch-site');
	if (request.method !== 'OPTIONS' || frameOrigin === undefined || request.headers.get('origin') !== frameOrigin || (site !== null && site !== 'same-site' && site !== 'same-origin')) {
		return undefined;
	}

	return new Response(null, {
		status: 204,
		headers: {
			...frameCorsHeaders(request, frameOrigin),
			'access-control-allow-methods': 'POST',
			'access-control-allow-headers': 'content-type',
			'access-control-max-age': '600',
		},
	});
}

/** The response with these headers set over its own (a Response's headers may be immutable). */
export function withHeaders(response: Response, headers: Record<string, string> | undefined): Response {
	if (headers === undefined) {
		return response;
	}

	const copy = new Response(response.body, response);
	for (const [name, value] of Object.entries(headers)) {
		copy.headers.set(name, value);
	}

	return copy;
}

/** `localhost`, an IPv4 address in 127.0.0.0/8, or `[::1]`: names a rebinding attacker cannot make a page's host. */
export function isLoopbackHost(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function bodyRefusal(headers: Headers, maxBodyBytes: number, required: boolean): Refusal | undefined {
	const length = headers.get('content-length');
	const declared = length !== null && /^\d{1,12}$/.test(length) ? Number(length) : undefined;
	const fits = declared === undefined ? length === null && !required && !headers.has('transfer-encoding') : declared <= maxBodyBytes && (declared > 0 || !required);
	if (fits) {
		return undefined;
	}

	return {
		status: 413,
		code: 'BODY_TOO_LARGE',
		message: `A request here carries at most ${maxBodyBytes} bytes, with a Content-Length.`,
		headers: {connection: 'close'},
		log: `refused a body of ${length === null ? 'undeclared length' : `${printable(length)} bytes`} (at most ${maxBodyBytes}, with a Content-Length)`,
	};
}

/** `authorize`, then the limits: the account to act for, a refusal, or the merchant's own Response. */
export async function admit(request: Request, gate: Gate, keys: AddressKeys, accountOf: (authorization: Authorization) => string | undefined): Promise<Admitted | Refusal | Response> {
	const answer = await gate.authorize(request);
	if (answer instanceof Response) {
		return answer;
	}

	if (answer === null || answer === undefined) {
		return {status: 403, code: 'NOT_AUTHORIZED', message: 'No checkout session: load the checkout page again.', log: 'refused: authorize found no session'};
	}

	const authorization = typeof answer === 'object' ? ownFields(answer, AUTHORIZATION_FIELDS) : ({} as Authorization);

	if (typeof authorization.session !== 'string' || authorization.session === '') {
		return setupError('authorize returned no session');
	}

	const refusal = await takeLimits(gate.limiter, limitChecks(authorization.session, accountOf(authorization), keys));
	return refusal ?? {authorization, ...keys};
}

/**
 * The limits a request is counted against, in the order they are taken: from the one only this
 * client spends to the one its neighbours share. Session and account come from `authorize` (the
 * client cannot pick another's); an address may be a NAT's; the network (a /24, a /48) is shared
 * by strangers, so it is taken last: only a request every other limit admits ever holds a point
 * of it, even for a moment. `account` is skipped when the operation has none.
 */
export function limitChecks(session: string, account: string | undefined, keys: AddressKeys): Array<[LimitKind, string]> {
	const checks: Array<[LimitKind, string | undefined]> = [
		['session', session],
		['account', account],
		['address', keys.addressKey],
		['network', keys.networkKey],
	];
	return checks.filter((check): check is [LimitKind, string] => check[1] !== undefined);
}

/**
 * Takes each limit in order. A refused request costs nothing: at the first limit that refuses
 * (or a store that fails), every point this request took, the refusing limit's included, is given
 * back. So a spent limit (an account's hour) stops counting the limits after it, and no refused
 * request of one client spends its neighbours' network.
 */
async function takeLimits(limiter: Limiter, checks: Array<[LimitKind, string]>): Promise<Refusal | undefined> {
	const taken: Array<[LimitKind, string]> = [];
	for (const [kind, key] of checks) {
		let wait: number | undefined;
		try {
			wait = await limiter.take(kind, key); // eslint-disable-line no-await-in-loop
		} catch (error) {
			if (!(error instanceof LimitStoreError)) {
				throw error;
			}

			// Whether this take counted is unknown; the ones before it did and are given back.
			await giveBack(limiter, taken); // eslint-disable-line no-await-in-loop
			return storeUnavailable(error.message);
		}

		taken.push([kind, key]);
		if (wait !== undefined) {
			await giveBack(limiter, taken); // eslint-disable-line no-await-in-loop
			return {
				status: 429,
				code: 'RATE_LIMITED',
				message: 'Too many requests. Please wait and try again.',
				headers: {'retry-after': String(Math.ceil(wait / 1000))},
				log: `refused: ${kind} limit reached`,
			};
		}
	}

	return undefined;
}

/** Best effort: a store that fails now already fails the request closed; a point it keeps expires with its window. */
async function giveBack(limiter: Limiter, taken: Array<[LimitKind, string]>): Promise<void> {
	await Promise.allSettled(taken.map(async ([kind, key]) => limiter.give(kind, key)));
}

/**
 * Request text for a log line: printable ASCII, at most 100 characters, quoted, and any run of 9
 * or more digits blanked (whoever sends a card number in a header never gets it into the log).
 */
export function printable(text: string): string {
	return JSON.stringify(
		text
			.slice(0, 100)
			.replace(/[^\u0020-\u007E]/g, '?')
			.replace(/\d(?:[\s-]*\d){8,}/g, '[digits]'),
	);
}
