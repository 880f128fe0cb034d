import {ZuoraCorsError} from './errors.js';
import {defaults, invalidOption, resolveCredentials, resolveOptions, resolveHeaders, resolveMethod, resolveSignal, resolveTimeout, resolveUrl, serializeJson, type Timeout} from './options.js';
import {type Answer, missingField, noAnswerError} from './classify.js';
import {exchange, type Exchange} from './transport.js';

/**
 * A one-time pair from Zuora's `POST /v1/hmac-signatures` (or `/v1/rsa-signatures`), relayed by
 * the merchant backend. Other fields the backend returns (`tenantId`, `key`, …) are kept.
 */
export type CorsSignature = {
	signature: string;
	token: string;
	success?: boolean;
	/** Payment Pages 2.0 (RSA signatures). */
	tenantId?: string;
	/** Payment Pages 2.0 (RSA signatures): the public key. */
	key?: string;
	[field: string]: unknown;
};

export type FetchSignatureOptions = {
	/**
	 * @default 'POST' (since 0.x; it was 'GET')
	 */
	method?: 'GET' | 'POST';
	/** Body for a `POST`, sent as JSON. Never put card data here: the backend must not see it. */
	json?: unknown;
	headers?: HeadersInit;
	/**
	 * The backend is normally the page's own origin, which has its session cookie.
	 *
	 * @default 'same-origin'
	 */
	credentials?: RequestCredentials;
	/**
	 * Milliseconds, or `false` for none.
	 *
	 * @default 10000
	 */
	timeout?: Timeout;
	signal?: AbortSignal;
};

/**
 * Asks the merchant backend for a signature and token. The backend calls Zuora's
 * `POST /v1/hmac-signatures` with a hard-coded uri, method and account key.
 *
 * Rejects with a `ZuoraCorsError` at `stage: 'signature'` on a non-2xx status, a body that is
 * not JSON, `success: false` (Zuora's reasons kept) or a missing `signature` or `token`.
 *
 * @example
 * const {signature, token} = await fetchSignature('/signature');
 */
export async function fetchSignature(url: string | URL, options: FetchSignatureOptions = {}): Promise<CorsSignature> {
	return requestSignature(prepareSignatureRequest(url, options));
}

/** Every option of a signature request checked and resolved, so a caller can do it before anything is sent. */
export function prepareSignatureRequest(url: unknown, signatureOptions: FetchSignatureOptions = {}, urlOption = 'url'): Exchange {
	const stage = 'signature';
	const options = resolveOptions(stage, signatureOptions);
	const method = resolveMethod(stage, options.method, ['GET', 'POST'] as const, defaults.signatureMethod);
	if (method === 'GET' && options.json !== undefined) {
		invalidOption(stage, 'json', 'body_with_get');
	}

	const body = serializeJson(stage, options.json);
	return {
		stage,
		url: resolveUrl(stage, urlOption, url),
		method,
		headers: resolveHeaders(stage, options.headers, {
			Accept: 'application/json',
			...(body === undefined ? {} : {'Content-Type': 'application/json'}),
		}),
		body,
		credentials: resolveCredentials(stage, options.credentials, defaults.signatureCredentials),
		timeout: resolveTimeout(stage, options.timeout, defaults.signatureTimeout),
		signal: resolveSignal(stage, options.signal),
	};
}

/** Sends a prepared signature request and checks the pair. */
export async function requestSignature(request: Exchange): Promise<CorsSignature> {
	return signatureFromAnswer(await exchange(request), request);
}

/**
 * The signature stage of one submission, within the request's `timeout` from now (retries and
 * the wait for a prefetched pair included): the prefetched `pair` when it comes in time, else (it
 * failed, or there is none) one fresh request with the time left. Past it: a `timeout` error, the
 * card not sent.
 */
export async function signatureBefore(request: Exchange, pair?: Promise<CorsSignature>): Promise<CorsSignature> {
	const {timeout} = request;
	const deadline = Date.now() + Number(timeout);
	let timer: ReturnType<typeof setTimeout> | undefined;
	// A prefetched pair that failed costs nothing to replace (nothing was sent to Zuora): undefined.
	const prefetched = await Promise.race([
		pair?.catch(() => undefined),
		new Promise<null>(resolve => {
			timer = timeout === false ? undefined : setTimeout(resolve, timeout, null);
		}),
	]);
	clearTimeout(timer);
	const left = timeout === false ? false : deadline - Date.now();
	if (prefetched) {
		return prefetched;
	}

	if (prefetched === null || (left !== false && left < 1)) {
		throw noAnswerError(request, 'timeout');
	}

	return requestSignature({...request, timeout: left});
}

/** The pair a signature answer holds, or the `invalid-response` error (thrown) when it lacks one. */
export function signatureFromAnswer({status, body}: Answer, request: Pick<Exchange, 'method' | 'url'>): CorsSignature {
	const missing = missingField(body, ['signature', 'token']);
	if (missing) {
		throw new ZuoraCorsError(`${request.method} ${request.url} answered: no_${missing}`, {kind: 'invalid-response', stage: 'signature', status});
	}

	return body as CorsSignature;
}
