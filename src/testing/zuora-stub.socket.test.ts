// What the stub's socket does, against a real server on port 0: connections dropped before and
// after processing, a hanging answer ended by close(), latency ended by close(), slow clients cut
// off, the connection limit, and main(). The decisions are tested in-process in zuora-stub.test.ts.
import {once} from 'node:events';
import {connect, type Socket} from 'node:net';
import {describe, it, expect, afterEach, beforeEach, vi} from 'vitest';
import {main, startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from './zuora-stub.js';
import {call, card, corsPost, CREDIT_CARDS, expectFailure, SHOP, signFor, USED_TOKEN} from './zuora-stub.test-util.js';

// Explicit timeouts, generous for a loaded machine; no test waits on the wall clock for behaviour.
vi.setConfig({testTimeout: 30_000, hookTimeout: 30_000});

/** A fresh stub on port 0 for every test (nothing shared between tests), closed after it. */
function useStub(options: ZuoraStubOptions = {}) {
	const holder = {} as {stub: ZuoraStub};
	beforeEach(async () => {
		holder.stub = await startZuoraStub({allowedOrigins: [SHOP], ...options});
	});
	afterEach(() => holder.stub.close());
	return holder;
}

describe('faults on the wire', () => {
	const zuora = useStub();

	it("'reset' drops the connection before processing: nothing created, token unspent", async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		zuora.stub.failNext(1, 'reset');
		await expect(corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).rejects.toThrow('fetch failed');
		expect(zuora.stub.paymentMethods()).toEqual([]);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 0});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).json.success).toBe(true);
		expect(
			zuora.stub
				.requests()
				.filter(entry => entry.path === CREDIT_CARDS)
				.map(entry => entry.status),
		).toEqual([null, 200]);
	});

	it("'hang' never answers", async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		zuora.stub.failNext(1, 'hang');
		const client = new AbortController();
		const hanging = corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {}, {signal: client.signal});
		await vi.waitFor(() => expect(zuora.stub.requests().filter(entry => entry.path === CREDIT_CARDS)).toHaveLength(1));
		client.abort();
		await expect(hanging).rejects.toMatchObject({name: 'AbortError'});
		expect(
			zuora.stub
				.requests()
				.filter(entry => entry.path === CREDIT_CARDS)
				.map(entry => entry.status),
		).toEqual([null]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 0});
	});

	it("'answerLost' processes the request (method created, token spent), then drops the connection before any answer", async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		zuora.stub.failNext(1, 'answerLost');
		await expect(corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).rejects.toThrow('fetch failed');
		expect(zuora.stub.paymentMethods()).toEqual([expect.objectContaining({accountKey: 'A00000001', last4: '1111'})]);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 1});
		// A browser's own re-send of the lost POST meets the spent token; still one method.
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), pair), [USED_TOKEN]);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
		expect(
			zuora.stub
				.requests()
				.filter(entry => entry.path === CREDIT_CARDS)
				.map(entry => entry.status),
		).toEqual([null, 200]);
	});

	it('delays every answer, preflights included, but not the controls', async () => {
		const stub = await startZuoraStub({allowedOrigins: [SHOP], testMode: true});
		try {
			// Behaviour, not timing: with a latency no test would wait for, the preflight stays
			// unanswered while a control answers at once; close() ends the delayed one.
			stub.setLatency(600_000);
			const delayed = call(`${stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS', headers: {origin: SHOP}});
			delayed.catch(() => {}); // rejected by close() below
			await vi.waitFor(() => expect(stub.requests()).toEqual([expect.objectContaining({method: 'OPTIONS', path: CREDIT_CARDS})]));
			expect((await call(`${stub.url}/__stub/requests`)).json).toEqual([expect.objectContaining({method: 'OPTIONS', status: null})]);
			stub.setLatency(0);
			expect((await call(`${stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS', headers: {origin: SHOP}})).status).toBe(204);
			expect(stub.requests().map(entry => entry.status)).toEqual([null, 204]);
			await stub.close();
			await expect(delayed).rejects.toThrow('fetch failed');
		} finally {
			await stub.close();
		}
	});

	it('close() ends a hanging request', async () => {
		const stub = await startZuoraStub();
		stub.failNext(1, 'hang', ['/anything']);
		const hanging = call(`${stub.url}/anything`, {method: 'POST'});
		await vi.waitFor(() => expect(stub.requests()).toHaveLength(1));
		await stub.close();
		await expect(hanging).rejects.toThrow('fetch failed');
	});
});

describe('slow clients', () => {
	/** Opens a raw connection and writes `chunks` one by one, `gapMs` apart, until the server closes it. */
	function trickle(port: number, chunks: string[], gapMs: number) {
		return new Promise<{received: string; writesBeforeClose: number}>((resolve, reject) => {
			const socket = connect(port, '127.0.0.1');
			let received = '';
			let writes = 0;
			let timer: NodeJS.Timeout | undefined;
			const next = () => {
				const chunk = chunks[writes];
				if (chunk === undefined || socket.destroyed) {
					return;
				}

				socket.write(chunk);
				writes += 1;
				timer = setTimeout(next, gapMs);
			};

			socket.on('connect', next);
			socket.on('data', data => {
				received += data.toString('latin1');
			});
			socket.on('error', () => {}); // a reset after the 408 is fine
			socket.on('close', () => {
				clearTimeout(timer);
				resolve({received, writesBeforeClose: writes});
			});
			socket.setTimeout(10_000, () => reject(new Error('the server never cut the slow client off')));
		});
	}

	it('cuts off a client trickling its headers (headersTimeoutMs) with 408, and one trickling its body (requestTimeoutMs)', async () => {
		const stub = await startZuoraStub({headersTimeoutMs: 200, requestTimeoutMs: 400});
		try {
			const headerBytes = [`POST ${CREDIT_CARDS} HTTP/1.1\r\n`, 'Host: x\r\n', ...Array.from({length: 200}, (_, index) => `X-${index}: 1\r\n`)];
			const slowHeaders = await trickle(stub.port, headerBytes, 20);
			expect(slowHeaders.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
			expect(slowHeaders.writesBeforeClose).toBeLessThan(headerBytes.length);

			const body = JSON.stringify(card());
			const bodyBytes = [`POST ${CREDIT_CARDS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, ...body.split('')];
			const slowBody = await trickle(stub.port, bodyBytes, 20);
			expect(slowBody.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
			expect(slowBody.writesBeforeClose).toBeLessThan(bodyBytes.length);
			expect(stub.paymentMethods()).toEqual([]);
			expect(stub.requests().map(entry => entry.status)).toEqual([null]);
		} finally {
			await stub.close();
		}
	});

	it('closes a connection over maxConnections at once and serves the others', async () => {
		const stub = await startZuoraStub({maxConnections: 2});
		const open: Socket[] = [];
		try {
			for (let index = 0; index < 2; index++) {
				const socket = connect(stub.port, '127.0.0.1');
				await once(socket, 'connect');
				open.push(socket);
			}

			const extra = connect(stub.port, '127.0.0.1');
			extra.on('error', () => {});
			extra.write(`GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n`);
			let extraData = '';
			extra.on('data', data => {
				extraData += data.toString();
			});
			await once(extra, 'close');
			expect(extraData).toBe('');
			// The two admitted connections are still served.
			open[0]!.write(`GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
			const [data] = (await once(open[0]!, 'data')) as [Buffer];
			expect(data.toString()).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
		} finally {
			for (const socket of open) {
				socket.destroy();
			}

			await stub.close();
		}
	});
});

describe('main', () => {
	it('starts from the environment and prints the URL', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		const stub = await main({PORT: '0', ALLOWED_ORIGINS: `${SHOP}, http://other.test`, STUB_TEST_MODE: '1'});
		try {
			expect(log).toHaveBeenCalledWith(`Zuora stub listening on ${stub.url}`);
			const preflight = await call(`${stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS', headers: {origin: 'http://other.test'}});
			expect(preflight.headers.get('access-control-allow-origin')).toBe('http://other.test');
			expect((await call(`${stub.url}/__stub/requests`)).status).toBe(200);
		} finally {
			log.mockRestore();
			await stub.close();
		}
	});
});
