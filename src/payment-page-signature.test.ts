import {createPublicKey, verify} from 'node:crypto';
import type {ServerResponse} from 'node:http';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {ZuoraCorsError} from './errors.js';
import {reply, startServer} from './http-server.test-util.js';
import {createPaymentPageSignature, type PaymentPageSignatureOptions} from './payment-page-signature.js';
import {startSigner} from './stub-signer.test-util.js';
import {startZuoraStub, type ZuoraStub} from './testing/index.js';

const pageUri = 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do';
let stub: ZuoraStub;
let signer: Awaited<ReturnType<typeof startSigner>>;
let rsaUrl: string;
beforeAll(async () => {
	stub = await startZuoraStub();
	signer = await startSigner(stub);
	rsaUrl = `${stub.url}/v1/rsa-signatures`;
});
afterAll(async () => Promise.all([signer.close(), stub.close()]));
beforeEach(() => {
	stub.reset();
	signer.received.length = 0;
});

const run = async (options: Partial<PaymentPageSignatureOptions> = {}) =>
	createPaymentPageSignature({
		allowedHosts: [stub.url],
		signatureUrl: signer.sign({uri: rsaUrl, method: 'POST', pageId: 'page-1', echo: '1'}),
		url: rsaUrl,
		uri: pageUri,
		...options,
	});
const failure = async (options: Partial<PaymentPageSignatureOptions> = {}) =>
	run(options).then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: unknown) => {
			expect(error).toBeInstanceOf(ZuoraCorsError);
			return error as ZuoraCorsError;
		},
	);
const calls = () => stub.requests().filter(request => request.path === '/v1/rsa-signatures' && request.token !== null);

describe('createPaymentPageSignature against the stub', () => {
	it("resolves Zuora's RSA signature for the page id the backend signed: it verifies with the returned key", async () => {
		const result = await run();
		expect(Object.keys(result).sort()).toEqual(['key', 'signature', 'success', 'tenantId', 'token']);
		expect([result.success, result.tenantId, result.token]).toEqual([true, '12270', expect.stringMatching(/^[A-Za-z\d]{32}$/)]);
		const key = createPublicKey({key: Buffer.from(result.key, 'base64'), format: 'der', type: 'spki'});
		expect(verify('sha256', Buffer.from([pageUri, 'POST', 'page-1', result.token].join('\n')), key, Buffer.from(result.signature, 'base64'))).toBe(true);
		expect(calls().map(request => request.status)).toEqual([200]);
	});

	it('takes a pageId given by the page when the pair carries none, and refuses one that differs from the signed one', async () => {
		await run({pageId: 'page-2', signatureUrl: signer.sign({uri: rsaUrl, method: 'POST', pageId: 'page-2'})});
		const error = await failure({pageId: 'page-9'});
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', ['pageId']]);
		expect(calls()).toHaveLength(1);
	});

	it('rejects a null signature (Zuora warns of it) as invalid-response, not retryable, without re-signing', async () => {
		stub.nullRsaSignatureNext(1);
		const error = await failure();
		expect([error.kind, error.stage, error.retryable]).toEqual(['invalid-response', 'request', false]);
		expect(error.message).toBe(`POST ${rsaUrl} answered: no_signature`);
		expect([signer.received.length, calls().length]).toEqual([1, 1]);
	});

	it('re-signs once on 90000011 (an expired prefetched pair)', async () => {
		const prefetched = await signer.pair({uri: rsaUrl, method: 'POST', pageId: 'page-1'});
		stub.expireTokens();
		const result = await run({signature: {...prefetched, pageId: 'page-1'}});
		expect(result.tenantId).toBe('12270');
		expect(calls().map(request => request.token === prefetched.token)).toEqual([true, false]);
	});

	it('refuses a URL other than /v1/rsa-signatures, and an empty uri, before anything is sent', async () => {
		const errors = [await failure({url: `${stub.url}/v1/accounts`}), await failure({uri: ''})];
		expect(errors.map(error => [error.kind, Object.keys(error.fields ?? {})])).toEqual([
			['validation', ['url']],
			['validation', ['uri']],
		]);
		expect([signer.received.length, calls().length]).toEqual([0, 0]);
	});
});

describe('createPaymentPageSignature on the wire', () => {
	const server = startServer(async (_request, response: ServerResponse) => {
		reply(response, 200, {success: true, signature: 'rsa', token: 't', tenantId: '1', key: 'k'});
	});
	afterAll(async () => (await server).close());

	it('posts the client parameters with uri, method and pageId, which parameters cannot replace', async () => {
		const {url, received} = await server;
		await createPaymentPageSignature({
			allowedHosts: [url],
			signature: {signature: 's', token: 'tok', pageId: 'p1'},
			url: `${url}/v1/rsa-signatures`,
			uri: pageUri,
			params: {field_accountId: 'A1', uri: 'https://evil.example', pageId: 'p2'},
		});
		expect(received.map(request => [request.method, request.url, request.headers['signature'], request.headers['token'], request.body])).toEqual([
			['POST', '/v1/rsa-signatures', 's', 'tok', JSON.stringify({field_accountId: 'A1', uri: pageUri, pageId: 'p1', method: 'POST'})],
		]);
	});
});
