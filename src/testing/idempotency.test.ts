// The Idempotency-Key model, in process (no socket): the decision `storedAnswer`, and
// `createViaCors` over generated sequences of attempts under one key.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {createViaCors, storedAnswer} from './idempotency.js';
import {issueOAuthToken} from './oauth.js';
import {createPaymentMethod} from './payment-methods.js';
import {issueHmacSignature} from './signatures.js';
import {makeContext, makeRequest, PUBLIC_URL} from './stub-context.test-util.js';
import type {StubContext} from './stub-state.js';
import {TEST_CARDS} from './test-cards.js';

const PATH = '/v1/payment-methods/credit-cards';
const BODY = JSON.stringify({...TEST_CARDS.visa, accountKey: 'A00000001'});

function sign(context: StubContext): {signature: string; token: string} {
	const form = new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials'});
	const bearer = (issueOAuthToken(context, makeRequest('POST', '/oauth/token', {text: String(form)})).body as {access_token: string}).access_token;
	const text = JSON.stringify({uri: `${PUBLIC_URL}${PATH}`, method: 'POST', accountKey: 'A00000001'});
	return issueHmacSignature(context, makeRequest('POST', '/v1/hmac-signatures', {headers: {authorization: `Bearer ${bearer}`}, text})).body as {signature: string; token: string};
}

function post(context: StubContext, pair: {signature: string; token: string}, key: string, text = BODY) {
	return createViaCors(context, makeRequest('POST', PATH, {headers: {...pair, 'idempotency-key': key}, text}), createPaymentMethod);
}

describe('storedAnswer', () => {
	const request = {path: PATH, method: 'POST', bodyHash: 'h'};
	const stored = {status: 200, body: {success: true, paymentMethodId: 'p'}, headers: {'Content-Type': 'application/json; charset=utf-8'}};

	it('replays the stored answer with 409, status aside unchanged', () => {
		expect(storedAnswer({...request, reply: stored, storedAt: 0}, request, 'k')).toEqual({...stored, status: 409});
	});

	it('answers 409 "being processed" while the first request runs, 422 for another request, nothing when none is stored', () => {
		expect(storedAnswer({...request, reply: undefined, storedAt: 0}, request, 'k')).toMatchObject({status: 409, body: {reasons: [{code: 50_000_050}]}});
		for (const other of [
			{...request, bodyHash: 'x'},
			{...request, path: '/v1/accounts'},
			{...request, method: 'PUT'},
		]) {
			expect(storedAnswer({...other, reply: stored, storedAt: 0}, request, 'k')).toMatchObject({
				status: 422,
				body: {reasons: [{code: 50_000_020, message: "Idempotency-Key 'k' was used with another request."}]},
			});
		}

		expect(storedAnswer(undefined, request, 'k')).toBeUndefined();
	});
});

describe('createViaCors under one key', () => {
	type Attempt = 'fresh' | 'expired' | 'reuseLast' | 'noPair';

	it('never saves two methods; a fresh pair before any processed answer is processed; after the first processed answer every attempt with a valid pair gets it back (409)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.constantFrom<Attempt>('fresh', 'expired', 'reuseLast', 'noPair'), {minLength: 1, maxLength: 8}), async attempts => {
				const context = makeContext();
				let last = sign(context);
				let first: unknown;
				for (const attempt of attempts) {
					if (attempt === 'fresh' || attempt === 'expired') {
						last = sign(context);
					}

					const issued = context.state.tokens.get(last.token);
					if (attempt === 'expired' && issued) {
						issued.expired = true;
					}

					const pair = attempt === 'noPair' ? {signature: '', token: ''} : last;
					const processedBefore = first !== undefined;
					const reply = await post(context, pair, 'checkout-1');
					if (!processedBefore && attempt === 'fresh') {
						// Nothing processed yet (refusals store nothing): a re-signed attempt is processed.
						expect(reply).toMatchObject({status: 200, body: {success: true}});
					}

					if (first === undefined && (reply.body as {success?: boolean}).success === true) {
						first = reply.body;
					} else if (first !== undefined && attempt !== 'noPair') {
						// A matching pair (spent or not, expired or not) meets the stored answer.
						expect(reply).toMatchObject({status: 409, body: first});
					}
				}

				expect(context.state.paymentMethods.length).toBe(first === undefined ? 0 : 1);
			}),
			{numRuns: 200, seed: 20_261_204},
		);
	});
});

describe('the two models of a key reused with another body', () => {
	const mastercard = JSON.stringify({...TEST_CARDS.mastercard, accountKey: 'A00000001'});

	it("storedAnswer: 'stub' refuses another body (422); 'zuora' replays the stored answer whatever the body (409), and still refuses another path or method", () => {
		const request = {path: PATH, method: 'POST', bodyHash: 'h'};
		const stored = {status: 200, body: {success: true, paymentMethodId: 'p'}, headers: {}};
		const entry = {...request, bodyHash: 'other', reply: stored, storedAt: 0};
		expect(storedAnswer(entry, request, 'k', 'stub')?.status).toBe(422);
		expect(storedAnswer(entry, request, 'k', 'zuora')).toEqual({...stored, status: 409});
		expect(storedAnswer({...entry, path: '/v1/accounts'}, request, 'k', 'zuora')?.status).toBe(422);
		expect(storedAnswer({...entry, method: 'PUT'}, request, 'k', 'zuora')?.status).toBe(422);
	});

	it.each([
		['stub', 422, 1],
		['zuora', 409, 1],
	] as const)("a second card under the first card's key (%s model): answered %i, never processed (one method, the first card's)", async (model, status, methods) => {
		const context = makeContext({idempotencyModel: model});
		const first = await post(context, sign(context), 'k');
		const second = await post(context, sign(context), 'k', mastercard);
		expect(second.status).toBe(status);
		if (model === 'zuora') {
			// The first card's answer: a page that took it as the Mastercard's would be wrong.
			expect(second.body).toEqual(first.body);
		}

		expect(context.state.paymentMethods.map(record => record.method.creditCardType)).toEqual(['Visa']);
		expect(context.state.paymentMethods).toHaveLength(methods);
	});

	it('refuses another model name', () => {
		expect(() => makeContext({idempotencyModel: 'stripe' as never})).toThrow("\"idempotencyModel\" must be 'stub' or 'zuora'");
	});
});

describe('a held create', () => {
	it("released with 'gatewayTimeout': Zuora gave up, nothing created, the failure stored under the key", async () => {
		const context = makeContext();
		const pair = sign(context);
		context.hold.promise = new Promise(resolve => {
			context.hold.release = resolve;
		});
		const posting = post(context, pair, 'k');
		await Promise.resolve();
		context.hold.release?.('gatewayTimeout');
		const reply = await posting;
		expect(reply).toMatchObject({status: 200, body: {success: false, reasons: [{code: 53_100_099, message: 'Transaction failed: the payment gateway did not answer in time.'}]}});
		expect(context.state.paymentMethods).toEqual([]);
		expect((await post(context, pair, 'k')).status).toBe(409);
	});
});
