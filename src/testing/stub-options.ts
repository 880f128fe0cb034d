/** The options of `startZuoraStub`, their defaults in one object, and their checks. */
import {randomBytes} from 'node:crypto';

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
	/**
	 * How a repeated `Idempotency-Key` with another body is answered. `'stub'`: 422 (code
	 * 50000020), the stub's own choice. `'zuora'`: the stored first answer, replayed with 409,
	 * whatever the body, as Zuora's guide documents it (422 only for another path, method or
	 * tenant): a page that sends a second card under the first card's key gets the first card's answer.
	 *
	 * @default 'stub'
	 */
	idempotencyModel?: 'stub' | 'zuora';
	/**
	 * How many requests `requests()` keeps, the last ones (a ring: the oldest goes first). A test
	 * reads the requests of one scenario, tens of them, and `reset()` clears them between tests;
	 * 1,000 leaves room for a generated run of hundreds while a long-running stub (a demo, a load
	 * test) holds at most about 1,000 × 2 KB. @default 1000
	 */
	requestLogSize?: number;
};

export type ResolvedOptions = Required<Omit<ZuoraStubOptions, 'publicUrl' | 'preflightMaxAge'>> & {publicUrl: string | undefined; preflightMaxAge: number | undefined};

/** Every default in one place; bad options are refused with a message naming the option. */
export function resolveStubOptions(options: ZuoraStubOptions): ResolvedOptions {
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
		idempotencyModel: options.idempotencyModel ?? 'stub',
		requestLogSize: options.requestLogSize ?? 1000,
	};
	const problem = optionProblem(resolved);
	if (problem !== undefined) {
		throw new TypeError(`startZuoraStub: option ${problem}`);
	}

	return resolved;
}

/** The first bad option, as `"name" must ...`; undefined when all are good. */
function optionProblem(resolved: ResolvedOptions): string | undefined {
	if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
		return '"port" must be an integer from 0 to 65535';
	}

	if (!Array.isArray(resolved.allowedOrigins) || !resolved.allowedOrigins.every(origin => typeof origin === 'string')) {
		return '"allowedOrigins" must be an array of origins';
	}

	if (resolved.allowedOrigins.includes('*')) {
		return '"allowedOrigins" must list exact origins; "*" cannot be used with credentials';
	}

	if (resolved.publicUrl !== undefined && !URL.canParse(resolved.publicUrl)) {
		return '"publicUrl" must be an absolute URL';
	}

	if (resolved.invalidTokenStatus !== 200 && resolved.invalidTokenStatus !== 401) {
		return '"invalidTokenStatus" must be 200 or 401';
	}

	for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'maxConnections', 'requestLogSize'] as const) {
		if (!Number.isInteger(resolved[name]) || !(resolved[name] > 0)) {
			return `"${name}" must be a positive integer`;
		}
	}

	if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
		return '"headersTimeoutMs" must not exceed "requestTimeoutMs"';
	}

	for (const name of ['tokenLifetimeMs', 'oauthTokenLifetimeSeconds'] as const) {
		if (typeof resolved[name] !== 'number' || !(resolved[name] > 0)) {
			return `"${name}" must be a positive number`;
		}
	}

	if (resolved.preflightMaxAge !== undefined && (!Number.isInteger(resolved.preflightMaxAge) || resolved.preflightMaxAge < 0)) {
		return '"preflightMaxAge" must be a non-negative integer of seconds';
	}

	if (resolved.idempotencyModel !== 'stub' && resolved.idempotencyModel !== 'zuora') {
		return "\"idempotencyModel\" must be 'stub' or 'zuora'";
	}

	if (typeof resolved.now !== 'function') {
		return '"now" must be a function';
	}

	return undefined;
}
