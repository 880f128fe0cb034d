import {maskSecrets, ZuoraCorsError} from './errors.js';
import {defaults, invalidOption, resolveHeaders, resolveIdempotencyKey, resolveOptions, resolveSignal, resolveTimeout, resolveZuoraUrl, type Timeout} from './options.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature, type FetchSignatureOptions} from './signature.js';
import type {Exchange} from './transport.js';
import {callZuora} from './cors-request.js';
import {isInvalidTokenCode} from './zuora.js';

/** The options every signed CORS call shares (`createPaymentMethod`, `createAccount`, `getFile`, `createPaymentPageSignature`). */
export type SignedCallOptions = {
	/** The Zuora URL the backend signed, e.g. `zuoraUrl('apisandbox', '/v1/accounts')`. */
	url: string | URL;
	/** The merchant backend endpoint that returns a signature and token. Optional when `signature` is given (then no re-sign). */
	signatureUrl?: string | URL;
	/**
	 * A pair fetched earlier (or its promise), used for the first attempt instead of fetching one.
	 * If it turns out used or expired, the one re-sign on 90000011 still applies (with
	 * `signatureUrl`); if its promise rejected, a fresh one is fetched.
	 */
	signature?: CorsSignature | Promise<CorsSignature>;
	/** Options for the call to `signatureUrl` (method, json, headers, credentials, timeout). */
	signatureOptions?: Omit<FetchSignatureOptions, 'signal'>;
	/** Extra headers for the Zuora request. */
	headers?: HeadersInit;
	/**
	 * Milliseconds for the Zuora request, or `false`.
	 *
	 * @default 30000
	 */
	timeout?: Timeout;
	/** Aborts whichever call is in flight. */
	signal?: AbortSignal;
	/** Hosts or origins allowed besides https hosts under zuora.com (see `makeCorsRequest`). */
	allowedHosts?: readonly string[];
};

/**
 * The options of a signed call, own properties only, every one checked before anything is sent
 * (a token fetched for nothing is fraud surface). `path`: what the URL's path must end with
 * (`{file-id}` stands for one segment). `keyed`: the call sends `idempotencyKey` (checked either way).
 */
export function resolveSignedCall<T extends SignedCallOptions>(value: T, path?: string, keyed?: boolean) {
	const stage = 'request';
	const options = resolveOptions(stage, value);
	const {signature, signatureUrl} = options;
	const url = resolveZuoraUrl(options.url, options.allowedHosts);
	if (path && !new RegExp(`${path.replace(/\{.+\}/, '[^/]+')}$`).test(new URL(url).pathname)) {
		invalidOption(stage, 'url', `a Zuora URL ending in ${path}`);
	}

	const headers = resolveHeaders(stage, options.headers);
	const timeout = resolveTimeout(stage, options.timeout, defaults.requestTimeout);
	const signal = resolveSignal(stage, options.signal);
	const idempotencyKey = resolveIdempotencyKey((options as {idempotencyKey?: unknown}).idempotencyKey);
	return {
		options,
		url,
		headers,
		timeout,
		signal,
		signature,
		idempotencyKey: keyed ? idempotencyKey : undefined,
		signatureRequest: signatureUrl === undefined && signature !== undefined ? undefined : prepareSignatureRequest(signatureUrl, {...options.signatureOptions, signal}, 'signatureUrl'),
	};
}

type SignedCall = ReturnType<typeof resolveSignedCall>;

/**
 * Sign, send, and when Zuora answers 90000011 (token used, expired or unknown: Zuora did nothing)
 * fetch one fresh pair and send once more; any other failure is thrown as is, nothing is
 * re-sent blindly. Zuora stored the refusal under the Idempotency-Key and would replay it
 * (409): the retry uses a key derived from it (`<key>-resign`), the same for every repeat of
 * the call, so a repeat replays that one.
 *
 * `json`: the body for a pair (it may refuse the pair before anything is sent). `fields`: what a
 * success must carry (non-empty strings), else `invalid-response`. `accept`: a `GET` for a file.
 */
export async function runSignedCall<R>(call: SignedCall, fields: readonly string[], json?: (pair: CorsSignature) => unknown, accept?: string): Promise<R> {
	const {url, signature, signal, signatureRequest, idempotencyKey} = call;
	const method = accept ? 'GET' : 'POST';
	// Only reached with a signatureRequest: without one, nothing is re-signed.
	const sign = async () => requestSignature(signatureRequest!);
	const attempt = async (pair: CorsSignature, key = idempotencyKey) =>
		callZuora({...call, method, signature: pair.signature, token: pair.token, json: json?.(pair), idempotencyKey: key, accept});

	let pair: CorsSignature;
	try {
		pair = signature === undefined ? await sign() : await untilAborted(signature, signal);
	} catch (error) {
		// A prefetched pair that failed costs nothing to replace: nothing was sent to Zuora yet.
		if (signature === undefined || signal?.aborted || !signatureRequest) {
			throw error;
		}

		pair = await sign();
	}

	let result: Record<string, unknown>;
	try {
		result = await attempt(pair) as Record<string, unknown>;
	} catch (error) {
		if (!(error instanceof ZuoraCorsError) || error.kind !== 'zuora' || !isInvalidTokenCode(error.code) || !signatureRequest) {
			throw error;
		}

		result = await attempt(await sign(), idempotencyKey && `${idempotencyKey.slice(0, 248)}-resign`) as Record<string, unknown>;
	}

	for (const name of fields) {
		if (typeof result[name] !== 'string' || result[name] === '') {
			throw new ZuoraCorsError(`${method} ${url} answered success without \`${name}\`${name === 'signature' ? ' (too many signed fields?)' : ''}`, {kind: 'invalid-response', stage: 'request'});
		}
	}

	return result as R;
}

/**
 * The value the backend signed (`name`, `pageId`), which the body must carry: taken from the pair
 * when the body has none; a body value that differs is refused before it is sent (Zuora would
 * answer "Invalid signature" and spend the token).
 */
export function signedValue(pair: CorsSignature, name: string, given: unknown): string {
	const signed = pair[name];
	const value = given === undefined || given === '' ? signed : given;
	if (typeof value !== 'string' || value === '' || (signed !== undefined && signed !== value)) {
		invalidOption('request', name, signed === undefined ? 'a non-empty string' : 'the value the signature was issued for');
	}

	return value;
}

/** A prefetched pair, or an `aborted` error as soon as the caller's signal fires while waiting for it. */
async function untilAborted(pair: CorsSignature | Promise<CorsSignature>, signal: AbortSignal | undefined): Promise<CorsSignature> {
	if (!signal) {
		return pair;
	}

	return new Promise((resolve, reject) => {
		const onAbort = () => {
			reject(new ZuoraCorsError('Aborted by the caller while waiting for the prefetched signature', {kind: 'aborted', stage: 'signature', cause: signal.reason}));
		};

		if (signal.aborted) {
			onAbort();
			return;
		}

		signal.addEventListener('abort', onAbort, {once: true});
		Promise.resolve(pair).then(resolve, reject).finally(() => {
			signal.removeEventListener('abort', onAbort);
		});
	});
}

/**
 * The merchant backend must never see card data: refuse a signature request whose URL, body or
 * headers (names and values) carry the card number or the security code as `maskSecrets` recognises
 * them (digits in order with any separator but a letter, Unicode digits, percent-encoded or as
 * character references). Nothing is sent.
 */
export function refuseCardInSignatureRequest(request: Exchange | undefined, secrets: readonly string[]) {
	// Header names too: a name can carry digits as well as a value can.
	const texts = request ? [request.url, request.body ?? '', ...[...request.headers].flat()] : [];
	try {
		// The body's keys and values as JSON reads them too (`\t`, `\u0034`…).
		JSON.parse(texts[1]!, (key, value: unknown) => texts.push(key, String(value)) && value);
	} catch {}

	for (const text of texts) {
		if (maskSecrets([text], secrets, true)[0] !== text) {
			invalidOption('signature', 'signatureOptions', 'no card data: the signature request goes to the merchant backend');
		}
	}
}
