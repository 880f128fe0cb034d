import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {makeCorsRequest} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';

const signature = 'ZmI0ZjE2ZTMxMWY1YjA0ZTc4MTg1ZDhlYWRkMTEwNDE3M2RiMzNiNQ==';
const token = 'gCH6gYqQffQCsFKSLuxyagXsuXcIK0uf';
const card = {accountKey: 'A00000001', creditCardType: 'Visa', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031, securityCode: '737', defaultPaymentMethod: true};

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
	server = await startServer((request, response) => {
		const bodies: Record<string, unknown> = {
			'/v1/payment-methods/credit-cards': {success: true, paymentMethodId: '2c92c0f86a8dd422016a9e7a70116b0d'},
			'/no-success': {paymentMethodId: 'x'},
			// A misbehaving server echoing what it received must not put card data into an error.
			'/echo': {success: false, reasons: [{code: 53100020, message: `bad card ${card.creditCardNumber} cvv ${card.securityCode} or 4111-1111-1111-1111`}]},
		};
		reply(response, 200, bodies[request.url] ?? {success: false});
	});
});
afterAll(async () => server.close());

describe('makeCorsRequest', () => {
	it("sends exactly what Zuora's CORS sample sends, once", async () => {
		const before = server.received.length;
		const result = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card, headers: {'X-Trace': 't1'}});
		expect(result).toEqual({success: true, paymentMethodId: '2c92c0f86a8dd422016a9e7a70116b0d'});
		expect(server.received.length - before).toBe(1);
		const sent = server.received.at(-1)!;
		expect(sent.method).toBe('POST');
		expect(sent.url).toBe('/v1/payment-methods/credit-cards');
		expect(sent.headers['accept']).toBe('application/json');
		expect(sent.headers['content-type']).toBe('application/json');
		expect(sent.headers['signature']).toBe(signature);
		expect(sent.headers['token']).toBe(token);
		expect(sent.headers['x-trace']).toBe('t1');
		expect(sent.body).toBe(JSON.stringify(card));
	});

	it.each([
		{signature: 'forged', 'Content-Type': 'text/plain'},
		{Signature: 'forged', TOKEN: 'forged', 'content-type': 'text/plain', accept: 'text/html'},
		new Headers({Signature: 'forged', Accept: 'text/html'}),
		[
			['signature', 'forged'],
			['Content-Type', 'text/plain'],
		],
	])('does not let extra headers %j replace or join the protocol headers', async headers => {
		await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card, headers: headers as HeadersInit});
		const sent = server.received.at(-1)!;
		expect([sent.headers['signature'], sent.headers['token'], sent.headers['content-type'], sent.headers['accept']]).toEqual([signature, token, 'application/json', 'application/json']);
	});

	it.each([
		[{json: {amount: 10n}}, 'json'],
		[
			{
				json: (() => {
					const cycle: Record<string, unknown> = {};
					cycle['self'] = cycle;
					return cycle;
				})(),
			},
			'json',
		],
		[{headers: {'bad name': 'x'}}, 'headers'],
	])('refuses case %# as a validation error, not a TypeError', async (override, field) => {
		const error = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, ...override} as never).catch((error_: unknown) => error_);
		expect(error).toBeInstanceOf(ZuoraCorsError);
		expect([(error as ZuoraCorsError).kind, Object.keys((error as ZuoraCorsError).fields ?? {})]).toEqual(['validation', [field]]);
	});

	it('rejects a 200 without success: true as invalid-response', async () => {
		const error = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/no-success`, signature, token, json: card}).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.stage, error.status, error.retryable]).toEqual(['invalid-response', 'request', 200, false]);
	});

	it('masks the card number and security code a server echoes back', async () => {
		const error = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/echo`, signature, token, json: card}).then(
			() => {
				throw new Error('resolved');
			},
			(error_: unknown) => error_ as ZuoraCorsError,
		);
		expect(error.kind).toBe('zuora');
		expect(error.reasons[0]!.message).toBe('bad card [redacted] cvv [redacted] or [redacted]');
		// Without the server's origin: a random port may hold the security code's digits.
		for (const text of [error.message, String(error), JSON.stringify(error), error.stack ?? ''].map(text => text.replace(/127\.0\.0\.1:\d+/g, ''))) {
			expect(text).not.toContain('4111111111111111');
			expect(text).not.toContain('4111-1111');
			expect(text).not.toContain('737');
		}
	});

	it.each([
		[{signature: ''}, 'signature'],
		[{token: undefined}, 'token'],
		[{method: 'DELETE'}, 'method'],
		[{method: 'GET'}, 'json'],
		[{url: 'not a url'}, 'url'],
	])('refuses %j before sending', async (override, field) => {
		const before = server.received.length;
		const error = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card, ...override} as never).catch(
			(error_: unknown) => error_ as ZuoraCorsError,
		);
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', [field]]);
		expect(server.received.length).toBe(before);
	});

	it.each([
		['http://rest.zuora.com/v1/payment-methods/credit-cards', 'http://rest.zuora.com'],
		['https://evil.example/v1/payment-methods/credit-cards', 'https://evil.example'],
		['https://rest.zuora.com.evil.example/v1/payment-methods/credit-cards', 'https://rest.zuora.com.evil.example'],
		['https://192.168.1.10/v1/payment-methods/credit-cards', 'https://192.168.1.10'],
	])('refuses to send card data to %s', async (url, shown) => {
		const error = await makeCorsRequest({url, signature, token, json: card}).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.stage]).toEqual(['validation', 'request']);
		expect(error.fields).toEqual({
			url: {
				code: 'option_invalid',
				message: `host_not_allowed: ${shown}`,
			},
		});
	});

	it("accepts Zuora's hosts, listed loopback origins, and hosts the caller adds", async () => {
		// Nothing listens on these: reaching the network (kind 'network') proves the URL was accepted.
		const kind = async (url: string, allowedHosts?: string[]) =>
			makeCorsRequest({url, signature, token, json: card, allowedHosts, timeout: 2000}).catch((error: unknown) => (error as ZuoraCorsError).kind);
		expect(await kind('http://localhost:9/x', ['http://localhost:9'])).toBe('network');
		expect(await kind('http://localhost:9/x')).toBe('validation');
		expect(await kind('https://zuora-proxy.invalid/v1/x', ['zuora-proxy.invalid'])).toBe('network');
		expect(await kind('https://zuora-proxy.invalid/v1/x')).toBe('validation');
		expect(await kind('https://rest.apisandbox.zuora.com/v1/x', ['bad', 5] as never)).toBe('validation');
	});

	it('sends Idempotency-Key only when asked', async () => {
		await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card, idempotencyKey: 'order-42'});
		expect(server.received.at(-1)!.headers['idempotency-key']).toBe('order-42');
		await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card});
		expect(server.received.at(-1)!.headers['idempotency-key']).toBeUndefined();
		const error = await makeCorsRequest({allowedHosts: [server.url], url: `${server.url}/v1/payment-methods/credit-cards`, signature, token, json: card, idempotencyKey: 'x'.repeat(256)}).catch(
			(error_: unknown) => error_ as ZuoraCorsError,
		);
		expect([error.kind, Object.keys(error.fields ?? {})]).toEqual(['validation', ['idempotencyKey']]);
	});
});
