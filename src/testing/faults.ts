/**
 * Faults (`failNext`): the next `count` requests to `paths` (by default the two create
 * operations the browser calls) fail. Preflights and test controls are never faulted. Every
 * fault that answers carries the same CORS headers as any answer, so a page can read it.
 *
 * All but one fire after the request is read and the latency has passed, and **before** it is
 * processed: the token is not spent, nothing is created, no Idempotency-Key answer is stored.
 * They model a failure in front of Zuora (a load balancer) or a refusal before processing:
 *   reset        the connection is destroyed, no answer
 *   hang         never answered (close() ends it)
 *   html500      500 text/html "<html><body><h1>500 Internal Server Error</h1></body></html>"
 *   text500      500 text/plain "We're sorry, but something went wrong."
 *   rateLimit    429, `ratelimit-limit: 40`, `ratelimit-remaining: 0`, `ratelimit-reset: 2`
 *                (seconds), envelope code 50000070 "Too many requests."
 *   unavailable  503, envelope code 50000061 "Service temporarily unavailable."
 *   htmlReason   200, envelope code 53100020 whose message holds HTML tags
 *   {status, body?, headers?}  any status from 200 to 599 with that JSON body (none when
 *                undefined) and headers, to replay any answer shape Zuora is seen to send
 * Two fire **after** the request reached Zuora: it is processed as usual (the method is created,
 * the token spent, the answer stored under its Idempotency-Key), and the connection is destroyed
 * before any byte of the answer is sent:
 *   answerLost   once processed: a lost answer, the outcome unknown to the client, the card saved
 *   drop         at once, while processing goes on (with `holdCreates`, until released): the
 *                client sees the connection drop before Zuora is done, and asks while it works
 */
import {ZUORA_CORS_OPERATIONS} from '../zuora.js';
import type {CustomFault, Fault, FaultMode, StubState} from './stub-state.js';
import {failure, isPlainObject, ok, reason, type Reply} from './values.js';
import {STUB_CODES as CODES} from './zuora-facts.js';

/** The browser-facing operations, which faults hit by default. */
export const CREATE_PATHS: readonly string[] = [ZUORA_CORS_OPERATIONS.creditCard.path, ZUORA_CORS_OPERATIONS.account.path];

const FAULT_MODES: ReadonlySet<string> = new Set<FaultMode>(['reset', 'hang', 'html500', 'text500', 'rateLimit', 'unavailable', 'htmlReason', 'answerLost', 'drop']);

/** The faults that answer something, by mode (a socket fault has no answer). */
const FAULT_ANSWERS: Partial<Record<FaultMode, Reply>> = {
	html500: {status: 500, body: undefined, raw: Buffer.from('<html><body><h1>500 Internal Server Error</h1></body></html>'), headers: {'Content-Type': 'text/html'}},
	text500: {status: 500, body: undefined, raw: Buffer.from("We're sorry, but something went wrong."), headers: {'Content-Type': 'text/plain'}},
};

/** The 429 fault's headers, in the form Zuora's rate-limit guide shows (`ratelimit-reset` in seconds). */
const RATE_LIMIT_HEADERS = {'ratelimit-limit': '40', 'ratelimit-remaining': '0', 'ratelimit-reset': '2'};
const HTML_REASON = '<p>Invalid value for <b>creditCardNumber</b>.<br/>Check the card and retry.</p>';

/** Checks `failNext`'s arguments and makes the fault, or throws a TypeError naming the bad one. */
export function makeFault(count: number, mode: FaultMode | CustomFault, paths: readonly string[] = CREATE_PATHS): Fault {
	if (!Number.isInteger(count) || count < 0) {
		throw new TypeError('failNext: count must be a non-negative integer');
	}

	if (isPlainObject(mode)) {
		const {status, headers} = mode;
		if (!Number.isInteger(status) || status < 200 || status > 599) {
			throw new TypeError('failNext: a custom fault needs a status from 200 to 599');
		}

		if (headers !== undefined && (!isPlainObject(headers) || !Object.values(headers).every(value => typeof value === 'string'))) {
			throw new TypeError("failNext: a custom fault's headers must map names to strings");
		}
	} else if (!FAULT_MODES.has(mode)) {
		throw new TypeError(`failNext: mode must be one of ${[...FAULT_MODES].map(name => `'${name}'`).join(', ')}, or {status, body?, headers?}`);
	}

	if (!Array.isArray(paths) || !paths.every(path => typeof path === 'string')) {
		throw new TypeError('failNext: paths must be an array of paths');
	}

	return {remaining: count, mode, paths: [...paths]};
}

/** The fault for a request to `path`, counted down; undefined when none is armed for it. */
export function takeFault(state: StubState, path: string): FaultMode | CustomFault | undefined {
	const fault = state.fault;
	if (!fault || fault.remaining === 0 || !fault.paths.includes(path)) {
		return undefined;
	}

	fault.remaining -= 1;
	return fault.mode;
}

/** The answer of a fault that answers (status, headers, body or raw bytes); undefined for a socket fault. */
export function faultAnswer(mode: FaultMode | CustomFault): Reply | undefined {
	if (typeof mode === 'object') {
		return mode.body === undefined ? {status: mode.status, body: undefined, raw: Buffer.alloc(0), headers: mode.headers ?? {}} : {status: mode.status, body: mode.body, headers: mode.headers ?? {}};
	}

	switch (mode) {
		case 'rateLimit': {
			return {status: 429, headers: RATE_LIMIT_HEADERS, body: failure(reason(CODES.rateLimited, 'Too many requests.'))};
		}

		case 'unavailable': {
			return {status: 503, body: failure(reason(CODES.unavailable, 'Service temporarily unavailable.'))};
		}

		case 'htmlReason': {
			return ok(failure(reason(CODES.cardInvalidValue, HTML_REASON)));
		}

		default: {
			return FAULT_ANSWERS[mode];
		}
	}
}
