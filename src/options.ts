import {ZuoraCorsError, type ZuoraCorsStage} from './errors.js';
import {ZUORA_BASE_URLS} from './zuora.js';

/** Every default of the library, in one place. */
export const defaults = {
	/** Milliseconds for the call to the merchant backend. */
	signatureTimeout: 10_000,
	/** Milliseconds for the call to Zuora; generous because Zuora may authorise the card with a gateway. */
	requestTimeout: 30_000,
	signatureMethod: 'GET',
	signatureCredentials: 'same-origin',
	requestMethod: 'POST',
	/** bindForm: replace a prefetched pair older than this (ms); below any plausible token lifetime. */
	signatureMaxAge: 300_000,
	/** bindForm: fetch a signature on the first interaction. */
	prefetch: true,
	/** bindForm: preconnect to the Zuora origin. */
	preconnect: true,
} as const;

export type Timeout = number | false;

/** Throws a `validation` error naming the option. Options are checked before anything is sent. */
export function invalidOption(stage: ZuoraCorsStage, name: string, expected: string): never {
	throw new ZuoraCorsError(`Invalid option \`${name}\`: expected ${expected}`, {kind: 'validation', stage, fields: {[name]: {code: 'option_invalid', message: `expected ${expected}`}}});
}

/** An absolute URL string, resolved against the page when relative. */
export function resolveUrl(stage: ZuoraCorsStage, name: string, value: unknown): string {
	if ((typeof value !== 'string' || value === '') && !(value instanceof URL)) {
		return invalidOption(stage, name, 'a URL');
	}

	try {
		return new URL(value, (globalThis as {location?: {href?: string}}).location?.href).href;
	} catch {
		return invalidOption(stage, name, 'a valid URL');
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

	return invalidOption(stage, 'timeout', 'a number of milliseconds between 1 and 2147483647, or false');
}

/**
 * The caller's headers with the protocol's set over them. A `Headers` object matches names
 * case-insensitively, so no spelling of `Signature` or `content-type` can replace ours.
 */
export function resolveHeaders(stage: ZuoraCorsStage, value: unknown, protocol: Record<string, string> = {}): Headers {
	const expected = 'headers with valid names and string values (an object, pairs or a Headers instance)';
	if (value !== undefined && (value === null || typeof value !== 'object' || (!(value instanceof Headers) && !Array.isArray(value) && Object.values(value).some(header => typeof header !== 'string')))) {
		invalidOption(stage, 'headers', expected);
	}

	let headers: Headers;
	try {
		headers = new Headers(value as HeadersInit | undefined);
	} catch {
		return invalidOption(stage, 'headers', expected);
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

	return CREDENTIALS.includes(value as RequestCredentials) ? value as RequestCredentials : invalidOption(stage, 'credentials', CREDENTIALS.map(name => `'${name}'`).join(', '));
}

/** The body as JSON text, or a `validation` error for a value JSON cannot hold (a BigInt, a cycle). */
export function serializeJson(stage: ZuoraCorsStage, value: unknown): string | undefined {
	try {
		return value === undefined ? undefined : JSON.stringify(value);
	} catch {
		return invalidOption(stage, 'json', 'a value JSON.stringify can serialise');
	}
}

export function resolveIdempotencyKey(value: unknown): string | undefined {
	if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > 255)) {
		invalidOption('request', 'idempotencyKey', 'a string of 1 to 255 characters');
	}

	return value;
}

export function resolveSignal(stage: ZuoraCorsStage, value: unknown): AbortSignal | undefined {
	if (value === undefined || value instanceof AbortSignal) {
		return value;
	}

	return invalidOption(stage, 'signal', 'an AbortSignal');
}

export function resolveMethod<const Methods extends readonly string[]>(stage: ZuoraCorsStage, value: unknown, allowed: Methods, fallback: Methods[number]): Methods[number] {
	if (value === undefined) {
		return fallback;
	}

	const method = typeof value === 'string' ? value.toUpperCase() : '';
	if (!allowed.includes(method)) {
		return invalidOption(stage, 'method', allowed.map(name => `'${name}'`).join(' or '));
	}

	return method;
}

const ZUORA_HOSTS = Object.values(ZUORA_BASE_URLS).map(url => new URL(url).host);

function isLoopback(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The URL card data is sent to: https and one of Zuora's REST hosts (or `allowedHosts`), so a
 * typo or an injected value cannot send a card elsewhere. Loopback hosts are allowed over http
 * for tests and local demos.
 */
export function resolveZuoraUrl(value: unknown, allowedHosts: unknown): string {
	if (allowedHosts !== undefined && (!Array.isArray(allowedHosts) || !allowedHosts.every(host => typeof host === 'string'))) {
		invalidOption('request', 'allowedHosts', 'an array of host names');
	}

	const url = new URL(resolveUrl('request', 'url', value));
	if (!isLoopback(url.hostname) && (url.protocol !== 'https:' || ![...ZUORA_HOSTS, ...(allowedHosts as string[] | undefined ?? [])].includes(url.host))) {
		invalidOption('request', 'url', `an https URL on a Zuora REST host (or a host in allowedHosts), not ${url.protocol}//${url.host}`);
	}

	return url.href;
}
