/**
 * How the endpoints read Zuora's answers to their bearer calls: Zuora down or busy is a passing
 * outage (503, retry later); Zuora refusing what this configuration sends (credentials, uri,
 * the account authorize chose) is a setup error (500 `SETUP_ERROR`), with a log line that says
 * what to fix.
 */
import {ZUORA_ERROR_CODES} from '../zuora.js';
import {type Refusal, setupError} from './answers.js';
import {printable} from './gate.js';
import {createZuoraClient, type ZuoraAnswer, type ZuoraClient, type ZuoraClientOptions, ZuoraSetupError, ZuoraUnavailableError} from './zuora-client.js';

/** What to fix, for the codes a misconfigured endpoint meets. */
const SETUP_HINTS: Record<number, string> = {
	[ZUORA_ERROR_CODES.notCorsEnabled]: "the signed uri is not one of Zuora's CORS operations: check uri (and zuora.baseUrl)",
	[ZUORA_ERROR_CODES.emptyUri]: 'a field of the request is empty or invalid: check uri and what authorize returns',
	90000012: 'Zuora found the signature invalid: check uri and the signed value',
};

/** Zuora's error categories (a code's last two digits) that mean "resubmit later": lock contention, temporary error, over a limit. */
const TRANSIENT_CATEGORIES = new Set(['50', '61', '70']);

/** A client given as one, or made from its options. */
export function zuoraClientOf(zuora: ZuoraClient | ZuoraClientOptions): ZuoraClient {
	if (typeof zuora !== 'object' || zuora === null) {
		throw new TypeError('zuora must be a client from createZuoraClient, or its options {baseUrl, clientId, clientSecret}');
	}

	// A client's own `post` (createZuoraClient makes one); never one Object.prototype lends.
	return Object.hasOwn(zuora, 'post') && typeof (zuora as ZuoraClient).post === 'function' ? (zuora as ZuoraClient) : createZuoraClient(zuora as ZuoraClientOptions);
}

/**
 * Makes a bearer call and decides every failure: the answer when Zuora accepted the request
 * (the caller reads it), or a refusal (503 outage, 500 setup error).
 */
export async function zuoraRefusal(call: () => Promise<ZuoraAnswer>, what: string): Promise<ZuoraAnswer | Refusal> {
	let answer: ZuoraAnswer;
	try {
		answer = await call();
	} catch (error) {
		if (error instanceof ZuoraSetupError) {
			return setupError(error.message);
		}

		if (!(error instanceof ZuoraUnavailableError)) {
			throw error;
		}

		return unavailable(`Zuora unavailable: ${error.message}`);
	}

	return answerRefusal(answer, what) ?? answer;
}

/** A refusal for a failed answer, or undefined when Zuora accepted the request. Pure. */
export function answerRefusal(answer: ZuoraAnswer, what: string): Refusal | undefined {
	const {status, body, headers} = answer;
	if (status === 429 || status >= 500) {
		const retryAfter = headers.get('retry-after') ?? headers.get('ratelimit-reset');
		return unavailable(`Zuora answered HTTP ${status} to the ${what} request`, retryAfter !== null && /^\d{1,4}$/.test(retryAfter) ? retryAfter : undefined);
	}

	if (status === 401 || status === 403) {
		// After a fresh token (the client retries a 401 once): the OAuth client may not do this.
		return setupError(`Zuora refused the ${what} request with a fresh OAuth token (HTTP ${status}): give the OAuth client's user the permission for it, or check zuora.entityIds`);
	}

	if (body?.['success'] !== false && status < 300) {
		return undefined;
	}

	const reasons = Array.isArray(body?.['reasons']) ? (body['reasons'] as unknown[]).slice(0, 3).flatMap(reasonText) : [];
	const codes = reasons.map(reason => reason.code);
	if (codes.some(code => TRANSIENT_CATEGORIES.has(code.slice(-2)))) {
		return unavailable(`Zuora asked to resubmit the ${what} request later (${codes.join(', ')})`);
	}

	const hint = codes.map(code => SETUP_HINTS[Number(code)]).find(Boolean) ?? "check the endpoint's configuration and what authorize returns";
	return setupError(`Zuora refused the ${what} request (HTTP ${status}${reasons.length > 0 ? `, ${reasons.map(reason => `${reason.code} ${reason.message}`).join('; ')}` : ''}): ${hint}`);
}

function unavailable(log: string, retryAfter?: string): Refusal {
	return {
		status: 503,
		code: 'ZUORA_UNAVAILABLE',
		message: 'The payment service could not be reached. Please try again.',
		log,
		...(retryAfter === undefined ? {} : {headers: {'retry-after': retryAfter}}),
	};
}

function reasonText(value: unknown): Array<{code: string; message: string}> {
	if (typeof value !== 'object' || value === null) {
		return [];
	}

	const code = Object.hasOwn(value, 'code') ? (value as {code: unknown}).code : undefined;
	const message = Object.hasOwn(value, 'message') ? (value as {message: unknown}).message : undefined;
	return typeof code === 'number' || typeof code === 'string' ? [{code: printable(String(code)).slice(1, -1), message: typeof message === 'string' ? printable(message.slice(0, 200)) : '""'}] : [];
}
