/**
 * The merchant backend's side of Zuora: an OAuth token (client credentials) cached until
 * shortly before it expires, ONE refresh in flight however many requests need it, a new token
 * once on a 401, and the bearer calls. Web APIs only (fetch, AbortSignal).
 */
import {ZUORA_BACKEND_PATHS, type ZuoraEnvironment, zuoraBaseUrl} from '../zuora.js';
import {ownFields} from './own-fields.js';

export type ZuoraClientOptions = {
	/**
	 * Zuora's REST base: an environment name (`'apisandbox'`, `'eu'`, … as `zuoraUrl` takes) or a
	 * base URL (`https://rest.apisandbox.zuora.com`, with or without a trailing slash, or the
	 * stub's URL in tests).
	 */
	baseUrl: ZuoraEnvironment | (string & {});
	clientId: string;
	clientSecret: string;
	/** Sent as `Zuora-Entity-Ids` on the bearer calls (multi-entity tenants). */
	entityIds?: string;
	/**
	 * A cached token is replaced this long before Zuora says it expires.
	 *
	 * @default 60000
	 */
	refreshMarginMs?: number;
	/**
	 * Each call to Zuora (OAuth included) is given up after this.
	 *
	 * @default 10000
	 */
	timeoutMs?: number;
	/** @default globalThis.fetch */
	fetch?: typeof fetch;
	/** @default Date.now */
	now?: () => number;
};

/** Zuora's answer to a bearer call, status and parsed JSON body (undefined when not a JSON object). */
/** Every option of `ZuoraClientOptions`, the only ones read (own properties). */
export const ZUORA_CLIENT_OPTION_NAMES = ['baseUrl', 'clientId', 'clientSecret', 'entityIds', 'refreshMarginMs', 'timeoutMs', 'fetch', 'now'] as const satisfies ReadonlyArray<
	keyof ZuoraClientOptions
>;

export type ZuoraAnswer = {status: number; body: Record<string, unknown> | undefined; headers: Headers};

export type ZuoraClient = {
	readonly baseUrl: string;
	/** POSTs JSON to a Zuora path with the bearer token; a 401 gets a new token and one retry. */
	post(path: string, json: Record<string, unknown>): Promise<ZuoraAnswer>;
	/** GETs a Zuora path (with its query) with the bearer token; a 401 gets a new token and one retry. */
	get?(path: string): Promise<ZuoraAnswer>;
	/** The current bearer token, fetched or refreshed when needed (one fetch in flight at most). */
	token(): Promise<string>;
};

/** Zuora could not be reached, timed out, or failed (5xx, 429) on OAuth: no answer to give. */
export class ZuoraUnavailableError extends Error {
	override name = 'ZuoraUnavailableError';
}

/** Zuora refused the OAuth client credentials: the endpoint is set up wrong, retrying will not help. */
export class ZuoraSetupError extends Error {
	override name = 'ZuoraSetupError';
}

/** Creates a Zuora client; share one between handlers so they share one OAuth token. */
export function createZuoraClient(given: ZuoraClientOptions): ZuoraClient {
	const options = ownFields(given, ZUORA_CLIENT_OPTION_NAMES);
	const baseUrl = zuoraBaseUrl(options.baseUrl);
	if (baseUrl === undefined) {
		throw new TypeError(`zuora.baseUrl must be an environment name (apisandbox, eu, …) or an http(s) base URL such as https://rest.apisandbox.zuora.com (got ${String(options.baseUrl)})`);
	}

	const doFetch = options.fetch ?? globalThis.fetch;
	const now = options.now ?? Date.now;
	const margin = options.refreshMarginMs ?? 60_000;
	const timeoutMs = options.timeoutMs ?? 10_000;
	let cached: {token: string; expiresAt: number} | undefined;
	let refreshing: Promise<string> | undefined;

	async function send(path: string, init: RequestInit): Promise<Response> {
		try {
			return await doFetch(`${baseUrl}${path}`, {...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs)});
		} catch (error) {
			throw new ZuoraUnavailableError(`${init.method ?? 'GET'} ${path.replace(/\?.*$/, '')} failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	async function fetchToken(): Promise<string> {
		const response = await send(ZUORA_BACKEND_PATHS.oauthToken, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
			body: new URLSearchParams({client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'client_credentials'}).toString(),
		});
		const body = (await response.json().catch(() => undefined)) as {access_token?: unknown; expires_in?: unknown} | undefined;
		if (response.status === 400 || response.status === 401 || response.status === 403) {
			// invalid_client and the like: the credentials, not Zuora's health.
			throw new ZuoraSetupError(`Zuora OAuth refused the client credentials (HTTP ${response.status}): check clientId and clientSecret, and that the OAuth client belongs to ${baseUrl}`);
		}

		if (!response.ok || typeof body?.access_token !== 'string') {
			throw new ZuoraUnavailableError(`Zuora OAuth answered HTTP ${response.status} without a token`);
		}

		const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3599;
		cached = {token: body.access_token, expiresAt: now() + lifetime * 1000};
		return body.access_token;
	}

	/** `stale`: a token Zuora refused; any other cached token is still good. */
	async function token(stale?: string): Promise<string> {
		if (cached && cached.token !== stale && now() < cached.expiresAt - margin) {
			return cached.token;
		}

		refreshing ??= fetchToken().finally(() => {
			refreshing = undefined;
		});
		return refreshing;
	}

	async function call(method: 'GET' | 'POST', path: string, json?: Record<string, unknown>): Promise<ZuoraAnswer> {
		const attempt = async (bearer: string) =>
			send(path, {
				method,
				headers: {
					authorization: `Bearer ${bearer}`,
					accept: 'application/json',
					...(json === undefined ? {} : {'content-type': 'application/json'}),
					...(options.entityIds === undefined ? {} : {'zuora-entity-ids': options.entityIds}),
				},
				...(json === undefined ? {} : {body: JSON.stringify(json)}),
			});
		const first = await token();
		let response = await attempt(first);
		if (response.status === 401) {
			// Zuora's advice: on a 401, get a new token, once.
			await response.body?.cancel();
			response = await attempt(await token(first));
		}

		return {status: response.status, body: parseObject(await response.text().catch(() => '')), headers: response.headers};
	}

	return {
		baseUrl,
		post: async (path, json) => call('POST', path, json),
		get: async path => call('GET', path),
		token: async () => token(),
	};
}

function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		// Null prototype: a field Zuora left out reads undefined, never a polluted Object.prototype's.
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (Object.assign(Object.create(null), parsed) as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}
