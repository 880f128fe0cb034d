import type {ServerResponse} from 'node:http';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeCorsRequest} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';
import {fetchSignature} from './signature.js';

// Every response a server can give, and what each stage must turn it into. The same table runs
// against both stages: one conversion function serves them, so they must agree.
type Scenario = (response: ServerResponse) => void;
const scenarios: Record<string, Scenario> = {
	html500: response => reply(response, 500, '<html><body>500 Internal Server Error</body></html>'),
	html200: response => reply(response, 200, '<html><body>maintenance</body></html>'),
	empty200: response => reply(response, 200, ''),
	array200: response => reply(response, 200, [1, 2]),
	truncated200: response => reply(response, 200, '{"success": tr'),
	envelope200: response => reply(response, 200, {success: false, processId: 'ABCDEF0123456789', reasons: [{code: 53100020, message: 'creditCardNumber: invalid value'}]}),
	envelope404: response => reply(response, 404, {success: false, reasons: [{code: 90000010, message: 'This API is not CORS enabled.'}]}),
	rateLimited: response => reply(response, 429, {message: 'Too many requests'}, {'retry-after': '2'}),
	unavailable: response => reply(response, 503, 'busy'),
	badGateway: response => reply(response, 502, 'bad gateway'),
	codeless: response => reply(response, 200, {success: false, reasons: [{message: 'Something failed'}]}),
	reset(response) {
		response.socket?.destroy();
	},
	hang() {
		// Never answers; the client's timeout or signal ends it.
	},
};

type Outcome = {kind: string; status?: number; code?: number; retryable: boolean; retryAfter?: number};

const stages = [
	{
		stage: 'signature' as const,
		call: async (url: string, extra: {timeout?: number; signal?: AbortSignal} = {}) => fetchSignature(url, extra),
		expected: {
			html500: {kind: 'http', status: 500, retryable: true},
			badGateway: {kind: 'http', status: 502, retryable: true},
			reset: {kind: 'network', retryable: true},
			hang: {kind: 'timeout', retryable: true},
		},
	},
	{
		stage: 'request' as const,
		call: async (url: string, extra: {timeout?: number; signal?: AbortSignal} = {}) => makeCorsRequest({url, allowedHosts: [new URL(url).origin], signature: 'c2ln', token: 'T'.repeat(32), json: {creditCardNumber: '4111111111111111'}, ...extra}),
		expected: {
			// The POST may have been processed: unknown outcome, never blindly re-sent.
			html500: {kind: 'http', status: 500, retryable: false},
			badGateway: {kind: 'http', status: 502, retryable: false},
			reset: {kind: 'network', retryable: false},
			hang: {kind: 'timeout', retryable: false},
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
	envelope404: {kind: 'zuora', status: 404, code: 90_000_010, retryable: false},
	rateLimited: {kind: 'http', status: 429, retryable: true, retryAfter: 2000},
	unavailable: {kind: 'http', status: 503, retryable: true},
};

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
	server = await startServer((request, response) => {
		scenarios[request.url.slice(1)]!(response);
	});
});
afterAll(async () => server.close());

async function rejection(promise: Promise<unknown>): Promise<ZuoraCorsError> {
	const error: unknown = await promise.then(() => undefined, (error_: unknown) => error_);
	expect(error).toBeInstanceOf(ZuoraCorsError);
	return error as ZuoraCorsError;
}

describe.each(stages)('stage $stage', ({stage, call, expected}) => {
	const table = {...common, ...expected} as Record<string, Outcome>;
	it.each(Object.keys(scenarios))('%s', async name => {
		const before = server.received.length;
		const error = await rejection(call(`${server.url}/${name}`, {timeout: 300}));
		const outcome = table[name]!;
		expect({kind: error.kind, stage: error.stage, status: error.status, code: error.code, retryable: error.retryable, retryAfter: error.retryAfter}).toEqual({
			kind: outcome.kind,
			stage,
			status: outcome.status,
			code: outcome.code,
			retryable: outcome.retryable,
			retryAfter: outcome.retryAfter,
		});
		expect(error.name).toBe('ZuoraCorsError');
		expect(error.message).toContain(`${server.url}/${name}`);
		// Exactly one request: nothing is retried behind the caller's back.
		expect(server.received.length - before).toBe(1);
		expect(`${error.message} ${String(error)} ${JSON.stringify(error)} ${error.stack ?? ''}`).not.toContain('4111111111111111');
	});

	it('keeps Zuora\'s reasons and processId', async () => {
		const error = await rejection(call(`${server.url}/envelope200`));
		expect(error.reasons).toEqual([{code: 53_100_020, message: 'creditCardNumber: invalid value'}]);
		expect(error.processId).toBe('ABCDEF0123456789');
		expect(error.message).toBe(`${stage === 'signature' ? 'GET' : 'POST'} ${server.url}/envelope200 answered success: false (53100020 creditCardNumber: invalid value)`);
	});

	it('leaves `code` undefined when Zuora\'s reason has none', async () => {
		const error = await rejection(call(`${server.url}/codeless`));
		expect([error.kind, error.code, error.reasons]).toEqual(['zuora', undefined, [{message: 'Something failed'}]]);
		expect(error.message).toMatch(/answered success: false \(Something failed\)$/);
	});

	it('is aborted by the caller\'s signal mid-flight', async () => {
		const controller = new AbortController();
		setTimeout(() => {
			controller.abort();
		}, 50);
		const error = await rejection(call(`${server.url}/hang`, {signal: controller.signal, timeout: 5000}));
		expect([error.kind, error.stage, error.retryable]).toEqual(['aborted', stage, false]);
	});

	it('sends nothing when the signal is already aborted', async () => {
		const before = server.received.length;
		const error = await rejection(call(`${server.url}/hang`, {signal: AbortSignal.abort()}));
		expect(error.kind).toBe('aborted');
		expect(server.received.length).toBe(before);
	});

	it('says nothing was answered when the server is down', async () => {
		const down = await startServer(() => undefined);
		await down.close();
		const error = await rejection(call(`${down.url}/x`));
		expect([error.kind, error.stage, error.status]).toEqual(['network', stage, undefined]);
		expect(error.message).toContain('failed with no response');
		if (stage === 'request') {
			expect(error.message).toContain('CORS refusal');
		}
	});

	it('rejects bad options before sending', async () => {
		const before = server.received.length;
		const error = await rejection(call(`${server.url}/html200`, {timeout: -1}));
		expect([error.kind, error.stage, error.fields]).toEqual(['validation', stage, {timeout: {code: 'option_invalid', message: 'expected a number of milliseconds between 1 and 2147483647, or false'}}]);
		expect(server.received.length).toBe(before);
	});
});
