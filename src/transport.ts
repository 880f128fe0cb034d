import ky from 'ky';
import {ZuoraCorsError, type ZuoraCorsStage, type ZuoraReason} from './errors.js';

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
};

export type JsonObject = Record<string, unknown>;

/**
 * Sends one request through ky and returns the status and the body, a JSON object
 * with `success !== false`. Every way it can fail becomes a `ZuoraCorsError` here, and only here.
 */
export async function exchange(request: Exchange): Promise<{status: number; body: JsonObject}> {
	const {stage, url, method, timeout} = request;
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

	let status: number | undefined;
	let text: string;
	let headers: Headers;
	try {
		if (request.signal?.aborted) {
			throw request.signal.reason;
		}

		const response = await ky(url, {
			method,
			headers: request.headers,
			body: request.body,
			credentials: request.credentials,
			signal: controller.signal,
			// Never retried here: a Zuora token is single-use and a failed POST's outcome is unknown.
			retry: 0,
			timeout: false,
			throwHttpErrors: false,
		});
		status = response.status;
		headers = response.headers;
		text = await response.text();
	} catch (error) {
		if (request.signal?.aborted) {
			throw fail(`${what} was aborted by the caller`, {kind: 'aborted', status, cause: request.signal.reason});
		}

		if (timedOut) {
			throw fail(`${what} timed out after ${String(timeout)} ms${status === undefined ? '' : ` (HTTP ${status} arrived, its body did not)`}`, {kind: 'timeout', status});
		}

		throw fail(`${what} failed with no response: ${networkHint(stage, url)}`, {
			kind: 'network',
			status,
			cause: error,
		});
	} finally {
		clearTimeout(timer);
		request.signal?.removeEventListener('abort', onAbort);
	}

	const body = parseJsonObject(text);
	const retryAfter = parseRetryAfter(headers.get('retry-after'));
	const ok = status >= 200 && status < 300;

	if (body?.['success'] === false) {
		const reasons = readReasons(body['reasons'], request.secrets);
		const first = reasons[0];
		const summary = first ? [first.code, first.message].filter(part => part !== undefined && part !== '').join(' ') : 'no reason given';
		throw fail(`${what} answered success: false (${summary})`, {
			kind: 'zuora',
			status,
			reasons,
			retryAfter,
			processId: typeof body['processId'] === 'string' ? maskSecrets(body['processId'], request.secrets) : undefined,
		});
	}

	if (!ok) {
		throw fail(`${what} answered HTTP ${status}`, {kind: 'http', status, retryAfter});
	}

	if (!body) {
		throw fail(`${what} answered HTTP ${status} with a body that is not a JSON object`, {kind: 'invalid-response', status});
	}

	return {status, body};
}

function networkHint(stage: ZuoraCorsStage, url: string): string {
	if (stage === 'signature') {
		return 'the merchant backend could not be reached (offline, refused or reset)';
	}

	// Browsers hide why a cross-origin request failed: a CORS refusal looks exactly like this.
	const origin = (globalThis as {location?: {origin?: string}}).location?.origin;
	const allow = origin && origin !== 'null' ? `the origin ${origin}` : 'this page\'s origin';
	return `offline, connection reset, or a CORS refusal. If it persists, ask Zuora to allow ${allow} for CORS calls to ${new URL(url).origin}. The outcome is unknown: do not re-send this card without checking`;
}

function parseJsonObject(text: string): JsonObject | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
	} catch {
		return undefined;
	}
}

function readReasons(value: unknown, secrets: readonly string[] = []): ZuoraReason[] {
	if (!Array.isArray(value)) {
		return [];
	}

	return value.flatMap((reason: unknown): ZuoraReason[] => {
		if (reason === null || typeof reason !== 'object') {
			return [];
		}

		const {code, message} = reason as {code?: unknown; message?: unknown};
		return [{
			...(typeof code === 'number' || typeof code === 'string' ? {code: maskCode(code, secrets)} : {}),
			message: typeof message === 'string' ? maskSecrets(message, secrets) : '',
		}];
	});
}

/** `text` with every occurrence of a secret replaced: a server may echo the card anywhere. */
function maskSecrets(text: string, secrets: readonly string[] = []): string {
	return secrets.reduce((masked, secret) => (secret ? masked.split(secret).join('[redacted]') : masked), text);
}

/**
 * A reason code with the secrets masked, except in a code of digits only, which is masked only
 * when it is a secret as a whole: masking a part would turn 90000011 into nonsense (and not
 * retryable) for a security code '000'.
 */
function maskCode(code: number | string, secrets: readonly string[] = []): number | string {
	const text = String(code);
	if (/^\d+$/.test(text)) {
		return secrets.includes(text) ? '[redacted]' : code;
	}

	const masked = maskSecrets(text, secrets);
	return masked === text ? code : masked;
}

const MAX_DELAY_SECONDS = 2 ** 31;

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
	if (value === null || value.trim() === '') {
		return undefined;
	}

	if (/^\d+$/.test(value.trim())) {
		// A number too large to hold counts as 2^31 seconds, as RFC 9111 (1.2.2) says of
		// delta-seconds: never Infinity, which no timer can wait and JSON writes as null.
		return Math.min(Number(value), MAX_DELAY_SECONDS) * 1000;
	}

	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
