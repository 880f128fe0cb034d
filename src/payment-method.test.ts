import type {ServerResponse} from 'node:http';
import fc from 'fast-check';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';
import {createPaymentMethod, type CreatePaymentMethodOptions} from './payment-method.js';
import {encodedSecret} from './secret-encodings.test-util.js';
import {ZUORA_REST_BASES} from './zuora-hosts.test-util.js';

const card = {accountKey: 'A00000001', creditCardNumber: '4111 1111 1111 1111', expirationMonth: '12', expirationYear: '2031', securityCode: '737', defaultPaymentMethod: 'true'};
const sentCard = '{"accountKey":"A00000001","creditCardType":"Visa","creditCardNumber":"4111111111111111","expirationMonth":12,"expirationYear":2031,"securityCode":"737","defaultPaymentMethod":true}';
const invalidToken = {success: false, reasons: [{code: 90_000_011, message: 'Invalid token. Note: a token can only be used once.'}]};
const created = {success: true, paymentMethodId: '2c92c0f86a8dd422016a9e7a70116b0d'};

// Each test queues what the fake Zuora answers, in order; the signature endpoint numbers its tokens.
let answers: Array<(response: ServerResponse) => void>;
let issued = 0;
/** What the signature endpoint adds to each pair: the values it signed, as `zuora-cors/server` answers. */
let signedFields: Record<string, unknown>;
/** What the reconcile endpoint finds: this card's method id, or none. */
let reconciledId: string | null;
let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
	server = await startServer((request, response) => {
		if (request.url === '/reconcile') {
			// The merchant's reconcile endpoint: never finds the card (these tests' Zuora saves nothing it refused).
			reply(response, 200, {success: true, paymentMethodId: reconciledId});
			return;
		}

		if (request.url.startsWith('/signature')) {
			issued++;
			reply(response, 200, {success: true, signature: `sig${issued}`, token: `token${issued}`, ...signedFields});
			return;
		}

		(answers.shift() ?? (r => reply(r, 500, 'no answer queued')))(response);
	});
});
afterAll(async () => server.close());
beforeEach(() => {
	server.received.length = 0;
	answers = [];
	issued = 0;
	signedFields = {};
	reconciledId = null;
});

const json = (body: unknown) => (response: ServerResponse) => reply(response, 200, body);
/** A reconcile endpoint that finds nothing, asked once at once (a window of 0: these tests are not about the wait). */
const reconciled = () => ({reconcileUrl: `${server.url}/reconcile`, reconcileDelay: 0, reconcileWindow: 0});
const paths = () => server.received.map(request => `${request.method} ${request.url} ${request.headers['token'] ?? ''}`.trim());
const run = async (options: Partial<CreatePaymentMethodOptions> = {}) =>
	createPaymentMethod({allowedHosts: [server.url], signatureUrl: `${server.url}/signature`, url: `${server.url}/v1/payment-methods/credit-cards`, card, ...options});
const failure = async (options: Partial<CreatePaymentMethodOptions> = {}) =>
	run(options).then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: unknown) => {
			expect(error).toBeInstanceOf(ZuoraCorsError);
			return error as ZuoraCorsError;
		},
	);

describe('createPaymentMethod', () => {
	it('fetches a signature, then posts the normalised card with it', async () => {
		answers.push(json(created));
		await expect(run()).resolves.toEqual(created);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
		const [signatureRequest, post] = server.received;
		expect(post!.body).toBe(sentCard);
		expect(post!.headers['signature']).toBe('sig1');
		// The merchant backend sees no card data at all.
		// Without the servers' origins: a random port may hold the security code's digits.
		expect(`${signatureRequest!.url} ${signatureRequest!.body} ${JSON.stringify(signatureRequest!.headers)}`.replace(/127\.0\.0\.1:\d+/g, '')).not.toMatch(/4111|737/);
	});

	it('re-signs exactly once on 90000011, once the reconcile endpoint found no card after the window, then succeeds', async () => {
		answers.push(json(invalidToken), json(created));
		await expect(run(reconciled())).resolves.toEqual(created);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1', 'POST /reconcile', 'POST /signature', 'POST /v1/payment-methods/credit-cards token2']);
	});

	it('90000011 at the first attempt without reconcileUrl: never re-signs (a copy of the request may have saved the card), the outcome is unknown', async () => {
		answers.push(json(invalidToken));
		const error = await failure();
		expect([error.kind, error.stage, error.code, error.retryable]).toEqual(['invalid-response', 'request', 90_000_011, false]);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
	});

	it('gives up after the one re-sign when 90000011 comes again', async () => {
		answers.push(json(invalidToken), json(invalidToken));
		const error = await failure(reconciled());
		expect([error.kind, error.stage, error.code, error.retryable]).toEqual(['zuora', 'request', 90_000_011, true]);
		expect(paths()).toHaveLength(5);
	});

	it.each([
		['another Zuora code', json({success: false, reasons: [{code: 53_100_320, message: 'Transaction declined.'}]}), 'zuora'],
		['a 500', (response: ServerResponse) => reply(response, 500, 'oops'), 'http'],
		['a reset connection', (response: ServerResponse) => response.socket?.destroy(), 'network'],
		['a body that is not JSON', json('<html></html>'), 'invalid-response'],
	])('does not re-sign or re-send on %s', async (_name, answer, kind) => {
		answers.push(answer);
		const error = await failure();
		expect([error.kind, error.stage, error.retryable]).toEqual([kind, 'request', false]);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
	});

	it('refuses an invalid card before any network call', async () => {
		const error = await failure({card: {...card, creditCardNumber: '4111111111111112', expirationMonth: '13'}});
		expect([error.kind, error.stage, error.fields]).toEqual([
			'validation',
			'request',
			{
				creditCardNumber: {code: 'card_number_invalid', message: 'The card number is not valid. Check it for typos.'},
				expirationMonth: {code: 'expiry_month_invalid', message: 'Enter the expiry month, 1 to 12.'},
			},
		]);
		expect(error.message).toBe('The card was not sent (card_invalid: creditCardNumber, expirationMonth)');
		expect(server.received).toHaveLength(0);
	});

	it.each([
		[{timeout: -5}, 'timeout'],
		[{url: ''}, 'url'],
		[{signatureUrl: ''}, 'signatureUrl'],
		[{headers: 'x'}, 'headers'],
		[{idempotencyKey: ''}, 'idempotencyKey'],
		[{allowedHosts: 'rest.zuora.com'}, 'allowedHosts'],
		[{signatureOptions: {timeout: -1}}, 'timeout'],
		// Even with a prefetched pair, a bad signature option must surface now, not at a re-sign.
		[{signatureOptions: {credentials: 'bogus'}, signature: {signature: 's', token: 't'}}, 'credentials'],
	])('refuses the option %j before any network call', async (override, field) => {
		const error = await failure(override as never);
		expect([error.kind, Object.keys(error.fields ?? {})]).toEqual(['validation', [field]]);
		expect(server.received).toHaveLength(0);
	});

	it('sends the same Idempotency-Key on the re-signed attempt (a refused token is not processed, so not stored)', async () => {
		answers.push(json(invalidToken), json(created));
		await run({idempotencyKey: 'checkout-7', ...reconciled()});
		expect(server.received.filter(request => request.url.startsWith('/v1/')).map(request => request.headers['idempotency-key'])).toEqual(['checkout-7', 'checkout-7']);
	});

	it.each([
		['the reconcile endpoint finds this card under that id: saved, with it', created.paymentMethodId, {success: true, paymentMethodId: created.paymentMethodId, recovered: true}],
		["it finds none (another card's answer, replayed under its key: Zuora's model): not saved, never that id", null, 'not-saved'],
	] as const)('a 409 replay of a stored success counts only when shown to be this card: %s', async (_name, found, outcome) => {
		answers.push((response: ServerResponse) => reply(response, 409, created));
		reconciledId = found;
		const settled = await run({idempotencyKey: 'reused', ...reconciled()}).catch((error: ZuoraCorsError) => error.kind);
		expect(settled).toEqual(outcome);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1', 'POST /reconcile']);
	});

	it('a 409 replay without reconcileUrl: the outcome is unknown (nothing shows it is this card)', async () => {
		answers.push((response: ServerResponse) => reply(response, 409, created));
		const error = await failure({idempotencyKey: 'reused'});
		expect([error.kind, error.status, error.retryable]).toEqual(['invalid-response', 409, false]);
	});

	it('refuses a non-Zuora https host before fetching a signature', async () => {
		const error = await failure({url: 'https://attacker.example/v1/payment-methods/credit-cards'});
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', ['url']]);
		expect(server.received).toHaveLength(0);
	});

	it.each([
		{signatureOptions: {method: 'POST' as const, json: {card: '4111111111111111'}}},
		{signatureOptions: {method: 'POST' as const, json: {card: '4111 1111-1111 1111'}}},
		{signatureOptions: {headers: {'X-Card': '4111111111111111'}}},
		{signatureUrl: '/signature?card=4111%201111%201111%201111'},
	])('refuses to put card data into the signature request: %j', async override => {
		const error = await failure({...override, ...('signatureUrl' in override ? {signatureUrl: server.url + override.signatureUrl} : {})});
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'signature', ['signatureOptions']]);
		expect(server.received).toHaveLength(0);
	});

	it('refuses the number or the security code however it is written, in the body, a header or the URL (generated)', async () => {
		const secret = fc.constantFrom('4111111111111111', '737');
		const placed = secret.chain(value =>
			fc.oneof(
				encodedSecret(value).map(text => ({signatureOptions: {method: 'POST' as const, json: {cart: 'c1', note: `card ${text} x`}}})),
				encodedSecret(value, true).map(text => ({signatureOptions: {headers: {'X-Note': `card ${text}`}}})),
				encodedSecret(value).map(text => ({signatureUrl: `${server.url}/signature?cart=c1&note=${text}`})),
			),
		);
		await fc.assert(
			fc.asyncProperty(placed, async override => {
				server.received.length = 0;
				const error = await failure(override);
				expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'signature', ['signatureOptions']]);
				expect(server.received).toHaveLength(0);
			}),
			{numRuns: 150},
		);
	});

	it('sends a signature request whose digits hold the security code only inside a longer number', async () => {
		answers.push(json(created));
		await run({signatureOptions: {method: 'POST', json: {cart: 'c1', amount: '17370', ref: '41111'}, headers: {'X-Order': '7371'}}});
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
	});

	it('is aborted while waiting for a prefetched pair that never comes', async () => {
		const controller = new AbortController();
		setTimeout(() => {
			controller.abort();
		}, 50);
		const error = await failure({signature: new Promise(() => undefined), signal: controller.signal});
		expect([error.kind, error.stage]).toEqual(['aborted', 'signature']);
		expect(server.received).toHaveLength(0);
	});

	it('reports a failed re-sign after 90000011 at the signature stage, and posts nothing more', async () => {
		answers.push(json(invalidToken));
		const error = await failure({signature: {signature: 'early', token: 'used'}, signatureUrl: `${server.url}/v1/broken-signature`, ...reconciled()});
		expect([error.kind, error.stage, error.status]).toEqual(['http', 'signature', 500]);
		expect(paths()).toEqual(['POST /v1/payment-methods/credit-cards used', 'POST /reconcile', 'POST /v1/broken-signature']);
	});

	it('uses a prefetched signature (or its promise) without fetching one', async () => {
		answers.push(json(created), json(created));
		await run({signature: {signature: 'early', token: 'prefetched'}});
		await run({signature: Promise.resolve({signature: 'early', token: 'prefetched2'})});
		expect(paths()).toEqual(['POST /v1/payment-methods/credit-cards prefetched', 'POST /v1/payment-methods/credit-cards prefetched2']);
	});

	it('replaces a used prefetched signature once on 90000011', async () => {
		answers.push(json(invalidToken), json(created));
		await run({signature: {signature: 'early', token: 'used'}, ...reconciled()});
		expect(paths()).toEqual(['POST /v1/payment-methods/credit-cards used', 'POST /reconcile', 'POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
	});

	it('fetches a fresh signature when the prefetch failed', async () => {
		answers.push(json(created));
		const prefetch = Promise.reject(new Error('offline while typing'));
		await run({signature: prefetch});
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
	});

	it('rejects a success without paymentMethodId as invalid-response', async () => {
		answers.push(json({success: true}));
		const error = await failure();
		expect([error.kind, error.stage]).toEqual(['invalid-response', 'request']);
	});

	it('passes signature options through and sends the signature request first', async () => {
		answers.push(json(created));
		await run({signatureOptions: {method: 'POST', json: {cart: 'c1'}, headers: {'X-CSRF-Token': 'abc'}}});
		const [signatureRequest] = server.received;
		expect([signatureRequest!.method, signatureRequest!.body, signatureRequest!.headers['x-csrf-token']]).toEqual(['POST', '{"cart":"c1"}', 'abc']);
	});

	it('never lets card data into any error, on every path', async () => {
		const setups: Array<() => void> = [
			() => answers.push(json({success: false, reasons: [{code: 1, message: 'echo 4111111111111111 737'}]})),
			() => answers.push((response: ServerResponse) => reply(response, 500, '<p>4111111111111111</p>')),
			() => answers.push((response: ServerResponse) => response.socket?.destroy()),
			() => answers.push(json(invalidToken), json(invalidToken)),
			() => answers.push(json({success: true})),
		];
		const errors = [];
		for (const setup of setups) {
			setup();
			errors.push(await failure(reconciled())); // eslint-disable-line no-await-in-loop
		}

		errors.push(await failure({card: {...card, expirationYear: '1999'}}), await failure({timeout: -5}));
		expect(errors.map(error => error.kind)).toEqual(['zuora', 'not-saved', 'not-saved', 'zuora', 'not-saved', 'validation', 'validation']);
		for (const error of errors) {
			// Without the servers' origins: a random port may hold the security code's digits.
			const everything = [error.message, String(error), JSON.stringify(error), error.stack ?? '', JSON.stringify(error.reasons), JSON.stringify(error.fields ?? {})]
				.join('\n')
				.replace(/127\.0\.0\.1:\d+/g, '');
			expect(everything).not.toContain('4111111111111111');
			expect(everything).not.toContain('4111 1111');
			expect(everything).not.toContain('737');
		}
	});
});

describe('createPaymentMethod: the signature answer is the contract (uri, method, accountKey)', () => {
	const signedUri = () => `${server.url}/v1/payment-methods/credit-cards`;
	const {accountKey: _accountKey, ...anonymous} = card;
	const bare = async (options: Partial<CreatePaymentMethodOptions> = {}) => createPaymentMethod({allowedHosts: [server.url], signatureUrl: `${server.url}/signature`, card: anonymous, ...options});
	const refused = async (promise: Promise<unknown>) =>
		promise.then(
			() => {
				throw new Error('expected a rejection');
			},
			(error: unknown) => {
				expect(error).toBeInstanceOf(ZuoraCorsError);
				return error as ZuoraCorsError;
			},
		);
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it('needs no url and no accountKey when the backend answers what it signed', async () => {
		signedFields = {uri: signedUri(), method: 'POST', accountKey: 'A00000001'};
		answers.push(json(created));
		await expect(bare()).resolves.toEqual(created);
		expect(paths()).toEqual(['POST /signature', 'POST /v1/payment-methods/credit-cards token1']);
		expect(server.received[1]!.body).toBe(sentCard);
	});

	it("uses a prefetched pair's signed values, and a page url and accountKey that agree", async () => {
		answers.push(json(created), json(created));
		await bare({signature: {signature: 's', token: 'early', uri: signedUri(), accountKey: 'A00000001'}});
		await bare({signature: {signature: 's', token: 'early2', uri: signedUri(), accountKey: 'A00000001'}, url: signedUri(), card});
		expect(server.received.map(request => request.body)).toEqual([sentCard, sentCard]);
	});

	it('a backend answering only {signature, token} works with page values, as before', async () => {
		answers.push(json(created));
		await expect(run()).resolves.toEqual(created);
		const error = await refused(bare());
		expect([error.kind, Object.keys(error.fields ?? {})]).toEqual(['validation', ['url']]);
	});

	it.each([
		// A page url for another path is refused before the signature is asked for.
		['a page url for another path', {url: 'PATH/v1/accounts'}, 'url', []],
		['a page url on another allowed origin', {url: 'https://rest.zuora.com/v1/payment-methods/credit-cards'}, 'url', ['POST /signature']],
		['a page accountKey the backend did not sign', {card: {...card, accountKey: 'A00000002'}}, 'accountKey', ['POST /signature']],
	])('refuses %s before anything reaches Zuora', async (_name, override, field, sent) => {
		signedFields = {uri: signedUri(), method: 'POST', accountKey: 'A00000001'};
		const options = 'url' in override ? {url: override.url.replace('PATH', server.url)} : override;
		const error = await refused(bare(options as Partial<CreatePaymentMethodOptions>));
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', [field]]);
		expect(paths()).toEqual(sent);
	});

	it('refuses a pair signed for another method', async () => {
		signedFields = {uri: signedUri(), method: 'GET'};
		const error = await refused(bare());
		expect([error.kind, Object.keys(error.fields ?? {})]).toEqual(['validation', ['signatureUrl']]);
		expect(paths()).toEqual(['POST /signature']);
	});

	it('a signed uri passes the same host guard as a page url (generated hosts): refused, nothing sent', async () => {
		const hostile = fc
			.tuple(
				fc.constantFrom(
					'https://evil.example',
					'https://rest.zuora.com.evil.example',
					'https://zuora.com',
					'http://rest.zuora.com',
					'https://user:pw@rest.zuora.com',
					'https://rest.zuora.com:8443',
					'http://127.0.0.1:9',
					'http://localhost:9',
					'javascript:alert(1)//',
					'data:text/plain,',
					'//evil.example',
					'https://evil.example\\@rest.zuora.com',
					'https://xn--zura-0ra.com',
					'ftp://rest.zuora.com',
				),
				fc.constantFrom('/v1/payment-methods/credit-cards', '/rest/v1/payment-methods/credit-cards', ''),
			)
			.map(([origin, path]) => origin + path);
		const fetches = vi.spyOn(globalThis, 'fetch');
		await fc.assert(
			fc.asyncProperty(hostile, async uri => {
				server.received.length = 0;
				fetches.mockClear();
				signedFields = {uri, method: 'POST', accountKey: 'A00000001'};
				const error = await refused(bare());
				expect([error.kind, error.stage]).toEqual(['validation', 'request']);
				// The only request made: the signature's.
				expect(fetches.mock.calls.map(([url]) => String(url))).toEqual([`${server.url}/signature`]);
			}),
			{numRuns: 60, seed: 17},
		);
	});

	it('a signed uri under zuora.com but not the card operation on a Zuora REST base (generated): refused, nothing sent', async () => {
		const label = fc.stringMatching(/^[a-z][a-z\d]{0,8}$/);
		const hostile = fc.oneof(
			// Any host under zuora.com that is not a REST base, with the card's path.
			label.map(name => `https://${name}-x.zuora.com/v1/payment-methods/credit-cards`),
			// A REST base with another path: another operation, a prefix, a suffix, a query.
			fc
				.tuple(
					fc.constantFrom(...ZUORA_REST_BASES),
					fc.constantFrom(
						'/v1/accounts',
						'/v1/payment-methods/credit-cards/x',
						'/x/v1/payment-methods/credit-cards',
						'/v1/payment-methods/credit-cards?x=1',
						'/v1/payment-methods',
						'/v1/payment-methods/credit-cards/',
					),
				)
				.map(([base, path]) => base + path),
		);
		const fetches = vi.spyOn(globalThis, 'fetch');
		await fc.assert(
			fc.asyncProperty(hostile, async uri => {
				fetches.mockClear();
				signedFields = {uri, method: 'POST', accountKey: 'A00000001'};
				const error = await refused(bare());
				expect([uri, error.kind, error.stage]).toEqual([uri, 'validation', 'request']);
				expect(fetches.mock.calls.map(([url]) => String(url))).toEqual([`${server.url}/signature`]);
			}),
			{numRuns: 60, seed: 21},
		);
	});
});
