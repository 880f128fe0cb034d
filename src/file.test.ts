import type {ServerResponse} from 'node:http';
import fc from 'fast-check';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {getFile, type GetFileOptions} from './file.js';
import {reply, startServer} from './http-server.test-util.js';
import {startSigner} from './stub-signer.test-util.js';
import {makePdf} from './testing/pdf.js';
import {startZuoraStub, type ZuoraStub} from './testing/index.js';
import {failure} from './rejection.test-util.js';

let stub: ZuoraStub;
let signer: Awaited<ReturnType<typeof startSigner>>;
beforeAll(async () => {
	stub = await startZuoraStub();
	signer = await startSigner(stub);
});
afterAll(async () => Promise.all([signer.close(), stub.close()]));
beforeEach(() => {
	stub.reset();
	signer.received.length = 0;
});

const fileUrl = (id: string) => `${stub.url}/v1/files/${id}`;
const run = async (id: string, options: Partial<GetFileOptions> = {}) =>
	getFile({allowedHosts: [stub.url], signatureUrl: signer.sign({uri: fileUrl(id), method: 'GET'}), url: fileUrl(id), ...options});
const files = () => stub.requests().filter(request => request.path.startsWith('/v1/files/'));
const bytes = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());

describe('getFile against the stub', () => {
	it('downloads the invoice PDF: the exact bytes the stub serves, with its type', async () => {
		const [id] = stub.fileIds();
		const blob = await run(id!);
		expect(blob.type).toBe('application/pdf;charset=utf-8');
		expect(await bytes(blob)).toEqual(new Uint8Array(makePdf('Invoice INV00000001')));
		expect(files().map(request => [request.method, request.path, request.status])).toEqual([['GET', `/v1/files/${id}`, 200]]);
	});

	it('downloads a large file whole', async () => {
		const text = 'x'.repeat(3_000_000);
		const blob = await run(stub.addFile(text));
		expect(blob.size).toBe(makePdf(text).length);
		expect(Buffer.from(await blob.arrayBuffer()).equals(makePdf(text))).toBe(true);
	});

	it("classifies Get File's JSON error (no `success`, a string code) by its status", async () => {
		const error = await failure(run('0123456789abcdef0123456789abcdef'));
		expect([error.kind, error.stage, error.status, error.code, error.retryable]).toEqual(['http', 'request', 404, 'SystemError', false]);
		expect(error.reasons).toEqual([{code: 'SystemError', message: 'File not found.'}]);
	});

	it('re-signs once when the pair was used (90000011), and downloads', async () => {
		const [id] = stub.fileIds();
		const prefetched = await signer.pair({uri: fileUrl(id!), method: 'GET'});
		await run(id!, {signature: prefetched});
		const blob = await run(id!, {signature: prefetched});
		expect(blob.size).toBe(makePdf('Invoice INV00000001').length);
		expect(files().map(request => [request.token === prefetched.token, request.status])).toEqual([
			[true, 200],
			[true, 200],
			[false, 200],
		]);
		expect(signer.received).toHaveLength(2);
	});

	it("refuses a URL that is not a file's before anything is sent", async () => {
		const error = await failure(getFile({allowedHosts: [stub.url], signatureUrl: signer.sign({}), url: `${stub.url}/v1/accounts`}));
		expect([error.kind, error.fields]).toEqual(['validation', {url: {code: 'option_invalid', message: 'not_operation_path: /v1/files/{file-id}'}}]);
		expect([signer.received.length, stub.requests().length]).toEqual([0, 0]);
	});
});

describe('getFile on the wire', () => {
	let body: Uint8Array;
	let type: string;
	const server = startServer(async (request, response: ServerResponse) => {
		if (request.url.startsWith('/signature')) {
			reply(response, 200, {signature: 'sig', token: 'tok'});
			return;
		}

		if (type === 'json') {
			reply(response, 200, {success: true});
			return;
		}

		response.writeHead(200, {'content-type': type});
		response.end(body);
	});
	afterAll(async () => (await server).close());

	it('sends GET with Accept application/pdf (or `accept`) and the pair, no body', async () => {
		const {url, received} = await server;
		received.length = 0;
		[body, type] = [new Uint8Array([37, 80, 68, 70]), 'application/pdf'];
		await getFile({allowedHosts: [url], signatureUrl: `${url}/signature`, url: `${url}/v1/files/f1`});
		await getFile({allowedHosts: [url], signature: {signature: 's2', token: 't2'}, url: `${url}/v1/files/f2`, accept: 'text/csv'});
		expect(received.map(request => [request.method, request.url, request.headers['accept'], request.headers['signature'], request.headers['token'], request.body])).toEqual([
			['POST', '/signature', 'application/json', undefined, undefined, ''],
			['GET', '/v1/files/f1', 'application/pdf', 'sig', 'tok', ''],
			['GET', '/v1/files/f2', 'text/csv', 's2', 't2', ''],
		]);
	});

	it('returns any bytes unchanged, whatever charset the type claims (no text decoding)', async () => {
		const {url} = await server;
		await fc.assert(
			fc.asyncProperty(
				fc.uint8Array({maxLength: 2048}),
				fc.constantFrom('application/pdf;charset=UTF-8', 'application/octet-stream', 'text/csv; charset=utf-8', 'application/pdf'),
				async (generated, contentType) => {
					[body, type] = [generated, contentType];
					const blob = await getFile({allowedHosts: [url], signature: {signature: 's', token: 't'}, url: `${url}/v1/files/f`});
					expect(await bytes(blob)).toEqual(generated);
				},
			),
			{numRuns: 60},
		);
	});

	it('rejects a JSON success instead of a file as invalid-response', async () => {
		const {url} = await server;
		type = 'json';
		const error = await failure(getFile({allowedHosts: [url], signature: {signature: 's', token: 't'}, url: `${url}/v1/files/f`}));
		expect([error.kind, error.stage, error.status, error.retryable]).toEqual(['invalid-response', 'request', 200, false]);
	});
});
