// Limits in a REAL Redis (Debian's redis-server, started here on a free loopback port): two
// handler instances share one count, and a Redis that is gone makes the handler fail closed.
import {createServer, request as httpRequest, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, beforeEach, expect, test} from 'vitest';
import {startRedis, type RedisServer} from '../../e2e/redis.mjs';
import {createSignatureHandler, createZuoraClient, toNodeListener, type SignatureHandlerOptions} from './index.js';
import {startZuoraStub, type ZuoraStub} from './stub.test-util.js';

let stub: ZuoraStub;
let redis: RedisServer;
const cleanups: Array<() => Promise<unknown> | void> = [];

beforeAll(async () => {
	// No skipping: without redis-server this fails and says how to get one.
	[stub, redis] = await Promise.all([startZuoraStub(), startRedis()]);
});
afterAll(async () => {
	await Promise.all([stub.close(), redis.stop()]);
});
beforeEach(() => {
	stub.reset();
});
afterEach(async () => {
	await Promise.all(cleanups.splice(0).map(async cleanup => cleanup()));
});

/** An ioredis client, connected (until it is ready, the handler counts Redis as unavailable). */
async function client(port = redis.port, waitReady = true) {
	const connection = new Redis({host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => 200});
	connection.on('error', () => undefined);
	cleanups.push(() => {
		connection.disconnect();
	});
	if (waitReady) {
		await new Promise(resolve => {
			connection.once('ready', resolve);
		});
	}

	return connection;
}

/** One instance: its own Redis connection, handler and HTTP server, as behind a load balancer. */
async function instance(options: Partial<SignatureHandlerOptions>) {
	const logs: string[] = [];
	const handler = createSignatureHandler({
		operation: 'credit-card',
		zuora: createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'}),
		authorize: () => ({session: 'attacker', accountKey: 'A00000001'}),
		log: line => logs.push(line),
		...options,
	});
	const server: Server = createServer(toNodeListener(handler));
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	cleanups.push(async () => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	}));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const post = async () => new Promise<{status: number; body: string; retryAfter: string | undefined}>((resolve, reject) => {
		const request = httpRequest(url, {method: 'POST', headers: {origin: url}, agent: false}, response => {
			let body = '';
			response.on('data', chunk => {
				body += String(chunk);
			});
			response.on('end', () => {
				resolve({status: response.statusCode ?? 0, body, retryAfter: response.headers['retry-after']});
			});
		});
		request.on('error', reject);
		request.end();
	});
	// Each instance trusts its own origin: the attacker uses each one's.
	return {post, logs};
}

test('two instances sharing one Redis hold an attacker alternating between them at the single global limit', async () => {
	const prefix = `test-${Date.now()}`;
	const limits = {session: {points: 6, duration: 60}, address: false, account: false} as const;
	const [a, b] = await Promise.all([instance({store: await client(), limits, keyPrefix: prefix}), instance({store: await client(), limits, keyPrefix: prefix})]);
	const statuses = [];
	for (let index = 0; index < 12; index++) {
		statuses.push((await (index % 2 === 0 ? a : b).post()).status); // eslint-disable-line no-await-in-loop
	}

	expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
	expect(stub.tokens().issued).toBe(6);

	// The same flood against two memory-store instances gets twice the limit: what Redis fixes.
	const [c, d] = await Promise.all([instance({limits}), instance({limits})]);
	const memory = [];
	for (let index = 0; index < 12; index++) {
		memory.push((await (index % 2 === 0 ? c : d).post()).status); // eslint-disable-line no-await-in-loop
	}

	expect(memory.filter(status => status === 200)).toHaveLength(12);
});

test('concurrent requests across instances still stop at the limit (the count is atomic in Redis)', async () => {
	const limits = {session: {points: 10, duration: 60}, address: false, account: false} as const;
	const prefix = `concurrent-${Date.now()}`;
	const [a, b] = await Promise.all([instance({store: await client(), limits, keyPrefix: prefix}), instance({store: await client(), limits, keyPrefix: prefix})]);
	const statuses = await Promise.all(Array.from({length: 40}, async (_, index) => (await (index % 2 === 0 ? a : b).post()).status));
	expect(statuses.filter(status => status === 200)).toHaveLength(10);
	expect(statuses.filter(status => status === 429)).toHaveLength(30);
});

test('Redis stopped mid-test: the handler fails closed (503, no token) and logs why', async () => {
	const own = await startRedis();
	cleanups.push(async () => own.stop());
	const {post, logs} = await instance({store: await client(own.port), limits: {session: {points: 100, duration: 60}}, keyPrefix: `down-${Date.now()}`});
	expect((await post()).status).toBe(200);
	await own.stop();
	const issued = stub.tokens().issued;
	const answers = await Promise.all(Array.from({length: 5}, async () => post()));
	expect(answers.map(answer => answer.status)).toEqual([503, 503, 503, 503, 503]);
	expect(JSON.parse(answers[0]!.body)).toEqual({reasons: [{code: 'LIMITS_UNAVAILABLE', message: 'Signatures are unavailable for a moment. Please try again.'}]});
	expect(stub.tokens().issued).toBe(issued);
	expect(logs).toHaveLength(5);
	for (const line of logs) {
		expect(line).toMatch(/^zuora-cors\/server credit-card: the limit store (?:failed: .+|did not answer within 1000 ms): failing closed \(503, no token\)$/);
	}
});

test('Redis on a wrong port from the start: 503, no token, a log line', async () => {
	const {post, logs} = await instance({store: await client(1, false), storeTimeoutMs: 300});
	const answer = await post();
	expect(answer.status).toBe(503);
	expect(stub.tokens().issued).toBe(0);
	expect(logs).toHaveLength(1);
	expect(logs[0]).toMatch(/failing closed \(503, no token\)$/);
});
