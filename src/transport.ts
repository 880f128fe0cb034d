import ky, {type Options} from 'ky';
import {decodeReference, maskSecrets, secretDigits, NOT_PROCESSED_STATUSES, ZuoraCorsError, type ZuoraCorsStage, type ZuoraReason} from './errors.js';
import {isInvalidTokenCode} from './zuora.js';

export type Exchange = {
	stage: ZuoraCorsStage;
	url: string;
	method: string;
	headers: Headers;
	body?: string;
	credentials: RequestCredentials;
	/** Milliseconds for the whole exchange, body included; `false` for none. */
	timeout: number | false;
	signal?: AbortSignal;
	/** Strings (card number, security code) to mask in any text a server sends back. */
	secrets?: readonly string[];
	/** An `Idempotency-Key` was sent: a 409 carrying a success is the stored answer, replayed. */
	idempotent?: boolean;
	/** `'blob'`: a successful answer that is not JSON comes back as `blob` (JSON still classified). */
	responseType?: 'json' | 'blob';
};

export type JsonObject = Record<string, unknown>;

export type Answer = {
	status: number;
	body: JsonObject;
	/** The answer's bytes, for `responseType: 'blob'` and a successful answer that is not JSON. */
	blob?: Blob;
	/** A 409 replaying the stored success of an earlier request with the same Idempotency-Key. */
	replayed?: true;
};

/** A null-prototype object with each of the space-separated `names` own and undefined, then `values`. */
function own(names: string, values?: object): Record<string, unknown> {
	const object = Object.create(null) as Record<string, unknown>;
	for (const name of names.split(' ')) {
		object[name] = undefined;
	}

	return Object.assign(object, values);
}

// Every option name ky reads beyond RequestInit's (those come from our init), set as OWN properties
// on what we hand ky: ky spreads and reads its options with inheritance, so a page that polluted
// Object.prototype (`__proto__.prefixUrl` from injected markup) could otherwise steer or break the request.
const KY_OPTIONS = 'json parseJson stringifyJson prefixUrl onDownloadProgress onUploadProgress context dispatcher duplex next priority';

/**
 * Sends one request through ky and returns the status and the body, a JSON object
 * with `success !== false`. Every way it can fail becomes a `ZuoraCorsError` here, and only here.
 *
 * The final `fetch` call is made here, through ky's `fetch` option, with a null-prototype init
 * built only from the checked values of `request` (never from what ky passes): nothing inherited
 * from `Object.prototype` can change the URL, method, headers, body or redirect mode.
 */
export async function exchange(request: Exchange): Promise<Answer> {
	const {stage, url, method, timeout, secrets = []} = request;
	const what = `${method} ${url}`;
	const fail = (message: string, details: Omit<ConstructorParameters<typeof ZuoraCorsError>[1], 'stage'>) =>
		new ZuoraCorsError(message, {stage, ...details});

	// One controller for the caller's signal and our deadline, so the deadline covers the body
	// too (ky's own timeout stops at the headers) and we can tell the two apart afterwards.
	const controller = new AbortController();
	const onAbort = () => {
		controller.abort();
	};

	request.signal?.addEventListener('abort', onAbort);
	let timedOut = false;
	const timer = timeout === false ? undefined : setTimeout(() => {
		timedOut = true;
		controller.abort();
	}, timeout);

	const init: RequestInit = Object.assign(Object.create(null) as RequestInit, {
		method,
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
		signal: controller.signal,
		window: null,
	} satisfies RequestInit);

	// Set by our fetch below.
	let sent = false;
	let received: Response | undefined;
	// One request per exchange, whatever ky's options say.
	const send = async () => {
		if (sent) {
			throw new TypeError('exchange: one request only');
		}

		sent = true;
		return (received = await globalThis.fetch(url, init));
	};

	let response: Response;
	let status: number | undefined;
	let text: string;
	let blob: Blob | undefined;
	try {
		if (request.signal?.aborted) {
			throw request.signal.reason;
		}

		// A Request as ky's input: ky reads `input.headers` and `input.signal`, which a string would inherit.
		// (ky may throw synchronously while merging options: called inside a promise.)
		await Promise.resolve().then(async () => ky(new Request(url, init), own(KY_OPTIONS, {
			// Mirrors of the checked values, for ky's own Request (which our fetch ignores). Headers
			// come from the input Request: an object here would make ky merge it with an inherited one.
			...init,
			headers: undefined,
			// Own and empty: ky drops an undefined one and would then read an inherited value.
			searchParams: '',
			// Own and undefined: ky then takes [] without reading an inherited hook list.
			hooks: own('beforeRequest beforeRetry afterResponse beforeError'),
			// Never retried here: a Zuora token is single-use and a failed POST's outcome is unknown.
			retry: 0,
			timeout: false,
			throwHttpErrors: false,
			fetch: send,
		}) as Options)).catch(async (error: unknown) => {
			// ky's own steps after the answer cannot lose it: we read the response we received. If
			// ky threw before sending (an inherited value it could not read, e.g. an array as
			// Object.prototype.headers), nothing was sent: send it once ourselves, as planned.
			if (!sent && !controller.signal.aborted) {
				await send();
			} else if (!received) {
				throw error;
			}
		});
		response = received!;
		status = response.status;
		if (request.responseType === 'blob') {
			blob = await response.blob();
			text = /json/i.test(response.headers.get('content-type') ?? '') || status < 200 || status > 299 ? await blob.text() : '';
		} else {
			text = await response.text();
		}
	} catch (error) {
		throw request.signal?.aborted
			? fail(`${what} was aborted by the caller`, {kind: 'aborted', status, cause: request.signal.reason})
			: timedOut
				? fail(`${what} timed out after ${String(timeout)} ms${status ? ` (HTTP ${status} came, its body did not)` : ''}`, {kind: 'timeout', status})
				: fail(`${what} failed with no response: ${stage === 'request' ? corsHint(url) : 'the merchant backend could not be reached (offline, refused or reset)'}`, {kind: 'network', status, cause: error});
	} finally {
		clearTimeout(timer);
		request.signal?.removeEventListener('abort', onAbort);
	}

	if (response.type === 'opaqueredirect' || /^30[12378]$/.test(String(status))) {
		throw fail(`${what} answered with a redirect${status ? ` (HTTP ${status})` : ''}, refused: nothing was forwarded. ${stage === 'request' ? `The server got the request, so ${UNKNOWN}` : 'Point the signature URL at the endpoint itself'}`, {kind: 'invalid-response', status: status || undefined});
	}

	const body = parseJsonObject(text);
	const ok = status > 199 && status < 300;
	if (ok && blob && !body) {
		return {status, body: {}, blob};
	}

	const {idempotent} = request;
	const success = body?.['success'];
	if (status === 409 && idempotent && success === true) {
		return {status, body, replayed: true};
	}

	if (ok && success !== false) {
		if (!body) {
			throw fail(`${what} answered HTTP ${status} with a body that is not a JSON object`, {kind: 'invalid-response', status});
		}

		return {status, body};
	}

	// The failure: every server string (messages, codes, processId) masked together, by content.
	const raw = (Array.isArray(body?.['reasons']) ? body!['reasons'] as unknown[] : []).filter((reason): reason is {code?: unknown; message?: unknown} => reason !== null && typeof reason === 'object');
	const codes = raw.map(({code}) => typeof code === 'number' || typeof code === 'string' ? String(code) : undefined);
	const processId = typeof body?.['processId'] === 'string' ? body['processId'] : undefined;
	const masked = maskSecrets([...raw.map(({message}) => typeof message === 'string' ? stripHtml(message) : ''), ...codes.map(code => code ?? ''), processId ?? ''], secrets);
	const reasons = raw.map(({code}, index): ZuoraReason => {
		const text = codes[index];
		const mask = masked[raw.length + index]!;
		// A code holding a secret's digits is '[redacted]' (a string code keeps its other text).
		// 90000011 is Zuora's constant: a security code inside it (000, 011…) is chance, and
		// masking it would cost the re-sign; a card fragment still masks it.
		return {
			...(text === undefined ? {} : {code: mask === text || (isInvalidTokenCode(text) && maskSecrets([text], secrets.filter(secret => secretDigits(secret).length > 5))[0] === text) ? code as number | string : /^\d+$/.test(text) ? '[redacted]' : mask}),
			message: masked[index]!,
		};
	});
	const first = reasons[0];
	const summary = first ? ` (${[first.code, first.message].filter(part => part !== undefined && part !== '').join(' ') || 'no reason given'})` : '';
	const details = {
		status,
		reasons,
		retryAfter: readRetryAfter(response.headers),
		processId: processId && masked.at(-1),
	};

	// A status that says "not processed" decides, whatever the body says; else Zuora's envelope does.
	// So does a 422 to a request with an Idempotency-Key: the key was used for another request.
	if (success === false && !NOT_PROCESSED_STATUSES.has(status) && !(status === 422 && idempotent)) {
		throw fail(`${what} answered success: false${summary || ' (no reason given)'}${status === 409 ? ': the stored answer of an earlier request with this Idempotency-Key' : ''}`, {kind: 'zuora', ...details});
	}

	const note = status === 409
		? idempotent ? ': a request with this Idempotency-Key is in progress or was answered differently' : ': conflict'
		: status === 422 && idempotent ? ': this Idempotency-Key was already used for another request; use a new key' : '';
	throw fail(`${what} answered HTTP ${status}${note}${summary}`, {kind: 'http', ...details});
}

const UNKNOWN = 'its outcome is unknown: do not re-send this card without checking';

/** Browsers hide why a cross-origin request failed: a CORS refusal looks exactly like no answer. */
function corsHint(url: string): string {
	const origin = (globalThis as {location?: {origin?: string}}).location?.origin;
	return `offline, connection reset, or a CORS refusal (if it persists, ask Zuora to allow ${origin && origin !== 'null' ? `the origin ${origin}` : 'this page\'s origin'} for ${new URL(url).origin}). So ${UNKNOWN}`;
}

function parseJsonObject(text: string): JsonObject | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
	} catch {
		return undefined;
	}
}

const ENTITIES: Record<string, string> = {__proto__: null as unknown as string, amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'', nbsp: '\u00A0'};

/** Text of a reason message that may hold HTML: entities decoded, then tags removed until none is left. */
export function stripHtml(text: string): string {
	let plain = text.replace(/&(#x[\da-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (entity, name: string) => name[0] === '#' ? decodeReference(name) || entity : ENTITIES[name.toLowerCase()] ?? entity);
	for (let before = ''; before !== plain;) {
		before = plain;
		plain = plain.replace(/<!--[\s\S]*?-->|<\/?[a-z][^>]*>/gi, ' ');
	}

	return plain.replace(/\s+/g, ' ').trim();
}

/**
 * Milliseconds to wait, from `Retry-After` (delay-seconds or an HTTP date) or else
 * `ratelimit-reset` (seconds, Zuora's rate-limit header). `Retry-After` wins when both come: it is
 * the standard's answer to "when may I retry", and the RateLimit draft defers to it.
 */
function readRetryAfter(headers: Headers): number | undefined {
	const value = headers.get('retry-after')?.trim();
	const date = value && !/^\d+$/.test(value) ? Date.parse(value) : Number.NaN;
	if (!Number.isNaN(date)) {
		return Math.max(0, date - Date.now());
	}

	const seconds = /^\d+$/.test(value ?? '') ? value : headers.get('ratelimit-reset')?.trim();
	// A number too large to hold counts as 2^31 seconds, as RFC 9111 (1.2.2) says of
	// delta-seconds: never Infinity, which no timer can wait and JSON writes as null.
	return seconds && /^\d+$/.test(seconds) ? Math.min(Number(seconds), 2 ** 31) * 1000 : undefined;
}
