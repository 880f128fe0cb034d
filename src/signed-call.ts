import {maskSecrets, ZuoraCorsError} from './errors.js';
import {
	defaults,
	invalidOption,
	ownCopy,
	ownRecord,
	readAllowedHosts,
	resolveHeaders,
	resolveIdempotencyKey,
	resolveOptions,
	resolveSignal,
	resolveTimeout,
	resolveZuoraUrl,
	type Timeout,
} from './options.js';
import {isUnknownOutcome, reconcileCard, resolveReconcile, settleUnknown, type ReconcileOptions, type ReconcileQuery} from './reconcile.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature, type FetchSignatureOptions} from './signature.js';
import type {Exchange} from './transport.js';
import {missingField} from './classify.js';
import {callZuora} from './cors-request.js';
import {isInvalidTokenCode, isOperationUrl, ZUORA_CORS_OPERATIONS, type ZuoraCorsOperationName} from './zuora.js';

/** The options every signed CORS call shares (`createPaymentMethod`, `createAccount`, `getFile`, `createPaymentPageSignature`). */
export type SignedCallOptions = {
	/**
	 * The Zuora URL the backend signed, e.g. `zuoraUrl('apisandbox', '/v1/accounts')`. Optional when
	 * the backend's answer carries the `uri` it signed (as `zuora-cors/server`'s does); when both
	 * are given they must be the same URL, else nothing is sent.
	 */
	url?: string | URL;
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
	/** Hosts or origins allowed besides https hosts under zuora.com (see `makeCorsRequest`), for a page `url` and a signed `uri` alike. */
	allowedHosts?: readonly string[];
};

/** How a signed call is made, by name (never positional flags). */
export type SignedCallSettings = {
	/** The Zuora operation called: its method, path and signed parameter. */
	operation: ZuoraCorsOperationName;
	/** The call sends the `idempotencyKey` option (it is checked either way). */
	idempotent?: boolean;
	/** The call resolves an unknown outcome through the `reconcileUrl` option. */
	reconcilable?: boolean;
};

/**
 * The options of a signed call, own properties only, every one checked before anything is sent
 * (a token fetched for nothing is fraud surface).
 */
export function resolveSignedCall<T extends SignedCallOptions>(value: T, {operation, idempotent = false, reconcilable = false}: SignedCallSettings) {
	const stage = 'request';
	const options = resolveOptions(stage, value);
	const {signature, signatureUrl, allowedHosts} = options;
	// Checked now when given (and `allowedHosts` with it); the signed `uri` is checked when the pair comes.
	const url = options.url === undefined ? undefined : checkedPath(resolveZuoraUrl(options.url, allowedHosts), operation, allowedHosts);
	readAllowedHosts(allowedHosts);
	const headers = resolveHeaders(stage, options.headers);
	const timeout = resolveTimeout(stage, options.timeout, defaults.requestTimeout);
	const signal = resolveSignal(stage, options.signal);
	const idempotencyKey = resolveIdempotencyKey((options as {idempotencyKey?: unknown}).idempotencyKey);
	const signatureOptions = {...options.signatureOptions, signal};
	return {
		options,
		operation,
		url,
		allowedHosts,
		headers,
		timeout,
		signal,
		signature,
		idempotencyKey: idempotent ? idempotencyKey : undefined,
		signatureRequest: signatureUrl === undefined && signature !== undefined ? undefined : prepareSignatureRequest(signatureUrl, signatureOptions, 'signatureUrl'),
		reconcile: reconcilable ? resolveReconcile(options as ReconcileOptions, signatureOptions) : undefined,
	};
}

export type SignedCall = ReturnType<typeof resolveSignedCall>;

/**
 * `url` when it is the operation's URL on one of Zuora's REST bases (exact path, no query), or on
 * a host the page listed in `allowedHosts` (a stub: the operation's path under any prefix); else
 * a `validation` error, nothing sent.
 */
function checkedPath(url: string, operation: ZuoraCorsOperationName, allowedHosts: unknown): string {
	const {hosts, origins} = readAllowedHosts(allowedHosts);
	const {host, origin} = new URL(url);
	const allowed = origins.includes(origin) || hosts.includes(host);
	if (!isOperationUrl(url, operation, allowed)) {
		invalidOption('request', 'url', `not_operation_path: ${ZUORA_CORS_OPERATIONS[operation].path}`);
	}

	return url;
}

/** What a signature answer says it was signed for: its own non-empty string fields among Zuora's signed ones. */
export type SignedFields = {uri?: string; method?: string; accountKey?: string; name?: string; pageId?: string};

/** The signed fields of a pair, read as own properties only (a backend answer is JSON; a page may pollute Object.prototype). */
export function readSignedFields(pair: unknown): SignedFields {
	const own = ownCopy(pair, 1) as Record<string, unknown>;
	// Null-prototype: a field the answer leaves out is absent, never read from a polluted Object.prototype.
	const fields: SignedFields = Object.create(null) as SignedFields;
	for (const name of ['uri', 'method', 'accountKey', 'name', 'pageId'] as const) {
		const value = own !== null && typeof own === 'object' ? own[name] : undefined;
		if (typeof value === 'string' && value !== '') {
			fields[name] = value;
		}
	}

	return fields;
}

/**
 * The Zuora URL a pair is used with: the signed `uri` (after the same host guard as a page `url`),
 * which a page `url` must equal, else the page `url`. Refused, nothing sent, when they disagree,
 * when neither is given, or when the pair was signed for another method than the operation's.
 */
export function signedUrl(call: Pick<SignedCall, 'url' | 'allowedHosts' | 'operation'>, signed: SignedFields): string {
	const {method} = ZUORA_CORS_OPERATIONS[call.operation];
	if (signed.method !== undefined && signed.method.toUpperCase() !== method) {
		invalidOption('request', 'signatureUrl', `method_not_signed: ${signed.method}`);
	}

	if (signed.uri === undefined) {
		return call.url ?? invalidOption('request', 'url', 'no_url');
	}

	let uri: string;
	try {
		uri = resolveZuoraUrl(signed.uri, call.allowedHosts);
	} catch {
		return invalidOption('request', 'signatureUrl', 'uri_not_allowed');
	}

	if (call.url !== undefined && call.url !== uri) {
		invalidOption('request', 'url', 'not_signed_uri');
	}

	return checkedPath(uri, call.operation, call.allowedHosts);
}

/**
 * The value the backend signed (`accountKey`, `name`, `pageId`), which the body must carry: taken
 * from the pair when the page gives none; a page value that differs is refused before it is sent
 * (Zuora would answer "Invalid signature" and spend the token). `required`: the operation cannot
 * go without one (Create Payment Method can: it makes a method of no account).
 */
export function signedValue(signed: SignedFields, name: 'accountKey' | 'name' | 'pageId', given: unknown, {required = true} = {}): string | undefined {
	const value = given === undefined || given === '' ? signed[name] : given;
	if (value === undefined && !required) {
		return undefined;
	}

	if (typeof value !== 'string' || value === '' || (signed[name] !== undefined && signed[name] !== value)) {
		invalidOption('request', name, signed[name] === undefined ? 'not_string' : 'not_signed_value');
	}

	return value;
}

/** How a call's body and answer are made: `json` builds the body for a pair (it may refuse it); `fields` must be non-empty strings in a success; `accept`: a `GET` for a file. */
export type SignedRequest = {
	json?: (signed: SignedFields) => unknown;
	fields: readonly string[];
	accept?: string;
	/** The card the call carries (its body's, checked): a card call, settled by what the backend may match it by (see `reconcileUrl`). */
	card?: Parameters<typeof reconcileCard>[0];
};

/**
 * Sign, send, and when Zuora answers 90000011 (token used, expired or unknown: Zuora did nothing)
 * fetch one fresh pair and send once more, with the same Idempotency-Key: Zuora stores an answer
 * under a key only once it processed the request, and a refused token is not processed (so the
 * key is free, and a repeat of the call with it can never create a second method). Any other
 * failure is thrown as is: nothing is re-sent blindly.
 *
 * A card call (`card`) claims only what it knows. While a request that carried the card
 * may still be processed at Zuora (no answer, a timeout, a 5xx or 409, an unreadable answer; or a
 * 90000011 at the first attempt, which a copy of the request the browser re-sent itself may have
 * met after the first copy spent the token), the outcome is unknown and nothing is sent again:
 * the reconcile endpoint is asked over the settle window (`settleUnknown`). Found: saved
 * (`recovered`). Not found at the window's end: `not-saved` (after a 90000011, the one re-sign,
 * now safe). No endpoint, or no answer: the unknown outcome is thrown. A 409 replay of a stored
 * success is settled the same way: its id counts only when the endpoint finds this card.
 */
export async function runSignedCall<R>(call: SignedCall, signedRequest: SignedRequest): Promise<R> {
	const {signature, signal, signatureRequest} = call;
	const request = ownCopy(signedRequest, 1);
	const card = request.card && reconcileCard(request.card);
	const {method} = ZUORA_CORS_OPERATIONS[call.operation];
	// Only reached with a signatureRequest: without one, nothing is re-signed.
	const sign = async () => requestSignature(signatureRequest!);

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

	for (let resigned = false; ; resigned = true) {
		const signed = readSignedFields(pair);
		const url = signedUrl(call, signed);
		try {
			// eslint-disable-next-line no-await-in-loop
			const result = await callZuora({...call, url, method, signature: pair.signature, token: pair.token, json: request.json?.(signed), accept: request.accept});
			const checked = checkedSuccess(result, request.fields, `${method} ${url}`) as R;
			if (card && Object.hasOwn(checked as object, 'replayed')) {
				// Under Zuora's documented model a key replays its first answer whatever the body: the
				// replayed id is this card's only if the reconcile endpoint finds this card (brand, last
				// four, expiry), so a replay is settled as an unknown outcome is, and its id is not used.
				throw new ZuoraCorsError(`${method} ${url} answered HTTP 409: replay_unconfirmed`, {kind: 'invalid-response', stage: 'request', status: 409});
			}

			return checked;
		} catch (error) {
			const invalidToken = error instanceof ZuoraCorsError && error.kind === 'zuora' && isInvalidTokenCode(error.code);
			if (!card || !(isUnknownOutcome(error) || (invalidToken && !resigned))) {
				if (resigned || !invalidToken || !signatureRequest) {
					throw error;
				}
			} else {
				// eslint-disable-next-line no-await-in-loop
				const found = await settleCard(call, {token: pair.token, ...card}, error as ZuoraCorsError);
				if (found !== null) {
					return {success: true, paymentMethodId: found, recovered: true} as R;
				}

				if (!invalidToken || !signatureRequest) {
					throw new ZuoraCorsError(`${(error as Error).message}: not_saved`, {
						kind: 'not-saved',
						stage: 'request',
						cause: error,
					});
				}
			}
		}

		// eslint-disable-next-line no-await-in-loop
		pair = await sign();
	}
}

/**
 * The id of the card found by the reconcile endpoint over the settle window, or `null` when the
 * answer at the window's end found none. Throws the unknown outcome without an endpoint, or when
 * it could not answer (a 90000011 as `invalid-response`: the card may have been saved by a copy).
 */
async function settleCard(call: SignedCall, query: ReconcileQuery, error: ZuoraCorsError): Promise<string | null> {
	const {reconcile, signal} = call;
	reconcile?.onOutcomeUnknown?.(error);
	const found = reconcile ? await settleUnknown(reconcile, query, signal) : undefined;
	if (found !== undefined) {
		return found;
	}

	if (error.kind !== 'zuora') {
		throw error;
	}

	// A spent token may be the browser's own re-send of a card the first copy saved; with nobody
	// to confirm it, a re-sign could save it twice, so the outcome stays unknown.
	throw new ZuoraCorsError(`${error.message}: not_resent`, {
		kind: 'invalid-response',
		stage: 'request',
		reasons: error.reasons,
		status: error.status,
		cause: error,
	});
}

/** A success's body (or file) when every required field is a non-empty own string, else `invalid-response`. */
function checkedSuccess(result: unknown, fields: readonly string[], what: string): unknown {
	const missing = missingField(result as object, fields);
	if (missing) {
		throw new ZuoraCorsError(`${what} answered: no_${missing}`, {kind: 'invalid-response', stage: 'request'});
	}

	return result;
}

/** A prefetched pair, or an `aborted` error as soon as the caller's signal fires while waiting for it. */
async function untilAborted(pair: CorsSignature | Promise<CorsSignature>, signal: AbortSignal | undefined): Promise<CorsSignature> {
	if (!signal) {
		return pair;
	}

	return new Promise((resolve, reject) => {
		const onAbort = () => {
			reject(new ZuoraCorsError('Prefetched signature: aborted', {kind: 'aborted', stage: 'signature', cause: signal.reason}));
		};

		if (signal.aborted) {
			onAbort();
			return;
		}

		signal.addEventListener('abort', onAbort, ownRecord({once: true}));
		Promise.resolve(pair)
			.then(resolve, reject)
			.finally(() => {
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
			invalidOption('signature', 'signatureOptions', 'card_data');
		}
	}
}
