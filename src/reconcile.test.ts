// Issue 18 item 2 (browser side) and the BRIEF's contracts 4 and 5: an unknown outcome resolved
// through the merchant's reconcile endpoint. Real sockets only: the stub Zuora, a proxy in front of
// it that can lose an answer after Zuora processed the request (or re-send it, as a browser does
// when a keep-alive connection drops), and a merchant backend (signature + reconcile) on port 0.
import type {IncomingMessage, ServerResponse} from 'node:http';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {describeError} from './describe-error.js';
import {maskSecrets, ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';
import {createPaymentMethod, type CreatePaymentMethodOptions} from './payment-method.js';
import fc from 'fast-check';
import {isUnknownOutcome, MAX_RECONCILE_ASKS, readReconcileAnswer, reconcileSchedule} from './reconcile.js';
import {CLAIMS_PER_TOKEN} from './server/index.js';
import {startZuoraStub, type ZuoraStub} from './testing/index.js';
import {ZUORA_CORS_OPERATIONS} from './zuora.js';
import {failure} from './rejection.test-util.js';

const NUMBER = '4242424242424242';
const CVV = '919';
const card = {creditCardNumber: NUMBER, expirationMonth: '11', expirationYear: '2033', securityCode: CVV};
const ACCOUNT = 'A00000001';
const PATH = ZUORA_CORS_OPERATIONS.creditCard.path;

/** What the proxy does with the next card POST: pass it, lose the answer after Zuora processed it, or send it twice (the browser's own re-send) and answer the second. */
type ProxyMode = 'pass' | 'lose' | 'copy';
let proxyModes: ProxyMode[];
/** How the reconcile endpoint answers: as the contract says, not at all, a refusal, or an answer that says nothing. */
let reconcileMode: 'answer' | 'down' | 'refuse' | 'unreadable';

let stub: ZuoraStub;
let proxy: Awaited<ReturnType<typeof startServer>>;
let backend: Awaited<ReturnType<typeof startServer>>;

async function forward(request: {method: string; url: string; headers: IncomingMessage['headers']; body: string}) {
	const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as Array<[string, string]>);
	return fetch(stub.url + request.url, {method: request.method, headers, body: request.body || undefined});
}

beforeAll(async () => {
	proxy = await startServer(async (request, response) => {
		const mode = request.method === 'POST' ? (proxyModes.shift() ?? 'pass') : 'pass';
		let answer: Response;
		let text: string;
		try {
			answer = await forward(request);
			if (mode === 'copy') {
				answer = await forward(request);
			}

			text = await answer.text();
		} catch {
			// The stub's own fault (a reset): the page sees the connection drop too.
			response.socket?.destroy();
			return;
		}

		if (mode === 'lose') {
			// Zuora processed it (the method exists); the answer never reaches the page.
			response.socket?.destroy();
			return;
		}

		response.writeHead(answer.status, {'content-type': answer.headers.get('content-type') ?? 'application/json'});
		response.end(text);
	});
	stub = await startZuoraStub({publicUrl: proxy.url});
	const oauth = await fetch(`${stub.url}/oauth/token`, {
		method: 'POST',
		body: new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials'}),
	}).then(async response => response.json() as Promise<{access_token: string}>);
	backend = await startServer(async (request, response) => {
		if (request.url === '/signature') {
			const signed = {uri: proxy.url + PATH, method: 'POST', accountKey: ACCOUNT};
			const answer = await fetch(`${stub.url}/v1/hmac-signatures`, {
				method: 'POST',
				headers: {authorization: `Bearer ${oauth.access_token}`, 'content-type': 'application/json'},
				body: JSON.stringify(signed),
			});
			reply(response, answer.status, {...((await answer.json()) as object), ...signed});
			return;
		}

		answerReconcile(request.body, response);
	});
});
afterAll(async () => {
	await backend.close();
	await stub.close();
	await proxy.close();
});
beforeEach(() => {
	stub.reset();
	proxyModes = [];
	reconcileMode = 'answer';
	backend.received.length = 0;
});
afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

/** The stand-in for `createReconcileHandler`: matches brand, last four and expiry among the account's methods. */
function answerReconcile(body: string, response: ServerResponse) {
	if (reconcileMode === 'down') {
		response.socket?.destroy();
		return;
	}

	if (reconcileMode === 'refuse') {
		reply(response, 403, {success: false, reasons: [{code: 'FORBIDDEN', message: 'No session.'}]});
		return;
	}

	if (reconcileMode === 'unreadable') {
		reply(response, 200, {success: true});
		return;
	}

	const query = JSON.parse(body) as Record<string, unknown>;
	const found = stub
		.paymentMethods()
		.find(
			method =>
				method.accountKey === ACCOUNT &&
				method.creditCardType === query['creditCardType'] &&
				method.last4 === query['lastFour'] &&
				method.expirationMonth === query['expirationMonth'] &&
				method.expirationYear === query['expirationYear'],
		);
	reply(response, 200, {success: true, paymentMethodId: found?.id ?? null});
}

const save = async (options: Partial<CreatePaymentMethodOptions> = {}) =>
	createPaymentMethod({
		signatureUrl: `${backend.url}/signature`,
		reconcileUrl: `${backend.url}/reconcile`,
		// One question at once: the settle window is proven under fake timers below.
		reconcileDelay: 0,
		reconcileWindow: 0,
		allowedHosts: [proxy.url],
		signatureOptions: {headers: {'X-CSRF-Token': 'csrf-1'}},
		card,
		...options,
	});
const reconciles = () => backend.received.filter(request => request.url === '/reconcile');
const signatures = () => backend.received.filter(request => request.url === '/signature');
const cardPosts = () => stub.requests().filter(request => request.method === 'POST' && request.path === PATH);

describe('reconcileUrl: an unknown outcome resolved (createPaymentMethod)', () => {
	it('a lost answer after Zuora saved the card: resolves with the saved method, recovered, exactly one method', async () => {
		proxyModes = ['lose'];
		const result = await save();
		const [method] = stub.paymentMethods();
		expect(result).toEqual({success: true, paymentMethodId: method!.id, recovered: true});
		expect(stub.paymentMethods()).toHaveLength(1);
		expect(cardPosts()).toHaveLength(1);
	});

	it("the stub's answerLost (processed, then the connection destroyed): recovered, exactly one method", async () => {
		stub.failNext(1, 'answerLost');
		const result = await save();
		const [method] = stub.paymentMethods();
		expect(result).toEqual({success: true, paymentMethodId: method!.id, recovered: true});
		expect(stub.paymentMethods()).toHaveLength(1);
		expect(reconciles()).toHaveLength(1);
	});

	it('asks with exactly the token used, the brand, the last four and the expiry: never the number or the security code, in any form', async () => {
		proxyModes = ['lose'];
		await save();
		const [query] = reconciles();
		const [post] = cardPosts();
		expect(JSON.parse(query!.body)).toEqual({token: post!.token, creditCardType: 'Visa', lastFour: '4242', expirationMonth: 11, expirationYear: 2033});
		expect(query!.method).toBe('POST');
		// The signature request's headers (and credentials) come along: the backend knows its session.
		expect(query!.headers['x-csrf-token']).toBe('csrf-1');
		const texts = [query!.url, query!.body, ...Object.entries(query!.headers).flat().map(String)];
		// The library's own detector (the one that guards the signature request), whole secrets in any encoding.
		expect(maskSecrets(texts, [NUMBER, CVV], true)).toEqual(texts);
		expect(texts.join(' ').replace(/\D/g, '')).not.toContain(NUMBER.slice(0, 12));
	});

	it.each([
		['a reset before processing', () => stub.failNext(1, 'reset'), 'network', {}],
		['no answer in time (hang)', () => stub.failNext(1, 'hang'), 'timeout', {timeout: 300}],
		['a 502 that may have been processed', () => stub.failNext(1, {status: 502, body: {message: 'Bad gateway'}}), 'http', {}],
	] as const)('%s, and no card at Zuora: not-saved, retryable; the retry saves exactly one', async (_name, fault, kind, options) => {
		fault();
		const error = await failure(save(options));
		expect([error.kind, error.stage, error.retryable, (error.cause as ZuoraCorsError).kind]).toEqual(['not-saved', 'request', true, kind]);
		expect(describeError(error)).toEqual({code: 'card_not_saved_try_again', message: 'Your card was not saved. Please try again.'});
		expect(reconciles()).toHaveLength(1);
		expect(stub.paymentMethods()).toHaveLength(0);
		// The shopper tries again: a fresh signature, one card.
		const result = await save();
		expect(result.recovered).toBeUndefined();
		expect(stub.paymentMethods().map(method => method.id)).toEqual([result.paymentMethodId]);
	});

	it.each(['down', 'refuse', 'unreadable'] as const)('the endpoint %s: the unknown outcome as without it', async mode => {
		reconcileMode = mode;
		proxyModes = ['lose'];
		const error = await failure(save());
		expect([error.kind, error.stage, error.retryable]).toEqual(['network', 'request', false]);
		expect(describeError(error).code).toBe('outcome_unknown_connection');
		// Asked (a dropped connection may be asked again: the question carries no card, and the
		// signature stage's bounded retries apply to it).
		expect(reconciles().length).toBeGreaterThanOrEqual(1);
		expect(stub.paymentMethods()).toHaveLength(1);
	});

	it('an unreachable endpoint (nothing listening): the unknown outcome as without it', async () => {
		const closed = await startServer(() => undefined);
		await closed.close();
		stub.failNext(1, 'reset');
		const error = await failure(save({reconcileUrl: `${closed.url}/reconcile`}));
		expect([error.kind, error.stage]).toEqual(['network', 'request']);
	});

	it('a refusal or a "not processed" answer is not an unknown outcome: nobody is asked', async () => {
		stub.failNext(1, 'unavailable');
		expect((await failure(save())).kind).toBe('http');
		await failure(save({card: {...card, creditCardNumber: '4000000000000002'}}));
		expect(reconciles()).toHaveLength(0);
	});

	it("90000011 after the browser's own re-send saved the card: asks before the re-sign, resolves with that method, never re-signs", async () => {
		proxyModes = ['copy'];
		const result = await save({idempotencyKey: undefined});
		const [method] = stub.paymentMethods();
		expect(result).toEqual({success: true, paymentMethodId: method!.id, recovered: true});
		expect(stub.paymentMethods()).toHaveLength(1);
		expect(signatures()).toHaveLength(1);
		expect(reconciles()).toHaveLength(1);
	});

	it('90000011 with nothing saved (an expired prefetched pair): asks, then re-signs once, with the same Idempotency-Key', async () => {
		const prefetched = await fetch(`${backend.url}/signature`, {method: 'POST'}).then(async response => response.json() as Promise<{signature: string; token: string}>);
		stub.expireTokens();
		backend.received.length = 0;
		const result = await save({signature: prefetched, idempotencyKey: 'order-9'});
		expect(result.recovered).toBeUndefined();
		expect(backend.received.map(request => request.url)).toEqual(['/reconcile', '/signature']);
		expect(cardPosts().map(request => request.idempotencyKey)).toEqual(['order-9', 'order-9']);
		expect(stub.paymentMethods()).toHaveLength(1);
	});

	it('90000011 and the endpoint cannot answer: never re-signs (a first copy may have saved the card), the outcome is unknown', async () => {
		for (const mode of ['down', 'refuse', 'unreadable'] as const) {
			stub.reset();
			backend.received.length = 0;
			reconcileMode = mode;
			proxyModes = ['copy'];
			// eslint-disable-next-line no-await-in-loop
			const error = await failure(save({idempotencyKey: undefined}));
			expect([mode, error.kind, error.stage, error.retryable, error.code]).toEqual([mode, 'invalid-response', 'request', false, 90_000_011]);
			expect(describeError(error).code).toBe('outcome_unknown');
			expect(signatures()).toHaveLength(1);
			expect(stub.paymentMethods()).toHaveLength(1);
		}
	});

	it('onOutcomeUnknown is called once, with the unknown outcome, before the endpoint is asked', async () => {
		stub.failNext(1, 'answerLost');
		const seen: Array<[string, number]> = [];
		await save({onOutcomeUnknown: error => seen.push([error.kind, reconciles().length])});
		expect(seen).toEqual([['network', 0]]);
	});

	it('an abort by the caller during the grace period: no question, the unknown outcome', async () => {
		const controller = new AbortController();
		const timers = vi.spyOn(globalThis, 'setTimeout');
		stub.failNext(1, 'reset');
		const saving = failure(save({reconcileDelay: 60_000, reconcileWindow: 120_000, signal: controller.signal}));
		// Until the grace period started (the card POST failed).
		while (!timers.mock.calls.some(([, ms]) => ms === 60_000)) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}

		controller.abort();
		const error = await saving;
		expect(error.kind).toBe('network');
		expect(reconciles()).toHaveLength(0);
	});

	it.each([
		[{reconcileUrl: ''}, 'reconcileUrl'],
		[{reconcileDelay: -1}, 'reconcileDelay'],
		[{reconcileWindow: 'long'}, 'reconcileWindow'],
		[{reconcileTimeout: 0}, 'reconcileTimeout'],
	])('refuses %j before anything is sent', async (options, name) => {
		const error = await failure(save(options as never));
		expect([error.kind, Object.keys(error.fields ?? {})]).toEqual(['validation', [name]]);
		expect(backend.received).toHaveLength(0);
		expect(stub.requests()).toHaveLength(0);
	});
});

describe('reconcile decisions (pure)', () => {
	const error = (kind: ZuoraCorsError['kind'], stage: ZuoraCorsError['stage'], status?: number) => new ZuoraCorsError('x', {kind, stage, status});
	it('an unknown outcome: no answer, a timeout, an unreadable answer, a 5xx or 409 at the request stage', () => {
		expect(
			[
				error('network', 'request'),
				error('timeout', 'request'),
				error('invalid-response', 'request', 200),
				error('http', 'request', 500),
				error('http', 'request', 502),
				error('http', 'request', 504),
				error('http', 'request', 409),
			].map(isUnknownOutcome),
		).toEqual([true, true, true, true, true, true, true]);
		expect(
			[
				error('network', 'signature'),
				error('http', 'request', 503),
				error('http', 'request', 400),
				error('zuora', 'request', 200),
				error('aborted', 'request'),
				error('validation', 'request'),
				new Error('x'),
			].map(isUnknownOutcome),
		).toEqual([false, false, false, false, false, false, false]);
	});

	it('reads found, not found, and neither', () => {
		expect(
			[
				{success: true, paymentMethodId: 'p1'},
				{success: true, paymentMethodId: null},
				{success: true},
				{success: false, paymentMethodId: 'p1'},
				{success: true, paymentMethodId: ''},
				{success: true, paymentMethodId: 7},
			].map(readReconcileAnswer),
		).toEqual(['p1', null, undefined, undefined, undefined, undefined]);
		// An id only on a polluted Object.prototype is no answer.
		const proto = Object.prototype as Record<string, unknown>;
		proto['paymentMethodId'] = 'inherited';
		try {
			expect(readReconcileAnswer(JSON.parse('{"success": true}'))).toBeUndefined();
		} finally {
			delete proto['paymentMethodId'];
		}
	});
});

describe('the settle window: nothing said, nothing re-sent, until the card is found or the window has passed (fake timers)', () => {
	/** The default schedule: the gaps between questions, and when each question is asked. */
	const GAPS = [2000, 4000, 8000, 16_000, 32_000, 28_000];
	const ASKED_AT = [2000, 6000, 14_000, 30_000, 62_000, 90_000];

	/**
	 * A stand-in Zuora whose card POSTs answer from `zuoraAnswers` (none: the connection dropped),
	 * a merchant whose reconcile answers "found" from the `foundAt`-th question on (1-based), and
	 * setTimeout faked (sockets run on). Drives the schedule question by question, checking that
	 * nothing is asked before its time, and returns what the call settled to.
	 */
	async function settleWith({zuoraAnswers = [], foundAt}: {zuoraAnswers?: unknown[]; foundAt?: number}) {
		const zuora = await startServer((_request, response) => {
			const answer = zuoraAnswers.shift();
			if (answer === undefined) {
				response.socket?.destroy();
				return;
			}

			reply(response, 200, answer);
		});
		let tokens = 0;
		const merchant = await startServer((request, response) => {
			const asked = merchant.received.filter(received => received.url === '/reconcile').length;
			if (request.url === '/signature') {
				tokens++;
				reply(response, 200, {success: true, signature: 's', token: `token-${tokens}`});
				return;
			}

			reply(response, 200, {success: true, paymentMethodId: foundAt !== undefined && asked >= foundAt ? 'p-found' : null});
		});
		const urls = () => merchant.received.map(request => request.url);
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		const timers = vi.spyOn(globalThis, 'setTimeout');
		const turn = async (condition: () => boolean) => {
			while (!condition()) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => {
					setImmediate(resolve);
				});
			}
		};

		try {
			const unknown: string[] = [];
			const saving = createPaymentMethod({
				signatureUrl: `${merchant.url}/signature`,
				reconcileUrl: `${merchant.url}/reconcile`,
				url: zuora.url + PATH,
				allowedHosts: [zuora.url],
				card,
				onOutcomeUnknown: error => unknown.push(error.kind),
			}).then(
				result => ({result}),
				(error: unknown) => ({error: error as ZuoraCorsError}),
			);
			let settled = false;
			void saving.finally(() => {
				settled = true;
			});
			for (const [index, gap] of GAPS.entries()) {
				const before = timers.mock.calls.filter(([, ms]) => ms === gap).length;
				// eslint-disable-next-line no-await-in-loop
				await turn(() => settled || timers.mock.calls.filter(([, ms]) => ms === gap).length > before);
				if (settled) {
					break;
				}

				// eslint-disable-next-line no-await-in-loop
				await vi.advanceTimersByTimeAsync(gap - 1);
				// Nothing asked, nothing said, nothing re-signed before the question's time.
				expect([settled, urls().filter(url => url === '/reconcile').length, tokens]).toEqual([false, index, 1]);
				// eslint-disable-next-line no-await-in-loop
				await vi.advanceTimersByTimeAsync(1);
				// eslint-disable-next-line no-await-in-loop
				await turn(() => urls().filter(url => url === '/reconcile').length === index + 1);
			}

			vi.useRealTimers();
			return {outcome: await saving, urls: urls(), unknown, zuora: zuora.received.length};
		} finally {
			vi.useRealTimers();
			await zuora.close();
			await merchant.close();
		}
	}

	it('the default schedule: 2, 6, 14, 30, 62 and 90 s after the outcome became unknown', () => {
		expect(reconcileSchedule(2000, 90_000)).toEqual(ASKED_AT);
		expect([reconcileSchedule(0, 0), reconcileSchedule(0, 640), reconcileSchedule(5000, 5000), reconcileSchedule(1000, 600_000)]).toEqual([
			[0],
			[0, 20, 60, 140, 300, 640],
			[5000],
			[1000, 19_750, 57_250, 132_250, 282_250, 600_000],
		]);
		// Never more questions than the reconcile handler answers per token.
		fc.assert(
			fc.property(fc.nat(200_000), fc.nat(2_000_000), (delay, window) => {
				const schedule = reconcileSchedule(delay, window);
				expect(schedule.length).toBeLessThanOrEqual(MAX_RECONCILE_ASKS);
				expect(schedule.at(-1)).toBe(window);
				expect([...schedule].sort((a, b) => a - b)).toEqual(schedule);
			}),
			{seed: 21_001},
		);
		expect(MAX_RECONCILE_ASKS).toBeLessThan(CLAIMS_PER_TOKEN);
	});

	it.each([1, 3, 5, 6])('a lost answer, the card found at question %i: "saved" then, recovered, no question more', async foundAt => {
		const {outcome, urls, unknown} = await settleWith({foundAt});
		expect(outcome).toEqual({result: {success: true, paymentMethodId: 'p-found', recovered: true}});
		expect(urls).toEqual(['/signature', ...Array.from({length: foundAt}, () => '/reconcile')]);
		expect(unknown).toEqual(['network']);
	});

	it('a lost answer, the card never found: "not saved" only from the question at 90 s, never re-sent', async () => {
		const {outcome, urls, zuora} = await settleWith({});
		expect('error' in outcome && [outcome.error.kind, outcome.error.retryable, (outcome.error.cause as ZuoraCorsError).kind]).toEqual(['not-saved', true, 'network']);
		expect(urls).toEqual(['/signature', ...Array.from({length: 6}, () => '/reconcile')]);
		expect(zuora).toBe(1);
	});

	it('90000011 at the first attempt, found at question 3 (the first copy finished): "saved", never re-signed', async () => {
		const invalidToken = {success: false, reasons: [{code: 90_000_011, message: 'Invalid token. Note: a token can only be used once.'}]};
		const {outcome, urls, unknown, zuora} = await settleWith({zuoraAnswers: [invalidToken], foundAt: 3});
		expect(outcome).toEqual({result: {success: true, paymentMethodId: 'p-found', recovered: true}});
		expect([urls, unknown, zuora]).toEqual([['/signature', '/reconcile', '/reconcile', '/reconcile'], ['zuora'], 1]);
	});

	it('90000011 at the first attempt, never found: re-signed once only after the question at 90 s', async () => {
		const invalidToken = {success: false, reasons: [{code: 90_000_011, message: 'Invalid token. Note: a token can only be used once.'}]};
		const {outcome, urls, zuora} = await settleWith({zuoraAnswers: [invalidToken, {success: true, paymentMethodId: 'p-new'}]});
		expect(outcome).toEqual({result: {success: true, paymentMethodId: 'p-new'}});
		expect([urls, zuora]).toEqual([['/signature', ...Array.from({length: 6}, () => '/reconcile'), '/signature'], 2]);
	});
});
