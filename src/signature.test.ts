import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';
import {refuseCardInSignatureRequest} from './signed-call.js';
import {fetchSignature, prepareSignatureRequest} from './signature.js';

const pair = {signature: 'ZmI0ZjE2ZTMxMWY1YjA0ZTc4MTg1ZDhlYWRkMTEwNDE3M2RiMzNiNQ==', token: 'gCH6gYqQffQCsFKSLuxyagXsuXcIK0uf', success: true};

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
	server = await startServer((request, response) => {
		const bodies: Record<string, unknown> = {
			'/signature': pair,
			'/rsa': {...pair, tenantId: '10029', key: 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC'},
			'/no-token': {signature: pair.signature, success: true},
			'/empty-signature': {...pair, signature: ''},
			'/numeric-token': {...pair, token: 12_345},
			'/no-success-field': {signature: pair.signature, token: pair.token},
		};
		reply(response, 200, bodies[request.url] ?? {success: false, reasons: []});
	});
});
afterAll(async () => server.close());

const last = () => server.received.at(-1)!;

describe('fetchSignature', () => {
	it('POSTs the backend by default (0.x change: what zuora-cors/server accepts), with Accept: application/json and no body', async () => {
		await expect(fetchSignature(`${server.url}/signature`)).resolves.toEqual(pair);
		expect(last().method).toBe('POST');
		expect(last().headers['accept']).toBe('application/json');
		expect(last().headers['content-type']).toBeUndefined();
		expect(last().body).toBe('');
	});

	it("POSTs JSON when asked, with the caller's headers", async () => {
		await fetchSignature(`${server.url}/signature`, {method: 'POST', json: {pageId: 'abc'}, headers: {'X-CSRF-Token': 'csrf1'}});
		expect(last().method).toBe('POST');
		expect(last().headers['content-type']).toBe('application/json');
		expect(last().headers['x-csrf-token']).toBe('csrf1');
		expect(last().body).toBe('{"pageId":"abc"}');
	});

	it('passes extra fields through (RSA signatures for Payment Pages 2.0)', async () => {
		const result = await fetchSignature(new URL(`${server.url}/rsa`));
		expect(result).toEqual({...pair, tenantId: '10029', key: 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC'});
	});

	it('accepts a backend that omits `success`', async () => {
		await expect(fetchSignature(`${server.url}/no-success-field`)).resolves.toEqual({signature: pair.signature, token: pair.token});
	});

	it.each(['/no-token', '/empty-signature', '/numeric-token'])('rejects %s as invalid-response', async path => {
		const error = await fetchSignature(server.url + path).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect(error).toBeInstanceOf(ZuoraCorsError);
		expect([error.kind, error.stage, error.status, error.retryable]).toEqual(['invalid-response', 'signature', 200, false]);
		expect(error.message).toMatch(/answered: no_(signature|token)$/);
	});

	it('rejects success: false with no reasons as zuora, reasons []', async () => {
		const error = await fetchSignature(`${server.url}/unknown`).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.code, error.reasons]).toEqual(['zuora', undefined, []]);
	});

	it.each([
		[{method: 'PUT'}, 'method'],
		[{method: 'GET', json: {a: 1}}, 'json'],
		[{headers: {a: 1}}, 'headers'],
		[{signal: 'x'}, 'signal'],
		[{timeout: 0}, 'timeout'],
		[{credentials: 'bogus'}, 'credentials'],
		[{method: 'POST', json: {n: 1n}}, 'json'],
		[{headers: {'x y': 'z'}}, 'headers'],
	])('refuses bad option case %# before sending', async (options, field) => {
		const before = server.received.length;
		const error = await fetchSignature(`${server.url}/signature`, options as never).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'signature', [field]]);
		expect(error.message).toContain(`\`${field}\``);
		expect(server.received.length).toBe(before);
	});

	it.each(['', 'http://[bad'])('refuses the url %j', async url => {
		const error = await fetchSignature(url).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.fields]).toEqual(['validation', {url: {code: 'option_invalid', message: 'not_url'}}]);
	});
});

// Issue 15.10: the guard that keeps card data away from the merchant backend reads header names too.
describe('refuseCardInSignatureRequest', () => {
	const NUMBER = '4111111111111111';
	const CVC = '737';
	const refused = (headers: Record<string, string>) => {
		try {
			refuseCardInSignatureRequest(prepareSignatureRequest('https://shop.example/signature', {method: 'POST', headers}), [NUMBER, CVC]);
			return 'sent';
		} catch (error) {
			const {kind, stage, fields} = error as ZuoraCorsError;
			expect([kind, stage, Object.keys(fields ?? {})]).toEqual(['validation', 'signature', ['signatureOptions']]);
			return 'refused';
		}
	};

	// Header names are tokens: digits, letters and !#$%&'*+-.^_`|~, so these are the ways to write digits there.
	const separator = fc.constantFrom('', '-', '.', '_', '+', '*', '~', '!');
	const digits = (secret: string) =>
		fc.tuple(...[...secret].map(digit => fc.tuple(fc.constantFrom(digit, `%3${digit}`), separator))).map(parts => parts.map(([digit, after]) => digit + after).join(''));
	const affix = fc.stringMatching(/^[a-z]{0,6}-?$/);
	it('refuses the card number or the security code written in a header name (generated)', () => {
		fc.assert(
			fc.property(affix, fc.oneof(digits(NUMBER), digits(CVC)), affix, fc.boolean(), (before, secret, after, inValue) => {
				// The security code counts as its own digit run: kept apart from other digits by letters.
				const name = `x${before}${secret}${after}y`.replace(/[-._+*~!]+$/, '');
				expect(refused({[name]: 'v'})).toBe('refused');
				if (inValue) {
					expect(refused({'x-trace': name})).toBe('refused');
				}
			}),
			{numRuns: 300, seed: 20_261_204},
		);
	});

	it.each([
		[{'x-trace-1234': 'v'}, 'sent'],
		[{'x-cart': '42'}, 'sent'],
		[{'x-4111-1111-1111-1111': 'v'}, 'refused'],
		[{'x-cvc-737': 'v'}, 'refused'],
	])('%j is %s', (headers, expected) => {
		expect(refused(headers)).toBe(expected);
	});
});
