/**
 * What an answer means: status, headers and body text in, a result or a `ZuoraCorsError` out.
 * Pure functions (no I/O, no clock: the caller passes `now`), so every rule is tested in-process;
 * `transport.ts` does the sending and reading, then asks these.
 */
import {decodeReference, maskSecrets, NOT_PROCESSED_STATUSES, secretDigits, ZuoraCorsError, type ZuoraCorsStage, type ZuoraReason} from './errors.js';
import {isInvalidTokenCode, ZUORA_ERROR_CODES} from './zuora.js';

export type JsonObject = Record<string, unknown>;

/** What came back, as read off the wire (or written by a test). */
export type SeenAnswer = {
	/** 0 for a browser's `opaqueredirect`. */
	status: number;
	/** The Response's `type`: `'opaqueredirect'` is a redirect the browser did not follow. */
	type?: string;
	headers: Pick<Headers, 'get'>;
	/** The body as text (`''` for a successful file answer that is not JSON). */
	text: string;
	/** `responseType: 'blob'`: the answer's bytes. */
	blob?: Blob;
};

/** The request an answer belongs to, as far as its meaning depends on it. */
export type AnswerContext = {
	stage: ZuoraCorsStage;
	method: string;
	url: string;
	/** Card number and security code the request carried, masked in whatever the server sends back. */
	secrets?: readonly string[];
	/** An `Idempotency-Key` was sent: a 409 carrying a success is the stored answer, replayed. */
	idempotent?: boolean;
	/** `Date.now()` when the answer came (reads an HTTP-date `Retry-After`). */
	now: number;
};

export type Answer = {
	status: number;
	body: JsonObject;
	/** The answer's bytes, for `responseType: 'blob'` and a successful answer that is not JSON. */
	blob?: Blob;
	/** A 409 replaying the stored success of an earlier request with the same Idempotency-Key. */
	replayed?: true;
};

/** The longest `retryAfter` given (1 hour): a longer wait is no plan for a shopper, and the cap keeps a header's digits out. */
export const MAX_RETRY_AFTER = 3_600_000;
/** Server strings (each reason's message and code, the processId) are cut to this many characters before anything reads them. */
export const MAX_SERVER_TEXT = 1000;
/** Reasons kept from one answer; the rest are dropped. */
export const MAX_REASONS = 20;
/** The merchant backend's own code for its misconfiguration (contract 3 of `zuora-cors/server`). */
export const SETUP_ERROR_CODE = 'SETUP_ERROR';

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** `METHOD URL answered HTTP 409: code (reason)`: one sentence with a code (src/README.md's "Answer codes"), the status when one came. */
function answered(what: string, status: number, code: string, summary = ''): string {
	return `${what} answered${status ? ` HTTP ${status}` : ''}: ${code}${summary}`;
}

/**
 * The result of an answer, or the `ZuoraCorsError` it means (returned, not thrown). A result is
 * a 2xx JSON object whose `success` is not `false` (or a 409 replaying a stored success), or a
 * successful file answer as `blob`.
 */
export function classifyAnswer(seen: SeenAnswer, context: AnswerContext): Answer | ZuoraCorsError {
	const {status} = seen;
	const {stage} = context;
	if (seen.type === 'opaqueredirect' || REDIRECT_STATUSES.has(status)) {
		// Nothing was forwarded; at the request stage the server got the card, so its outcome is unknown.
		return new ZuoraCorsError(answered(`${context.method} ${context.url}`, status, stage === 'request' ? 'redirect_outcome_unknown' : 'redirect_refused'), {
			kind: 'invalid-response',
			stage,
			status: status || undefined,
		});
	}

	const body = parseJsonObject(seen.text);
	const ok = status > 199 && status < 300;
	if (ok && seen.blob && !body) {
		return {status, body: {}, blob: seen.blob};
	}

	const success = body && answerField(body, 'success');
	if (body && status === 409 && context.idempotent && success === true) {
		return {status, body, replayed: true};
	}

	if (ok && success !== false) {
		return body ? {status, body} : new ZuoraCorsError(answered(`${context.method} ${context.url}`, status, 'not_json_object'), {kind: 'invalid-response', stage, status});
	}

	return failureError(status, body, seen.headers, context);
}

/** A non-2xx answer or `success: false`: which kind of failure, with the server's strings masked. */
function failureError(status: number, body: JsonObject | undefined, headers: Pick<Headers, 'get'>, context: AnswerContext): ZuoraCorsError {
	const {idempotent} = context;
	const what = `${context.method} ${context.url}`;
	const {reasons, processId} = readReasons(body, context.secrets ?? []);
	const first = reasons[0];
	const reason = first ? [first.code, first.message].filter(part => part !== undefined && part !== '').join(' ') : '';
	const summary = reason && ` (${reason})`;
	const details = {stage: context.stage, status, reasons, processId, retryAfter: readRetryAfter(headers, context.now)};

	// A checkout that is not set up fails the same way every time, whatever the status says.
	if (reasons.some(reason => isSetupCode(answerField(reason, 'code')))) {
		return new ZuoraCorsError(answered(what, status, 'setup_error', summary), {kind: 'setup', ...details});
	}

	// A status that says "not processed" decides, whatever the body says; else Zuora's envelope does.
	// So does a 422 to a request with an Idempotency-Key: the key was used for another request.
	if (body && answerField(body, 'success') === false && !NOT_PROCESSED_STATUSES.has(status) && !(status === 422 && idempotent)) {
		// A 409's is the stored answer of an earlier request with this Idempotency-Key.
		return new ZuoraCorsError(answered(what, status, status === 409 ? 'stored_failure' : 'success_false', summary), {
			kind: 'zuora',
			...details,
		});
	}

	// 409 with a key: a request with this key is in progress or was answered differently; 422 with
	// a key: the key was used for another request (a new key is needed).
	const code = status === 409 ? (idempotent ? 'key_in_progress' : 'conflict') : status === 422 && idempotent ? 'key_reused' : 'http_error';
	return new ZuoraCorsError(answered(what, status, code, summary), {kind: 'http', ...details});
}

/** `SETUP_ERROR` (the merchant backend's), 90000012 (invalid signature) or 90000010 (not CORS-enabled), as a number or a string. */
export function isSetupCode(code: unknown): boolean {
	if (code === SETUP_ERROR_CODE) {
		return true;
	}

	const number = typeof code === 'number' || typeof code === 'string' ? Number(code) : Number.NaN;
	return number === ZUORA_ERROR_CODES.invalidSignature || number === ZUORA_ERROR_CODES.notCorsEnabled;
}

/**
 * Zuora's `reasons` and `processId`, each string cut to `MAX_SERVER_TEXT`, HTML taken out of
 * messages, and every string masked together (`maskSecrets`: a secret cut across strings too).
 */
function readReasons(body: JsonObject | undefined, secrets: readonly string[]): {reasons: ZuoraReason[]; processId?: string} {
	const list = body && answerField(body, 'reasons');
	const raw = (Array.isArray(list) ? (list as unknown[]) : []).slice(0, MAX_REASONS).filter((reason): reason is object => reason !== null && typeof reason === 'object');
	const codes = raw.map(reason => {
		const code = answerField(reason, 'code');
		return typeof code === 'number' ? code : typeof code === 'string' ? cut(code) : undefined;
	});
	const id = body && answerField(body, 'processId');
	const processId = typeof id === 'string' ? cut(id) : undefined;
	const messages = raw.map(reason => {
		const message = answerField(reason, 'message');
		return typeof message === 'string' ? stripHtml(message) : '';
	});
	const masked = maskSecrets([...messages, ...codes.map(code => (code === undefined ? '' : String(code))), processId ?? ''], secrets);
	const reasons = raw.map((_reason, index): ZuoraReason => {
		const code = codes[index];
		return {
			...(code === undefined ? {} : {code: keptCode(code, masked[raw.length + index]!, secrets)}),
			message: masked[index]!,
		};
	});
	return {reasons, processId: processId && masked.at(-1)};
}

/**
 * A code as sent when it holds no secret. One holding a secret's digits is `'[redacted]'` when
 * all digits, else its masked text. 90000011 is Zuora's constant: a security code inside it (000,
 * 011…) is chance, and masking it would cost the re-sign; a card fragment still masks it.
 */
function keptCode(code: number | string, masked: string, secrets: readonly string[]): number | string {
	const text = String(code);
	if (
		masked === text ||
		(isInvalidTokenCode(text) &&
			maskSecrets(
				[text],
				secrets.filter(secret => secretDigits(secret).length > 5),
			)[0] === text)
	) {
		return code;
	}

	return /^\d+$/.test(text) ? '[redacted]' : masked;
}

/** What a request that got no answer means: cancelled by the caller, out of time, or no answer at all. */
export function noAnswerError(
	context: Pick<AnswerContext, 'stage' | 'method' | 'url'> & {timeout: number | false; pageOrigin?: string},
	why: 'aborted' | 'timeout' | 'network',
	details: {status?: number; cause?: unknown} = {},
): ZuoraCorsError {
	const {stage, status, cause} = {...context, ...details};
	const what = `${context.method} ${context.url}`;
	if (why === 'aborted') {
		return new ZuoraCorsError(`${what}: aborted`, {kind: 'aborted', stage, status, cause});
	}

	if (why === 'timeout') {
		// A status with a timeout: the headers came, the body did not.
		return new ZuoraCorsError(`${what}: timeout (${String(context.timeout)} ms${status ? `, HTTP ${status}` : ''})`, {kind: 'timeout', stage, status});
	}

	// Browsers hide why a cross-origin request failed: a CORS refusal looks exactly like no answer,
	// so the code names the origin Zuora must allow, and the Zuora origin it must allow it for.
	const origin = context.pageOrigin && context.pageOrigin !== 'null' ? context.pageOrigin : 'this page';
	return new ZuoraCorsError(`${what}: ${stage === 'request' ? `no_answer_outcome_unknown (CORS: ${origin} for ${new URL(context.url).origin}?)` : 'backend_unreachable'}`, {
		kind: 'network',
		stage,
		status,
		cause,
	});
}

/** A JSON object, or `undefined` for anything else (invalid JSON, an array, a string, `null`…). */
export function parseJsonObject(text: string): JsonObject | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
	} catch {
		return undefined;
	}
}

/** A property the object holds itself: a polluted `Object.prototype` cannot fill in one the server left out. */
export function answerField(object: object, name: string): unknown {
	return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

/** The first of `names` that `object` does not hold as its own non-empty string, or `undefined` when it holds all. */
export function missingField(object: object, names: readonly string[]): string | undefined {
	return names.find(name => {
		const value = answerField(object, name);
		return typeof value !== 'string' || value === '';
	});
}

/** At most `MAX_SERVER_TEXT` characters, `…` marking a cut (a surrogate pair is never split). */
function cut(text: string): string {
	return text.length > MAX_SERVER_TEXT ? `${text.slice(0, MAX_SERVER_TEXT).replace(/[\uD800-\uDBFF]$/, '')}…` : text;
}

const ENTITIES: Record<string, string> = {__proto__: null as unknown as string, amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0'};
const TAG_START = /^<\/?[a-z]/i;

/**
 * Text of a reason message that may hold HTML: cut to `MAX_SERVER_TEXT`, entities decoded, then
 * every tag and comment replaced by a space in one pass (a space, so no tag can form from the
 * pieces around one taken out). Linear: once no `>` is left, the rest is kept as it is.
 */
export function stripHtml(text: string): string {
	const decoded = cut(text).replace(/&(#x[\da-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (entity, name: string) => (name[0] === '#' ? decodeReference(name) || entity : (ENTITIES[name.toLowerCase()] ?? entity)));
	let plain = '';
	let position = 0;
	// Set once no `-->` is left: each later `<!--` would search to the end again.
	let commentsClosed = true;
	while (position < decoded.length) {
		const open = decoded.indexOf('<', position);
		if (open < 0) {
			break;
		}

		const comment: boolean = commentsClosed && decoded.startsWith('<!--', open);
		const tag = !comment && TAG_START.test(decoded.slice(open, open + 3));
		const close: number = comment ? decoded.indexOf('-->', open + 4) : tag ? decoded.indexOf('>', open) : -1;
		if (tag && close < 0) {
			// No `>` left: nothing after this can be a tag.
			break;
		}

		commentsClosed &&= !comment || close >= 0;
		if (close < 0) {
			// A `<` that opens nothing is text.
			plain += decoded.slice(position, open + 1);
			position = open + 1;
		} else {
			plain += `${decoded.slice(position, open)} `;
			position = close + (comment ? 3 : 1);
		}
	}

	return (plain + decoded.slice(position)).replace(/\s+/g, ' ').trim();
}

/**
 * Milliseconds to wait, from `Retry-After` (delay-seconds or an HTTP date) or else
 * `ratelimit-reset` (seconds, Zuora's rate-limit header), at most `MAX_RETRY_AFTER`.
 * `Retry-After` wins when both come: it is the standard's answer to "when may I retry", and the
 * RateLimit draft defers to it.
 */
export function readRetryAfter(headers: Pick<Headers, 'get'>, now: number): number | undefined {
	const wait = waitFor(headers.get('retry-after'), now, /\D/) ?? waitFor(headers.get('ratelimit-reset'), now);
	return wait === undefined ? undefined : Math.min(MAX_RETRY_AFTER, wait);
}

/**
 * Milliseconds a header asks to wait: delay-seconds, or (where `dates` matches) an HTTP date
 * counted from `now`, at least 0; `undefined` for anything else. The one reader of `Retry-After`.
 */
function waitFor(header: string | null, now: number, dates?: RegExp): number | undefined {
	const value = header?.trim() ?? '';
	if (/^\d+$/.test(value)) {
		return Number(value) * 1000;
	}

	const date = dates?.test(value) ? Date.parse(value) : Number.NaN;
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// --- Retrying the signature stage --------------------------------------------------------------

/** Retries of a signature request (no card has left the page there); a card POST gets none. */
export const SIGNATURE_RETRY_LIMIT = 2;
/** The longest `Retry-After` waited for automatically; a longer one goes to the caller as `retryAfter`. */
export const MAX_RETRY_WAIT = 5000;
/** Statuses of a gateway or backend that could not serve now and may say when to come back. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503]);
// Retry-After as an HTTP date (RFC 9110's IMF-fixdate), the one date form waited for.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Milliseconds before retry `attempt` (1, 2…) of a signature request that got no answer: 300, 600… */
export function noAnswerBackoff(attempt: number): number {
	return 300 * 2 ** (attempt - 1);
}

/**
 * Whether to retry a signature request, and after how many milliseconds (`undefined`: do not).
 * `answer` is `undefined` when none came (offline, refused, reset). Only a 502 or 503 whose
 * `Retry-After` (seconds or an HTTP date) asks for at most `MAX_RETRY_WAIT` is retried, and only
 * when the wait ends before `deadline` (the exchange's timeout, every attempt included).
 */
export function signatureRetryWait(answer: {status: number; headers: Pick<Headers, 'get'>} | undefined, attempt: number, now: number, deadline: number): number | undefined {
	let wait: number | undefined = noAnswerBackoff(attempt);
	if (answer) {
		wait = RETRY_STATUSES.has(answer.status) ? waitFor(answer.headers.get('retry-after'), now, IMF_FIXDATE) : undefined;
	}

	return attempt <= SIGNATURE_RETRY_LIMIT && wait !== undefined && wait <= MAX_RETRY_WAIT && now + wait < deadline ? wait : undefined;
}
