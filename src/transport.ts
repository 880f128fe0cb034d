import ky, {type Hooks, type Options, type RetryOptions} from 'ky';
import {type Answer, classifyAnswer, MAX_RETRY_WAIT, noAnswerBackoff, noAnswerError, RETRY_STATUSES, type SeenAnswer, SIGNATURE_RETRY_LIMIT, signatureRetryWait} from './classify.js';
import {ZuoraCorsError, type ZuoraCorsStage} from './errors.js';

export type {Answer, JsonObject} from './classify.js';

export type Exchange = {
	stage: ZuoraCorsStage;
	url: string;
	method: string;
	headers: Headers;
	body?: string;
	credentials: RequestCredentials;
	/** Milliseconds for the whole exchange, body and retries included; `false` for none. */
	timeout: number | false;
	signal?: AbortSignal;
	/** Strings (card number, security code) to mask in any text a server sends back. */
	secrets?: readonly string[];
	/** An `Idempotency-Key` was sent: a 409 carrying a success is the stored answer, replayed. */
	idempotent?: boolean;
	/** `'blob'`: a successful answer that is not JSON comes back as `blob` (JSON still classified). */
	responseType?: 'json' | 'blob';
};

/**
 * Sends one request through ky and returns the status and the body, a JSON object with
 * `success !== false`. Every way it can fail becomes a `ZuoraCorsError` (see `classify.ts`).
 *
 * At the signature stage, where no card has left the page, ky retries a request that got no
 * answer, or a 502/503 whose `Retry-After` asks for a short wait (`signatureRetryWait`). A card
 * POST (the request stage) is sent once: a Zuora token is single-use and its outcome may be unknown.
 */
export async function exchange(request: Exchange): Promise<Answer> {
	const seen = await receive(request);
	const outcome = classifyAnswer(seen, {...request, now: Date.now()});
	if (outcome instanceof ZuoraCorsError) {
		throw outcome;
	}

	return outcome;
}

/** Sends the request and reads the answer; a request that got none becomes its `ZuoraCorsError` here. */
async function receive(request: Exchange): Promise<SeenAnswer> {
	const {signal, timeout} = request;
	// One controller for the caller's signal and our deadline, so the deadline covers the body and
	// every retry (ky's own timeout is per attempt and stops at the headers) and we can tell the
	// two apart afterwards.
	const controller = new AbortController();
	const onAbort = () => {
		controller.abort();
	};

	signal?.addEventListener('abort', onAbort);
	let timedOut = false;
	const timer = timeout === false ? undefined : setTimeout(() => {
		timedOut = true;
		controller.abort();
	}, timeout);

	let status: number | undefined;
	try {
		if (signal?.aborted) {
			throw signal.reason;
		}

		const response = await send(request, controller.signal, timeout === false ? Number.POSITIVE_INFINITY : Date.now() + timeout);
		status = response.status;
		return await readAnswer(response, request.responseType);
	} catch (error) {
		const why = signal?.aborted ? 'aborted' : timedOut ? 'timeout' : 'network';
		throw noAnswerError({...request, pageOrigin: pageOrigin()}, why, {status, cause: why === 'aborted' ? signal!.reason : error});
	} finally {
		clearTimeout(timer);
		signal?.removeEventListener('abort', onAbort);
	}
}

/**
 * The answer to the last attempt, sent through ky with retries as `signatureRetryWait` allows.
 *
 * Every `fetch` call is made here, through ky's `fetch` option, with a null-prototype init built
 * only from the checked values of `request` (never from what ky passes): nothing inherited from
 * `Object.prototype` can change the URL, method, headers, body or redirect mode.
 */
async function send(request: Exchange, signal: AbortSignal, deadline: number): Promise<Response> {
	const init = fetchInit(request, signal);
	const limit = request.stage === 'signature' ? SIGNATURE_RETRY_LIMIT : 0;
	let attempts = 0;
	let received: Response | undefined;
	const fetchOnce = async () => {
		// However ky's options end up, no more requests than the budget.
		if (attempts > limit) {
			throw new TypeError('exchange: no attempt left');
		}

		attempts++;
		// A retried answer is never read: free its connection.
		void received?.body?.cancel().catch(() => undefined);
		received = undefined;
		const response = await globalThis.fetch(request.url, init);
		received = response;
		return response;
	};

	const retry = retryOptions(request.method, limit, ({retryCount}) => {
		const answer = received && {status: received.status, headers: received.headers};
		// `false` vetoes. `undefined` lets ky go on its own way: for a 502/503, wait what its
		// Retry-After says (checked here, capped by maxRetryAfter); else wait `delay`.
		return !signal.aborted && signatureRetryWait(answer, retryCount, Date.now(), deadline) !== undefined ? undefined : false;
	});
	// A Request as ky's input: ky reads `input.headers` and `input.signal`, which a string would inherit.
	// (ky may throw synchronously while merging options: called inside a promise.)
	await Promise.resolve().then(async () => ky(new Request(request.url, init), kyOptions(init, fetchOnce, retry, limit))).catch(async (error: unknown) => {
		// ky's own steps after the answer cannot lose it: we read the response we received. If
		// ky threw before sending (an inherited value it could not read, e.g. an array as
		// Object.prototype.headers), nothing was sent: send it once ourselves, as planned.
		if (attempts === 0 && !signal.aborted) {
			await fetchOnce();
		} else if (!received) {
			throw error;
		}
	});
	return received!;
}

function fetchInit(request: Exchange, signal: AbortSignal): RequestInit {
	return Object.assign(Object.create(null) as RequestInit, {
		method: request.method,
		headers: new Headers(request.headers),
		body: request.body ?? null,
		credentials: request.credentials,
		mode: 'cors',
		// Never follow: a 307 would re-send the card, signature and token to wherever it points.
		redirect: 'manual',
		cache: 'no-store',
		referrer: 'about:client',
		referrerPolicy: 'strict-origin-when-cross-origin',
		integrity: '',
		keepalive: false,
		signal,
		window: null,
	} satisfies RequestInit);
}

/**
 * Every option of ky's `Options` type, each an own property: ky spreads and reads its options
 * with inheritance, so a page that polluted Object.prototype (`__proto__.prefixUrl` from injected
 * markup) could otherwise steer or break the request. An option a ky upgrade adds to its type
 * (or removes) fails typecheck in `kyOptions` until it is dealt with.
 */
type EveryKyOption = {[Name in KyOptionName]: Options[Name] | undefined};
// Mapped over these aliases, not `keyof X` in place: a homomorphic mapped type would keep the
// properties optional (and `-?` would forbid `undefined`), so a missing option would pass.
type KyOptionName = keyof Options;
type HookName = keyof Hooks;
type RetryOptionName = keyof RetryOptions;
/** Options ky reads that its type does not name (it hands `duplex`, `dispatcher` and `next` to fetch). */
type UntypedKyOptions = {duplex: undefined; dispatcher: undefined; next: undefined};

function kyOptions(init: RequestInit, fetch: () => Promise<Response>, retry: RetryOptions, limit: number): EveryKyOption & UntypedKyOptions {
	const hooks: {[Name in HookName]: undefined} = {beforeRequest: undefined, beforeRetry: undefined, afterResponse: undefined, beforeError: undefined};
	return Object.assign(Object.create(null) as EveryKyOption & UntypedKyOptions, {
		// Mirrors of the checked values, for ky's own Request (which our fetch ignores). Headers
		// come from the input Request: an object here would make ky merge it with an inherited one.
		method: init.method,
		headers: undefined,
		body: init.body,
		credentials: init.credentials,
		mode: init.mode,
		cache: init.cache,
		redirect: init.redirect,
		referrer: init.referrer,
		referrerPolicy: init.referrerPolicy,
		integrity: init.integrity,
		keepalive: init.keepalive,
		signal: init.signal,
		window: null,
		priority: undefined,
		json: undefined,
		parseJson: undefined,
		stringifyJson: undefined,
		// Own and empty: ky drops an undefined one and would then read an inherited value.
		searchParams: '',
		prefixUrl: undefined,
		retry,
		// Our deadline covers every attempt and the body; ky's would stop at each attempt's headers.
		timeout: false,
		// Own and undefined, each: ky then takes [] without reading an inherited hook list.
		hooks: Object.assign(Object.create(null) as Hooks, hooks),
		// An HTTP error is thrown (so ky's retry sees it) only where a retry is possible.
		throwHttpErrors: (status: number) => limit > 0 && RETRY_STATUSES.has(status),
		onDownloadProgress: undefined,
		onUploadProgress: undefined,
		fetch,
		context: undefined,
		duplex: undefined,
		dispatcher: undefined,
		next: undefined,
	} satisfies EveryKyOption & UntypedKyOptions);
}

/** ky's retry options, every one own (ky spreads them too); `shouldRetry` vetoes what our policy does not allow. */
function retryOptions(method: string, limit: number, shouldRetry: NonNullable<RetryOptions['shouldRetry']>): RetryOptions {
	const retry: {[Name in RetryOptionName]: RetryOptions[Name] | undefined} = {
		limit,
		methods: [method.toLowerCase()],
		statusCodes: [...RETRY_STATUSES],
		afterStatusCodes: [...RETRY_STATUSES],
		maxRetryAfter: MAX_RETRY_WAIT,
		backoffLimit: MAX_RETRY_WAIT,
		delay: noAnswerBackoff,
		// Undefined: none (the waits are short and few, and a Retry-After is waited as given).
		jitter: undefined,
		retryOnTimeout: false,
		shouldRetry,
	};
	return Object.assign(Object.create(null) as RetryOptions, retry);
}

async function readAnswer(response: Response, responseType: Exchange['responseType']): Promise<SeenAnswer> {
	const {status, type, headers} = response;
	if (responseType !== 'blob') {
		return {status, type, headers, text: await response.text()};
	}

	const blob = await response.blob();
	const json = /json/i.test(headers.get('content-type') ?? '') || status < 200 || status > 299;
	return {status, type, headers, blob, text: json ? await blob.text() : ''};
}

/** The page's origin, for the CORS hint of a request that got no answer. */
function pageOrigin(): string | undefined {
	return (globalThis as {location?: {origin?: string}}).location?.origin;
}
