// What an answer means, in-process: no socket, no clock (`now` is given).
import fc from 'fast-check';
import {afterEach, describe, expect, it} from 'vitest';
import {
	type AnswerContext,
	classifyAnswer,
	isSetupCode,
	MAX_REASONS,
	MAX_RETRY_AFTER,
	MAX_RETRY_WAIT,
	noAnswerError,
	readRetryAfter,
	type SeenAnswer,
	signatureRetryWait,
	stripHtml,
} from './classify.js';
import {ZuoraCorsError} from './errors.js';

const SEED = 20_261_204;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const SIGNATURE: AnswerContext = {stage: 'signature', method: 'POST', url: 'https://shop.example/signature', now: NOW};
const REQUEST: AnswerContext = {stage: 'request', method: 'POST', url: 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards', secrets: ['4111111111111111', '737'], now: NOW};

const seen = (status: number, body: unknown, headers: Record<string, string> = {}): SeenAnswer => ({
	status,
	headers: new Headers(headers),
	text: typeof body === 'string' ? body : JSON.stringify(body),
});
/** The error's fields that the README's table promises, or the result. */
function outcome(answer: SeenAnswer, context: AnswerContext) {
	const result = classifyAnswer(answer, context);
	return result instanceof ZuoraCorsError
		? {kind: result.kind, stage: result.stage, status: result.status, code: result.code, retryable: result.retryable, retryAfter: result.retryAfter, message: result.message}
		: result;
}

describe('classifyAnswer', () => {
	it.each([
		['a success', seen(200, {success: true, paymentMethodId: 'p1'}), {status: 200, body: {success: true, paymentMethodId: 'p1'}}],
		['a body without success', seen(201, {signature: 's', token: 't'}), {status: 201, body: {signature: 's', token: 't'}}],
	])('%s is a result', (_what, answer, expected) => {
		expect(classifyAnswer(answer, SIGNATURE)).toEqual(expected);
	});

	it.each([
		[
			seen(200, '<html>maintenance</html>'),
			{
				kind: 'invalid-response',
				status: 200,
				code: undefined,
				retryable: false,
				retryAfter: undefined,
				message: 'POST https://shop.example/signature answered HTTP 200: not_json_object',
			},
		],
		[seen(500, 'oops'), {kind: 'http', status: 500, code: undefined, retryable: true, retryAfter: undefined, message: 'POST https://shop.example/signature answered HTTP 500: http_error'}],
		[
			seen(503, {success: false, reasons: [{code: 53_100_020, message: 'busy'}]}, {'retry-after': '7'}),
			{kind: 'http', status: 503, code: 53_100_020, retryable: true, retryAfter: 7000, message: 'POST https://shop.example/signature answered HTTP 503: http_error (53100020 busy)'},
		],
		[
			seen(200, {success: false, reasons: [{code: 53_100_020, message: '<b>Declined</b>'}]}),
			{kind: 'zuora', status: 200, code: 53_100_020, retryable: false, retryAfter: undefined, message: 'POST https://shop.example/signature answered HTTP 200: success_false (53100020 Declined)'},
		],
		[
			seen(302, ''),
			{
				kind: 'invalid-response',
				status: 302,
				code: undefined,
				retryable: false,
				retryAfter: undefined,
				message: 'POST https://shop.example/signature answered HTTP 302: redirect_refused',
			},
		],
		[
			{status: 0, type: 'opaqueredirect', headers: new Headers(), text: ''},
			{
				kind: 'invalid-response',
				status: undefined,
				code: undefined,
				retryable: false,
				retryAfter: undefined,
				message: 'POST https://shop.example/signature answered: redirect_refused',
			},
		],
	])('signature stage, case %#', (answer, expected) => {
		expect(outcome(answer, SIGNATURE)).toEqual({stage: 'signature', ...expected});
	});

	it('replays a 409 success only when an Idempotency-Key was sent', () => {
		const answer = seen(409, {success: true, paymentMethodId: 'stored'});
		expect(classifyAnswer(answer, {...REQUEST, idempotent: true})).toEqual({status: 409, body: {success: true, paymentMethodId: 'stored'}, replayed: true});
		expect(outcome(answer, REQUEST)).toMatchObject({kind: 'http', status: 409, retryable: false, message: `POST ${REQUEST.url} answered HTTP 409: conflict`});
	});

	it('gives a successful file answer as its blob', () => {
		const blob = new Blob(['%PDF']);
		expect(classifyAnswer({status: 200, headers: new Headers(), text: '', blob}, REQUEST)).toEqual({status: 200, body: {}, blob});
	});

	describe('setup (contract 3)', () => {
		const setupError = {success: false, reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]};
		it.each([
			[SIGNATURE, seen(500, setupError), 500, 'SETUP_ERROR', 'POST https://shop.example/signature answered HTTP 500: setup_error (SETUP_ERROR The checkout is not set up correctly.)'],
			[
				SIGNATURE,
				seen(503, setupError, {'retry-after': '1'}),
				503,
				'SETUP_ERROR',
				'POST https://shop.example/signature answered HTTP 503: setup_error (SETUP_ERROR The checkout is not set up correctly.)',
			],
			[
				REQUEST,
				seen(200, {success: false, reasons: [{code: 90_000_012, message: 'Invalid signature.'}]}),
				200,
				90_000_012,
				`POST ${REQUEST.url} answered HTTP 200: setup_error (90000012 Invalid signature.)`,
			],
			[
				REQUEST,
				seen(401, {success: false, reasons: [{code: '90000010', message: 'This API is not CORS enabled.'}]}),
				401,
				'90000010',
				`POST ${REQUEST.url} answered HTTP 401: setup_error (90000010 This API is not CORS enabled.)`,
			],
			[
				REQUEST,
				seen(400, {
					success: false,
					reasons: [
						{code: 53_100_020, message: 'a'},
						{code: 90_000_010, message: 'b'},
					],
				}),
				400,
				53_100_020,
				`POST ${REQUEST.url} answered HTTP 400: setup_error (53100020 a)`,
			],
		])('%# is kind setup, not retryable, whatever the status', (context, answer, status, code, message) => {
			expect(outcome(answer, context)).toEqual({kind: 'setup', stage: context.stage, status, code, retryable: false, retryAfter: answer.headers.get('retry-after') ? 1000 : undefined, message});
		});

		it('knows exactly these codes', () => {
			expect([
				isSetupCode('SETUP_ERROR'),
				isSetupCode(90_000_012),
				isSetupCode('90000010'),
				isSetupCode(90_000_011),
				isSetupCode('setup_error'),
				isSetupCode(''),
				isSetupCode(null),
				isSetupCode({}),
			]).toEqual([true, true, true, false, false, false, false, false]);
		});
	});

	describe('a polluted Object.prototype', () => {
		afterEach(() => {
			for (const name of ['success', 'reasons', 'processId', 'code', 'message']) {
				delete (Object.prototype as Record<string, unknown>)[name];
			}
		});

		it('fills in nothing the server left out', () => {
			Object.assign(Object.prototype, {success: false, reasons: [{code: 'SETUP_ERROR', message: 'attacker text'}], processId: 'P', code: 'SETUP_ERROR', message: 'attacker text'});
			expect(classifyAnswer(seen(200, {paymentMethodId: 'p'}), REQUEST)).toEqual({status: 200, body: {paymentMethodId: 'p'}});
			const error = classifyAnswer(seen(500, {reasons: [{}]}), REQUEST) as ZuoraCorsError;
			expect([error.kind, error.reasons, error.processId]).toEqual(['http', [{message: ''}], undefined]);
		});
	});

	describe('bounded input', () => {
		it('cuts each server string to 1,000 characters and keeps 20 reasons', () => {
			const error = classifyAnswer(
				seen(400, {success: false, processId: 'P'.repeat(5000), reasons: Array.from({length: 100}, (_, index) => ({code: `C${index}${'x'.repeat(3000)}`, message: 'm'.repeat(5000)}))}),
				REQUEST,
			) as ZuoraCorsError;
			expect(error.reasons).toHaveLength(MAX_REASONS);
			expect(error.reasons[19]).toEqual({code: `C19${'x'.repeat(997)}…`, message: `${'m'.repeat(1000)}…`});
			expect(error.processId).toBe(`${'P'.repeat(1000)}…`);
		});
	});
});

describe('stripHtml', () => {
	it('keeps no tag and decodes entities', () => {
		expect(stripHtml('<b>Transaction declined.</b> 402 - [card_error]&amp;<br/>Your card &lt;i&gt;was&lt;/i&gt; declined.')).toBe('Transaction declined. 402 - [card_error]& Your card was declined.');
		expect(stripHtml('a <!-- c --> b <!-- open <i>x</i> 1 < 2 > 0')).toBe('a b <!-- open x 1 < 2 > 0');
		expect(stripHtml('<<b>i> <b<b>>')).toBe('< i> >');
	});

	it('leaves nothing shaped like a tag, whatever the pieces (generated)', () => {
		fc.assert(
			fc.property(
				fc.array(fc.oneof(fc.string(), fc.constantFrom('<b>', '</p>', '<a href="x">', '&lt;script&gt;', '<<b>i>', '<!-- c -->', '<!--', '-->', '&#60;b&#62;', '<', '>', '<a')), {maxLength: 12}),
				parts => {
					expect(stripHtml(parts.join(''))).not.toMatch(/<\/?[a-z][^>]*>/i);
				},
			),
			{numRuns: 500, seed: SEED},
		);
	});

	// Issue 15.8: hostile sizes. What comes back, not how long it took: the input is cut first, and
	// the pass over what is left is linear (each `<` looks ahead once, then the scan jumps past).
	it.each([
		['80,000 characters of <a', '<a'.repeat(40_000), `${'<a'.repeat(500)}…`],
		['<a repeated, then one >', `${'<a'.repeat(40_000)}>`, `${'<a'.repeat(500)}…`],
		['a tag of 998 characters, closed, within the 1,000 kept', `<a${'b'.repeat(995)}>x`, 'x'],
		['80,000 characters of <!--', '<!--'.repeat(20_000), `${'<!--'.repeat(250)}…`],
		['80,000 characters of &lt;a', '&lt;a'.repeat(16_000), `${'<a'.repeat(200)}…`],
	])('%s', (_what, input, expected) => {
		expect(stripHtml(input)).toBe(expected);
	});
});

describe('readRetryAfter', () => {
	const read = (headers: Record<string, string>) => readRetryAfter(new Headers(headers), NOW);
	it.each([
		[{'retry-after': '3'}, 3000],
		[{'retry-after': '3', 'ratelimit-reset': '40'}, 3000],
		[{'ratelimit-reset': '40'}, 40_000],
		[{'retry-after': 'soon', 'ratelimit-reset': '7'}, 7000],
		[{'retry-after': new Date(NOW + 90_000).toUTCString()}, 90_000],
		[{'retry-after': new Date(NOW - 90_000).toUTCString()}, 0],
		[{'retry-after': '3600'}, 3_600_000],
		[{'retry-after': '3601'}, MAX_RETRY_AFTER],
		// Nine card digits: what reaches the error is the cap, none of them.
		[{'retry-after': '411111111'}, 3_600_000],
		[{'retry-after': '9'.repeat(400)}, 3_600_000],
		[{'retry-after': 'Fri, 31 Dec 2100 23:59:59 GMT'}, 3_600_000],
		// Date.parse reads these as dates (the year -1, January 5th 2001): long past, so no wait.
		[{'retry-after': '-1'}, 0],
		[{'retry-after': '1.5'}, 0],
		[{'retry-after': 'soon'}, undefined],
		[{}, undefined],
	])('%j gives %s', (headers, expected) => {
		expect(read(headers)).toBe(expected);
	});

	it('is undefined or 0 to 1 hour, whatever the headers hold (generated)', () => {
		fc.assert(
			fc.property(fc.option(fc.oneof(fc.string(), fc.stringMatching(/^\d{1,25}$/))), fc.option(fc.stringMatching(/^\d{1,25}$/)), (retryAfter, reset) => {
				const headers: Record<string, string> = {};
				if (retryAfter !== null && /^[\t\x20-\x7E]*$/.test(retryAfter)) {
					headers['retry-after'] = retryAfter;
				}

				if (reset !== null) {
					headers['ratelimit-reset'] = reset;
				}

				const value = read(headers);
				expect(value === undefined || (Number.isInteger(value) && value >= 0 && value <= MAX_RETRY_AFTER), String(value)).toBe(true);
			}),
			{numRuns: 500, seed: SEED},
		);
	});
});

describe('signatureRetryWait', () => {
	const deadline = NOW + 10_000;
	const answer = (status: number, retryAfter?: string) => ({status, headers: new Headers(retryAfter === undefined ? {} : {'retry-after': retryAfter})});
	it.each([
		['no answer, first retry', undefined, 1, deadline, 300],
		['no answer, second retry', undefined, 2, deadline, 600],
		['no answer, third retry: over the budget', undefined, 3, deadline, undefined],
		['no answer, the wait would end after the deadline', undefined, 1, NOW + 300, undefined],
		['503 with Retry-After: 2', answer(503, '2'), 1, deadline, 2000],
		['502 with Retry-After: 0', answer(502, '0'), 2, deadline, 0],
		['503 with an HTTP date 4 s ahead', answer(503, new Date(NOW + 4000).toUTCString()), 1, deadline, 4000],
		['503 with Retry-After: 5 (the longest waited)', answer(503, '5'), 1, deadline, MAX_RETRY_WAIT],
		['503 with Retry-After: 6', answer(503, '6'), 1, deadline, undefined],
		['503 with Retry-After: 4 and the deadline in 4 s', answer(503, '4'), 1, NOW + 4000, undefined],
		['503 without Retry-After', answer(503), 1, deadline, undefined],
		['503 with Retry-After: 1.5', answer(503, '1.5'), 1, deadline, undefined],
		['500 with Retry-After: 1', answer(500, '1'), 1, deadline, undefined],
		['429 with Retry-After: 1', answer(429, '1'), 1, deadline, undefined],
		['200', answer(200), 1, deadline, undefined],
	])('%s: %s', (_what, given, attempt, until, expected) => {
		expect(signatureRetryWait(given, attempt, NOW, until)).toBe(expected);
	});
});

describe('noAnswerError', () => {
	const context = {...REQUEST, timeout: 30_000 as const, pageOrigin: 'https://shop.example'};
	it.each([
		['aborted', {}, 'aborted', `POST ${REQUEST.url}: aborted`, false],
		['timeout', {status: 200}, 'timeout', `POST ${REQUEST.url}: timeout (30000 ms, HTTP 200)`, false],
		['network', {}, 'network', `POST ${REQUEST.url}: no_answer_outcome_unknown (CORS: https://shop.example for https://rest.apisandbox.zuora.com?)`, false],
	] as const)('%s', (why, details, kind, message, retryable) => {
		const error = noAnswerError(context, why, details);
		expect([error.kind, error.stage, error.message, error.retryable]).toEqual([kind, 'request', message, retryable]);
	});

	it('a signature request that got no answer is retryable', () => {
		const error = noAnswerError({...SIGNATURE, timeout: 10_000}, 'network');
		expect([error.kind, error.message, error.retryable]).toEqual(['network', 'POST https://shop.example/signature: backend_unreachable', true]);
	});
});
