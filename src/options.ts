import {ZuoraCorsError, type ZuoraCorsStage} from './errors.js';

/** Every default of the library, in one place. */
export const defaults = {
	/**
	 * Milliseconds for the call to the merchant backend, retries included; for a bindForm
	 * submission, the whole signature stage from the click (a prefetched pair, or a fresh one).
	 */
	signatureTimeout: 10_000,
	/** Milliseconds for the call to Zuora; generous because Zuora may authorise the card with a gateway. */
	requestTimeout: 30_000,
	/** `POST` since 0.x: what `zuora-cors/server` accepts (a signature request changes state: it issues a token). */
	signatureMethod: 'POST',
	signatureCredentials: 'same-origin',
	requestMethod: 'POST',
	/** bindForm: replace a prefetched pair older than this (ms); below any plausible token lifetime. */
	signatureMaxAge: 300_000,
	/** bindForm: fetch a signature on the first interaction. */
	prefetch: true,
	/** bindForm: preconnect to the Zuora origin. */
	preconnect: true,
	/**
	 * Milliseconds after an unknown outcome before the first question to `reconcileUrl`: a card
	 * POST whose answer was lost has usually ended at Zuora by then, and is found.
	 */
	reconcileDelay: 2000,
	/**
	 * Milliseconds after an unknown outcome during which a request that carried the card may still
	 * be processed at Zuora, so "not found" means "not saved" only after it. Zuora's payment hub
	 * allows a gateway 30 s to connect and 60 s to answer (Zuora's "Requests and responses
	 * processed by the payment hub"), the longest step of a card's creation it documents;
	 * card processors' own limits are 60 to 70 s. Counted from when the page saw the outcome
	 * unknown, after any copy of the request the browser sent.
	 */
	reconcileWindow: 90_000,
	/** Milliseconds for the call to `reconcileUrl` (the backend lists the account's cards at Zuora). */
	reconcileTimeout: 10_000,
} as const;

export type Timeout = number | false;

/**
 * Throws the `validation` error of a developer's mistake (a wrong option, or markup bindForm cannot
 * account for), before anything is sent: one sentence naming the option and a code, the code also
 * in `fields[name].message` (codes: src/README.md, "Developer codes"). No prose at the call sites:
 * every shopper downloads it.
 *
 * @example invalidOption('request', 'timeout', 'not_milliseconds') // Invalid option `timeout` (not_milliseconds)
 */
export function invalidOption(stage: ZuoraCorsStage, name: string, code: string): never {
	throw new ZuoraCorsError(`Invalid option \`${name}\` (${code})`, {kind: 'validation', stage, fields: {[name]: {code: 'option_invalid', message: code}}});
}

/**
 * The page's URL, or `undefined` where there is no page (Node). A window's `location` is its own
 * property (a worker's is on its global's prototype): one that only Object.prototype holds is a
 * page's pollution, never a base to resolve against.
 */
function pageHref(): string | undefined {
	const scope = globalThis as {location?: {href?: unknown}};
	const location = Object.hasOwn(Object.prototype, 'location') && !Object.hasOwn(scope, 'location') ? undefined : scope.location;
	return typeof location?.href === 'string' ? location.href : undefined;
}

/** An absolute URL string, resolved against the page when relative. */
export function resolveUrl(stage: ZuoraCorsStage, name: string, value: unknown): string {
	if ((typeof value !== 'string' || value === '') && !(value instanceof URL)) {
		return invalidOption(stage, name, 'not_url');
	}

	try {
		return new URL(value, pageHref()).href;
	} catch {
		return invalidOption(stage, name, 'not_url');
	}
}

export function resolveTimeout(stage: ZuoraCorsStage, value: unknown, fallback: number): Timeout {
	if (value === undefined) {
		return fallback;
	}

	// 2_147_483_647 is the largest delay setTimeout honours.
	if (value === false || (typeof value === 'number' && value > 0 && value <= 2_147_483_647)) {
		return value;
	}

	return invalidOption(stage, 'timeout', 'not_milliseconds');
}

/**
 * The caller's headers with the protocol's set over them. A `Headers` object matches names
 * case-insensitively, so no spelling of `Signature` or `content-type` can replace ours.
 */
export function resolveHeaders(stage: ZuoraCorsStage, value: unknown, protocol: Record<string, string> = {}): Headers {
	let headers: Headers;
	try {
		if (
			value !== undefined &&
			(value === null || typeof value !== 'object' || (!(value instanceof Headers) && !Array.isArray(value) && Object.values(value).some(header => typeof header !== 'string')))
		) {
			throw new TypeError('headers');
		}

		headers = new Headers(value as HeadersInit | undefined);
	} catch {
		return invalidOption(stage, 'headers', 'not_headers');
	}

	for (const [name, header] of Object.entries(protocol)) {
		headers.set(name, header);
	}

	return headers;
}

const CREDENTIALS: readonly RequestCredentials[] = ['omit', 'same-origin', 'include'];

export function resolveCredentials(stage: ZuoraCorsStage, value: unknown, fallback: RequestCredentials): RequestCredentials {
	if (value === undefined) {
		return fallback;
	}

	return CREDENTIALS.includes(value as RequestCredentials) ? (value as RequestCredentials) : invalidOption(stage, 'credentials', `not_one_of: ${CREDENTIALS.join(', ')}`);
}

/** The body as JSON text, or a `validation` error for a value JSON cannot hold (a BigInt, a cycle). */
export function serializeJson(stage: ZuoraCorsStage, value: unknown): string | undefined {
	try {
		return value === undefined ? undefined : JSON.stringify(value);
	} catch {
		return invalidOption(stage, 'json', 'not_json');
	}
}

export function resolveIdempotencyKey(value: unknown): string | undefined {
	if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > 255)) {
		invalidOption('request', 'idempotencyKey', 'not_key');
	}

	return value;
}

export function resolveSignal(stage: ZuoraCorsStage, value: unknown): AbortSignal | undefined {
	if (value === undefined || value instanceof AbortSignal) {
		return value;
	}

	return invalidOption(stage, 'signal', 'not_abort_signal');
}

export function resolveMethod<const Methods extends readonly string[]>(stage: ZuoraCorsStage, value: unknown, allowed: Methods, fallback: Methods[number]): Methods[number] {
	if (value === undefined) {
		return fallback;
	}

	const method = typeof value === 'string' ? value.toUpperCase() : '';
	if (!allowed.includes(method)) {
		return invalidOption(stage, 'method', `not_one_of: ${allowed.join(', ')}`);
	}

	return method;
}

/**
 * A dictionary the library hands the platform (`addEventListener`'s options, an event's init, a
 * scroll option): the given members on a null prototype. WebIDL reads every member a dictionary
 * may have, inherited ones too, so `{once: true}` would carry a polluted `signal` along.
 */
export function ownRecord<T extends object>(members: T): T {
	return Object.assign(Object.create(null) as T, members);
}

/**
 * The one reader of the library's inputs: a copy of `value` holding only its own enumerable
 * properties, on a null prototype, nested plain objects too (`depth` levels down). Every options
 * object (and the card, the messages, a signature answer) is read through it, so what a hostile
 * page put on `Object.prototype` is never read as an option, a card field or a signed value.
 */
export function ownCopy<T>(value: T, depth = 4): T {
	const prototype: unknown = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
	if ((prototype !== Object.prototype && prototype !== null) || depth < 1) {
		// Not a plain object (a primitive, an array, Headers, a Date, a Promise…): kept as it is.
		return value;
	}

	const copy = Object.create(null) as Record<string, unknown>;
	for (const name of Object.keys(value as object)) {
		copy[name] = ownCopy((value as Record<string, unknown>)[name], depth - 1);
	}

	return copy as T;
}

/** `value` (an options object, nested ones included) as own properties, or a `validation` error. */
export function resolveOptions<T>(stage: ZuoraCorsStage, value: T): T {
	return value !== null && typeof value === 'object' ? ownCopy(value) : invalidOption(stage, 'options', 'not_object');
}

/** Optional options (`undefined` is `{}`), read as `resolveOptions` does. */
export function resolveOptionalOptions<T>(stage: ZuoraCorsStage, value: T | undefined): Partial<T> {
	// Null-prototype either way: an option left out is absent, never a polluted Object.prototype's.
	return value === undefined ? (Object.create(null) as Partial<T>) : resolveOptions(stage, value);
}

/** A number of milliseconds from 0 to 2147483647 (the largest delay setTimeout honours), or the default. */
export function resolveMilliseconds(stage: ZuoraCorsStage, name: string, value: unknown, fallback: number): number {
	if (value === undefined) {
		return fallback;
	}

	return typeof value === 'number' && value >= 0 && value <= 2_147_483_647 ? value : invalidOption(stage, name, 'not_milliseconds');
}

function isLoopback(hostname: string): boolean {
	// The URL parser already turned 127.1, 0x7f000001 and 2130706433 into 127.0.0.1.
	return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * `allowedHosts` read: https `host`/`host:port` entries, and full origins (`https://…` or, for a
 * loopback host only, `http://…`). Anything else is a `validation` error.
 */
export function readAllowedHosts(value: unknown): {hosts: string[]; origins: string[]} {
	const allowed = {hosts: [] as string[], origins: [] as string[]};
	if (value === undefined) {
		return allowed;
	}

	if (!Array.isArray(value)) {
		return invalidOption('request', 'allowedHosts', 'not_hosts');
	}

	for (let index = 0; index < value.length; index++) {
		const entry: unknown = Object.hasOwn(value, index) ? value[index] : undefined;
		const origin = typeof entry === 'string' && entry.includes('://');
		let url: URL | undefined;
		try {
			url = new URL(origin ? entry : `https://${String(entry)}`);
		} catch {}

		if (
			typeof entry !== 'string' ||
			!url ||
			url.username ||
			url.password ||
			url.pathname !== '/' ||
			url.search ||
			url.hash ||
			entry.endsWith('/') ||
			!/^https?:$/.test(url.protocol) ||
			(url.protocol === 'http:' && !isLoopback(url.hostname))
		) {
			return invalidOption('request', 'allowedHosts', 'not_hosts');
		}

		if (origin) {
			allowed.origins.push(url.origin);
		} else {
			allowed.hosts.push(url.host);
		}
	}

	return allowed;
}

/** An https host under zuora.com on the default port: Zuora's REST, legacy `/rest` and `/apps` hosts. */
export function isZuoraHost(url: URL): boolean {
	return url.protocol === 'https:' && url.port === '' && url.hostname.endsWith('.zuora.com');
}

/**
 * The URL card data is sent to, so a typo or an injected value cannot send a card elsewhere: an
 * https URL on a host under `zuora.com`, or on an https host in `allowedHosts`, or on an origin
 * listed in full in `allowedHosts` (plain http only there, and only for a loopback host).
 */
export function resolveZuoraUrl(value: unknown, allowedHosts: unknown): string {
	const {hosts, origins} = readAllowedHosts(allowedHosts);
	const url = new URL(resolveUrl('request', 'url', value));
	const allowed = !url.username && !url.password && (isZuoraHost(url) || origins.includes(url.origin) || (url.protocol === 'https:' && hosts.includes(url.host)));
	if (!allowed) {
		invalidOption('request', 'url', `host_not_allowed: ${url.protocol}//${url.host}`);
	}

	return url.href;
}
