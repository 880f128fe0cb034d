import {ZuoraCorsError} from './errors.js';
import {
	defaults,
	invalidOption,
	ownCopy,
	resolveHeaders,
	resolveOptions,
	resolveIdempotencyKey,
	resolveMethod,
	resolveSignal,
	resolveTimeout,
	resolveZuoraUrl,
	serializeJson,
	type Timeout,
} from './options.js';
import {type Answer, missingField, answerField} from './classify.js';
import {exchange} from './transport.js';

export type CorsRequestOptions = {
	/** The Zuora URL the signature was issued for, e.g. `zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')`. */
	url: string | URL;
	signature: string;
	token: string;
	/** The request body, sent as `JSON.stringify(json)`. */
	json?: unknown;
	/**
	 * @default 'POST'
	 */
	method?: 'POST' | 'GET';
	/** Extra headers; they cannot replace `signature`, `token`, `Accept` or `Content-Type`. */
	headers?: HeadersInit;
	/**
	 * Sent as `Idempotency-Key`: Zuora answers a repeated key with the first response instead of
	 * creating a second payment method. Opt-in: Zuora does not document whether its CORS
	 * preflight allows this header.
	 */
	idempotencyKey?: string;
	/**
	 * Where card data may go besides https hosts under `zuora.com`: https hosts (`host` or
	 * `host:port`) or full origins. Plain http only for a loopback origin listed in full, e.g.
	 * `['http://127.0.0.1:3001']` for a test stub.
	 */
	allowedHosts?: readonly string[];
	/**
	 * Milliseconds, or `false` for none. A timed-out card POST has an unknown outcome.
	 *
	 * @default 30000
	 */
	timeout?: Timeout;
	signal?: AbortSignal;
};

/** Zuora's answer when `success` is `true`; the rest of the body is kept. */
export type CorsResponse = {
	success: true;
	paymentMethodId?: string;
	/**
	 * `true` when Zuora answered 409 with the stored success of an earlier request that sent the
	 * same `idempotencyKey`: nothing new was created, this is the first request's answer.
	 */
	replayed?: true;
	[field: string]: unknown;
};

// Fields whose values never appear in an error, even if a server echoes them.
const SECRET_FIELDS = new Set(['creditCardNumber', 'securityCode', 'cardNumber']);

/**
 * Calls Zuora directly from the browser, as Zuora's CORS sample does: headers `Accept` and
 * `Content-Type: application/json`, `signature`, `token`, credentials included.
 *
 * Resolves only when the body says `success: true`; an HTTP 200 with `success: false` rejects
 * with `kind: 'zuora'`. Never retries: the token is single-use and a failed POST's outcome is
 * unknown.
 *
 * @example
 * const result = await makeCorsRequest({url, signature, token, json: card});
 * result.paymentMethodId;
 */
export async function makeCorsRequest(corsOptions: CorsRequestOptions): Promise<CorsResponse> {
	const stage = 'request';
	// Own properties only: nothing a page put on Object.prototype is read as an option.
	const options = resolveOptions(stage, corsOptions);

	const url = resolveZuoraUrl(options.url, options.allowedHosts);
	const method = resolveMethod(stage, options.method, ['POST', 'GET'] as const, defaults.requestMethod);
	if (method === 'GET' && options.json !== undefined) {
		invalidOption(stage, 'json', 'body_with_get');
	}

	return callZuora({
		url,
		method,
		signature: options.signature,
		token: options.token,
		json: options.json,
		idempotencyKey: resolveIdempotencyKey(options.idempotencyKey),
		headers: resolveHeaders(stage, options.headers),
		timeout: resolveTimeout(stage, options.timeout, defaults.requestTimeout),
		signal: resolveSignal(stage, options.signal),
	}) as Promise<CorsResponse>;
}

/** A Zuora call with its options resolved: what `makeCorsRequest` and the signed operations send. */
export type ZuoraCall = {
	url: string;
	method: string;
	headers: Headers;
	timeout: Timeout;
	signal: AbortSignal | undefined;
	signature: unknown;
	token: unknown;
	json?: unknown;
	idempotencyKey: string | undefined;
	/** `getFile`: the `Accept` type; the answer is then the file, as a `Blob`. */
	accept?: string;
};

/**
 * Sends a resolved Zuora call with the pair, after checking the pair and the body (nothing is
 * sent when either is wrong). Resolves with the body (`success: true`), or the file's `Blob`.
 */
export async function callZuora(call: ZuoraCall): Promise<CorsResponse | Blob> {
	const stage = 'request';
	const {url, method, json, idempotencyKey, accept} = call;
	const missing = missingField(call, ['signature', 'token']);
	if (missing) {
		invalidOption(stage, missing, 'not_string');
	}

	const payload = serializeJson(stage, json);
	const answer = await exchange({
		stage,
		url,
		method,
		headers: resolveHeaders(stage, call.headers, {
			Accept: accept ?? 'application/json',
			...(payload === undefined ? {} : {'Content-Type': 'application/json'}),
			signature: call.signature as string,
			token: call.token as string,
			...(idempotencyKey === undefined ? {} : {'Idempotency-Key': idempotencyKey}),
		}),
		body: payload,
		credentials: 'include',
		timeout: call.timeout,
		signal: call.signal,
		secrets: collectSecrets(json),
		idempotent: idempotencyKey !== undefined,
		responseType: accept ? 'blob' : undefined,
	});
	return zuoraResult(answer, call);
}

/** Zuora's answer as the caller gets it: the body (`success: true`) or the file; else the `invalid-response` error (thrown). */
export function zuoraResult(answer: Answer, {method, url, accept}: Pick<ZuoraCall, 'method' | 'url' | 'accept'>): CorsResponse | Blob {
	// Own properties only: an answer without `blob` or `replayed` never takes a polluted one.
	const {status, body, replayed, blob} = ownCopy(answer, 1);
	if (accept ? !blob : answerField(body, 'success') !== true) {
		throw new ZuoraCorsError(`${method} ${url} answered: ${accept ? 'not_file' : 'no_success'}`, {kind: 'invalid-response', stage: 'request', status});
	}

	return blob ?? ((replayed ? {...body, replayed} : body) as CorsResponse);
}

/** The card number and security code found anywhere in a request body. */
function collectSecrets(value: unknown, found: string[] = []): string[] {
	if (value !== null && typeof value === 'object') {
		for (const [key, field] of Object.entries(value)) {
			if (SECRET_FIELDS.has(key) && (typeof field === 'string' || typeof field === 'number')) {
				found.push(String(field));
			} else {
				collectSecrets(field, found);
			}
		}
	}

	return found;
}
