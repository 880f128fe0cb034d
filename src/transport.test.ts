// The wiring, against a real server on port 0: what reaches the socket, how many requests, and
// what each stage makes of a real answer. Each test gets its own URL and answers
// (`startAnswerServer`); time is fake where time is what is tested.
import type {ServerResponse} from 'node:http';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {makeCorsRequest} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import {type CannedAnswer, reply, startAnswerServer, startServer} from './http-server.test-util.js';
import {fetchSignature} from './signature.js';

const PAIR = {success: true, signature: 'c2ln', token: 'T'.repeat(32)};

// Every kind of answer a server can give, and what each stage must turn it into. The same table
// runs against both stages: one conversion function serves them, so they must agree.
const scenarios: Record<string, CannedAnswer> = {
	html500: response => reply(response, 500, '<html><body>500 Internal Server Error</body></html>'),
	html200: response => reply(response, 200, '<html><body>maintenance</body></html>'),
	empty200: response => reply(response, 200, ''),
	array200: response => reply(response, 200, [1, 2]),
	truncated200: response => reply(response, 200, '{"success": tr'),
	envelope200: response => reply(response, 200, {success: false, processId: 'ABCDEF0123456789', reasons: [{code: 53100020, message: 'creditCardNumber: invalid value'}]}),
	notCorsEnabled: response => reply(response, 404, {success: false, reasons: [{code: 90000010, message: 'This API is not CORS enabled.'}]}),
	setupError: response => reply(response, 500, {success: false, reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]}),
	rateLimited: response => reply(response, 429, {message: 'Too many requests'}, {'retry-after': '2'}),
	unavailable: response => reply(response, 503, 'busy'),
	badGateway: response => reply(response, 502, 'bad gateway'),
	codeless: response => reply(response, 200, {success: false, reasons: [{message: 'Something failed'}]}),
	reset(response: ServerResponse) {
		response.socket?.destroy();
	},
};

type Outcome = {kind: string; status?: number; code?: number | string; retryable: boolean; retryAfter?: number; requests?: number};

const stages = [
	{
		stage: 'signature' as const,
		method: 'POST',
		call: async (url: string, extra: {timeout?: number | false; signal?: AbortSignal} = {}) => fetchSignature(url, {method: 'POST', timeout: 10_000, ...extra}),
		expected: {
			html500: {kind: 'http', status: 500, retryable: true},
			badGateway: {kind: 'http', status: 502, retryable: true},
			// No card has left the page: ky retried twice (after 300 and 600 ms), then gave up.
			reset: {kind: 'network', retryable: true, requests: 3},
		},
	},
	{
		stage: 'request' as const,
		method: 'POST',
		call: async (url: string, extra: {timeout?: number | false; signal?: AbortSignal} = {}) =>
			makeCorsRequest({url, allowedHosts: [new URL(url).origin], signature: 'c2ln', token: 'T'.repeat(32), json: {creditCardNumber: '4111111111111111'}, timeout: 10_000, ...extra}),
		expected: {
			// The POST may have been processed: unknown outcome, never blindly re-sent.
			html500: {kind: 'http', status: 500, retryable: false},
			badGateway: {kind: 'http', status: 502, retryable: false},
			reset: {kind: 'network', retryable: false},
		},
	},
];

const common: Record<string, Outcome> = {
	html200: {kind: 'invalid-response', status: 200, retryable: false},
	empty200: {kind: 'invalid-response', status: 200, retryable: false},
	array200: {kind: 'invalid-response', status: 200, retryable: false},
	truncated200: {kind: 'invalid-response', status: 200, retryable: false},
	envelope200: {kind: 'zuora', status: 200, code: 53_100_020, retryable: false},
	codeless: {kind: 'zuora', status: 200, retryable: false},
	notCorsEnabled: {kind: 'setup', status: 404, code: 90_000_010, retryable: false},
	setupError: {kind: 'setup', status: 500, code: 'SETUP_ERROR', retryable: false},
	rateLimited: {kind: 'http', status: 429, retryable: true, retryAfter: 2000},
	unavailable: {kind: 'http', status: 503, retryable: true},
};

let server: Awaited<ReturnType<typeof startAnswerServer>>;
beforeAll(async () => {
	server = await startAnswerServer();
});
afterAll(async () => server.close());
afterEach(() => {
	vi.useRealTimers();
});

async function rejection(promise: Promise<unknown>): Promise<ZuoraCorsError> {
	const error: unknown = await promise.then(
		() => undefined,
		(error_: unknown) => error_,
	);
	expect(error).toBeInstanceOf(ZuoraCorsError);
	return error as ZuoraCorsError;
}

/** Turns the event loop (I/O included, no timer) until `condition` holds: the test's timeout bounds it. */
async function until(condition: () => boolean) {
	while (!condition()) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => {
			setImmediate(resolve);
		});
	}
}

/** Fake `setTimeout` (ky's retry waits and our deadline); sockets stay real. */
function fakeTimers() {
	vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
}

describe.each(stages)('stage $stage', ({stage, method, call, expected}) => {
	const table = {...common, ...expected} as Record<string, Outcome>;
	it.each(Object.keys(scenarios))(
		'%s',
		async name => {
			const url = server.at(`/${name}`, scenarios[name]!);
			const error = await rejection(call(url));
			const outcome = table[name]!;
			expect({kind: error.kind, stage: error.stage, status: error.status, code: error.code, retryable: error.retryable, retryAfter: error.retryAfter, requests: server.receivedAt(url).length}).toEqual(
				{
					kind: outcome.kind,
					stage,
					status: outcome.status,
					code: outcome.code,
					retryable: outcome.retryable,
					retryAfter: outcome.retryAfter,
					requests: outcome.requests ?? 1,
				},
			);
			expect(error.name).toBe('ZuoraCorsError');
			expect(error.message).toContain(`${method} ${url}`);
			expect(`${error.message} ${String(error)} ${JSON.stringify(error)} ${error.stack ?? ''}`).not.toContain('4111111111111111');
		},
		20_000,
	);

	it("keeps Zuora's reasons and processId", async () => {
		const url = server.at('/envelope200', scenarios['envelope200']!);
		const error = await rejection(call(url));
		expect(error.reasons).toEqual([{code: 53_100_020, message: 'creditCardNumber: invalid value'}]);
		expect(error.processId).toBe('ABCDEF0123456789');
		expect(error.message).toBe(`POST ${url} answered HTTP 200: success_false (53100020 creditCardNumber: invalid value)`);
	});

	it("leaves `code` undefined when Zuora's reason has none", async () => {
		const error = await rejection(call(server.at('/codeless', scenarios['codeless']!)));
		expect([error.kind, error.code, error.reasons]).toEqual(['zuora', undefined, [{message: 'Something failed'}]]);
		expect(error.message).toMatch(/answered HTTP 200: success_false \(Something failed\)$/);
	});

	it('times out when no answer comes by the deadline', async () => {
		fakeTimers();
		const url = server.at('/hang', () => undefined);
		let done = false;
		const settled = rejection(call(url, {timeout: 5000})).finally(() => {
			done = true;
		});
		await until(() => server.receivedAt(url).length === 1);
		await vi.advanceTimersByTimeAsync(4999);
		expect(done).toBe(false);
		await vi.advanceTimersByTimeAsync(1);
		const error = await settled;
		expect([error.kind, error.stage, error.status, error.retryable, error.message, server.receivedAt(url).length]).toEqual([
			'timeout',
			stage,
			undefined,
			stage === 'signature',
			`POST ${url}: timeout (5000 ms)`,
			1,
		]);
	}, 20_000);

	it("is aborted by the caller's signal mid-flight", async () => {
		const controller = new AbortController();
		// The server aborts the call once it has the request, and never answers.
		const url = server.at('/hang', () => {
			controller.abort();
		});
		const error = await rejection(call(url, {signal: controller.signal, timeout: false}));
		expect([error.kind, error.stage, error.retryable, server.receivedAt(url).length]).toEqual(['aborted', stage, false, 1]);
	}, 20_000);

	it('sends nothing when the signal is already aborted', async () => {
		const url = server.at('/hang', () => undefined);
		const error = await rejection(call(url, {signal: AbortSignal.abort()}));
		expect([error.kind, server.receivedAt(url).length]).toEqual(['aborted', 0]);
	});

	it('says nothing was answered when the server is down', async () => {
		const down = await startServer(() => undefined);
		await down.close();
		// No time for a retry: the first wait (300 ms) would end after the deadline.
		const error = await rejection(call(`${down.url}/x`, {timeout: 250}));
		expect([error.kind, error.stage, error.status]).toEqual(['network', stage, undefined]);
		expect(error.message).toBe(`POST ${down.url}/x: ${stage === 'request' ? `no_answer_outcome_unknown (CORS: this page for ${new URL(down.url).origin}?)` : 'backend_unreachable'}`);
	}, 20_000);

	it('rejects bad options before sending', async () => {
		const url = server.at('/html200', scenarios['html200']!);
		const error = await rejection(call(url, {timeout: -1}));
		expect([error.kind, error.stage, error.fields]).toEqual(['validation', stage, {timeout: {code: 'option_invalid', message: 'not_milliseconds'}}]);
		expect(server.receivedAt(url)).toEqual([]);
	});
});

// --- Retries: ky's, at the signature stage only -------------------------------------------------

const busy = (retryAfter?: string, status = 503): CannedAnswer => ({status, body: 'busy', headers: retryAfter === undefined ? {} : {'retry-after': retryAfter}});
const pair: CannedAnswer = {status: 200, body: PAIR};
const signature = async (url: string, timeout: number | false = 10_000, signal?: AbortSignal) => fetchSignature(url, {method: 'POST', json: {cart: 'c1'}, timeout, signal});

describe("signature stage retries (ky's retry)", () => {
	it('waits what Retry-After says on a 503, then sends the same request again', async () => {
		fakeTimers();
		const url = server.at('', busy('2'), pair);
		const result = signature(url, false);
		await until(() => server.receivedAt(url).length === 1 && vi.getTimerCount() === 1);
		await vi.advanceTimersByTimeAsync(1999);
		expect(server.receivedAt(url)).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1);
		expect(await result).toEqual(PAIR);
		const [first, second] = server.receivedAt(url);
		expect([second!.method, second!.url, second!.body, second!.headers['content-type']]).toEqual([first!.method, first!.url, '{"cart":"c1"}', 'application/json']);
	}, 20_000);

	// The waits (300, then 600 ms: `noAnswerBackoff`) are real here, and asserted in classify.test.ts:
	// a reset socket leaves timers of Node's own behind, so a fake clock could not tell ky's apart.
	it('retries a request that got no answer, twice, then takes the answer', async () => {
		const url = server.at('', scenarios['reset']!, scenarios['reset']!, pair);
		expect(await signature(url)).toEqual(PAIR);
		expect(server.receivedAt(url)).toHaveLength(3);
	}, 20_000);

	it('gives up after 2 retries with the last answer', async () => {
		const url = server.at('', busy('0', 502));
		const error = await rejection(signature(url));
		expect([error.kind, error.status, error.retryable, error.retryAfter, server.receivedAt(url).length]).toEqual(['http', 502, true, 0, 3]);
	}, 20_000);

	it.each([
		['a 503 without Retry-After', busy(), 503, undefined],
		['a 503 asking for more than 5 s', busy('6'), 503, 6000],
		['a 500', busy('0', 500), 500, 0],
		['a 429', busy('0', 429), 429, 0],
	])(
		'does not retry %s: the caller gets it',
		async (_what, answer, status, retryAfter) => {
			const url = server.at('', answer, pair);
			const error = await rejection(signature(url));
			expect([error.kind, error.status, error.retryAfter, server.receivedAt(url).length]).toEqual(['http', status, retryAfter, 1]);
		},
		20_000,
	);

	it('does not retry a checkout that is not set up', async () => {
		const url = server.at('', scenarios['setupError']!, pair);
		const error = await rejection(signature(url));
		expect([error.kind, error.status, error.retryable, server.receivedAt(url).length]).toEqual(['setup', 500, false, 1]);
	});

	it('stops waiting when the caller aborts, and sends nothing more', async () => {
		fakeTimers();
		const controller = new AbortController();
		const url = server.at('', busy('4'), pair);
		const result = rejection(signature(url, false, controller.signal));
		await until(() => server.receivedAt(url).length === 1 && vi.getTimerCount() === 1);
		controller.abort();
		const error = await result;
		expect([error.kind, error.stage, server.receivedAt(url).length]).toEqual(['aborted', 'signature', 1]);
		await vi.advanceTimersByTimeAsync(10_000);
		expect(server.receivedAt(url)).toHaveLength(1);
	}, 20_000);

	it('does not wait past its own deadline: the 503 goes to the caller', async () => {
		const url = server.at('', busy('3'), pair);
		const error = await rejection(signature(url, 2000));
		expect([error.kind, error.status, error.retryAfter, server.receivedAt(url).length]).toEqual(['http', 503, 3000, 1]);
	}, 20_000);
});

describe('request stage: never retried', () => {
	it.each([
		['a 503 with Retry-After: 0 (not processed: retryable, by the caller)', busy('0'), true],
		['a 502 with Retry-After: 0', busy('0', 502), false],
		['a reset connection', scenarios['reset']!, false],
	])(
		'%s is sent once',
		async (_what, answer, retryable) => {
			const url = server.at('/v1/payment-methods/credit-cards', answer, {status: 200, body: {success: true, paymentMethodId: 'p'}});
			const error = await rejection(makeCorsRequest({url, allowedHosts: [server.url], signature: 's', token: 't', json: {creditCardNumber: '4111111111111111'}, timeout: 10_000}));
			expect([error.stage, error.retryable, server.receivedAt(url).length]).toEqual(['request', retryable, 1]);
		},
		20_000,
	);
});
