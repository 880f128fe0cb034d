// Limits in a REAL Redis (Debian's redis-server, started here on a free loopback port): two
// handler instances share one count, keys reach Redis only hashed, a client still connecting
// is waited for, and a Redis that is gone makes the handler fail closed. Handlers are called
// in-process; Redis and the stub Zuora are real servers.
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, beforeEach, expect, test} from 'vitest';
import {startRedis, type RedisServer} from '../../e2e/redis.mjs';
import {createSignatureHandler, createZuoraClient, type SignatureHandlerOptions} from './index.js';
import {startZuoraStub, type ZuoraStub} from './stub.test-util.js';

const SHOP = 'http://127.0.0.1:8080';
const SECRET = 'a-test-secret-of-32-characters!!';
let stub: ZuoraStub;
let redis: RedisServer;
const cleanups: Array<() => unknown> = [];

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

/** An ioredis client; `waitReady`: resolved once it is ready. */
async function client(port = redis.port, {waitReady = true, lazyConnect = false} = {}) {
	const connection = new Redis({host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect});
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

/** One instance: its own handler, as behind a load balancer; `post` calls it in-process. */
function instance(options: Partial<SignatureHandlerOptions>) {
	const logs: string[] = [];
	const handler = createSignatureHandler({
		operation: 'credit-card',
		zuora: createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'}),
		authorize: () => ({session: 'attacker-session-id', accountKey: 'A00000001'}),
		limitKeySecret: SECRET,
		trustProxy: 0,
		log: line => logs.push(line),
		...options,
	});
	const post = async () => {
		const response = await handler(new Request(`${SHOP}/signature`, {method: 'POST', headers: {origin: SHOP}}), {clientAddress: '127.0.0.1'});
		return {status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after')};
	};

	return {post, logs};
}

test('two instances sharing one Redis hold an attacker alternating between them at the single global limit', async () => {
	const prefix = `test-${Date.now()}`;
	const limits = {session: {points: 6, duration: 60}, address: false, account: false} as const;
	const [a, b] = [instance({store: await client(), limits, keyPrefix: prefix}), instance({store: await client(), limits, keyPrefix: prefix})];
	const statuses = [];
	for (let index = 0; index < 12; index++) {
		statuses.push((await (index % 2 === 0 ? a : b).post()).status); // eslint-disable-line no-await-in-loop
	}

	expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
	expect(stub.tokens().issued).toBe(6);

	// The same flood against two memory-store instances gets twice the limit: what Redis fixes.
	const [c, d] = [instance({limits}), instance({limits})];
	const memory = [];
	for (let index = 0; index < 12; index++) {
		memory.push((await (index % 2 === 0 ? c : d).post()).status); // eslint-disable-line no-await-in-loop
	}

	expect(memory.filter(status => status === 200)).toHaveLength(12);
});

test('concurrent requests across instances still stop at the limit (the count is atomic in Redis)', async () => {
	const limits = {session: {points: 10, duration: 60}, address: false, account: false} as const;
	const prefix = `concurrent-${Date.now()}`;
	const [a, b] = [instance({store: await client(), limits, keyPrefix: prefix}), instance({store: await client(), limits, keyPrefix: prefix})];
	const statuses = await Promise.all(Array.from({length: 40}, async (_, index) => (await (index % 2 === 0 ? a : b).post()).status));
	expect(statuses.filter(status => status === 200)).toHaveLength(10);
	expect(statuses.filter(status => status === 429)).toHaveLength(30);
});

test('no session id, address or account reaches Redis as is: keys are keyed hashes, alike on instances with one secret, apart with another', async () => {
	const prefix = `hashed-${Date.now()}`;
	const limits = {session: {points: 2, duration: 60}, address: {points: 100, duration: 60}, account: {points: 100, duration: 60}} as const;
	const store = await client();
	await instance({store, limits, keyPrefix: prefix}).post();
	const keys = await store.keys(`${prefix}*`);
	expect(keys).toHaveLength(4);
	for (const key of keys) {
		expect(key).toMatch(new RegExp(`^${prefix}:(session|address|network|account):[\\w-]{22}$`));
		for (const secret of ['attacker-session-id', '127.0.0.1', '127.0.0.0/24', 'A00000001']) {
			expect(key).not.toContain(secret);
		}
	}

	// Same secret: the second instance counts the same session (limit 2: one more, then 429).
	expect((await instance({store: await client(), limits, keyPrefix: prefix}).post()).status).toBe(200);
	expect((await instance({store: await client(), limits, keyPrefix: prefix}).post()).status).toBe(429);
	// Another secret: another key for the same session.
	expect((await instance({store: await client(), limits, keyPrefix: prefix, limitKeySecret: `${SECRET}-other`}).post()).status).toBe(200);
	expect(await store.keys(`${prefix}:session:*`)).toHaveLength(2);
});

test('a store is checked when the handler is created: a Map, a plain object or a missing limitKeySecret is refused with a clear message', async () => {
	const base = {operation: 'credit-card', zuora: {baseUrl: stub.url, clientId: 'a', clientSecret: 'b'}, authorize: () => null, trustProxy: 0} as const;
	expect(() => createSignatureHandler({...base, store: new Map() as never, limitKeySecret: SECRET})).toThrow(
		"store must be a Redis client: ioredis (new Redis(...)) or node-redis v4+ (createClient(...)); got Map. Leave store out to count in this process's memory.",
	);
	expect(() => createSignatureHandler({...base, store: {} as never, limitKeySecret: SECRET})).toThrow('got Object');
	expect(() => createSignatureHandler({...base, store: 'redis://127.0.0.1' as never, limitKeySecret: SECRET})).toThrow('got string');
	const store = await client();
	expect(() => createSignatureHandler({...base, store})).toThrow('limitKeySecret is required with store');
	expect(() => createSignatureHandler({...base, store, limitKeySecret: 'short'})).toThrow('limitKeySecret must be a string of at least 16 characters');
	expect(() => createSignatureHandler({...base, store, limitKeySecret: SECRET, storeTimeoutMs: 0})).toThrow('storeTimeoutMs must be');
});

test('a client created before Redis is up is waited for (up to storeTimeoutMs), with one ready listener however many requests wait', async () => {
	const later = await startRedis();
	const port = later.port;
	await later.stop();
	const store = await client(port, {waitReady: false});
	const {post, logs} = instance({store, storeTimeoutMs: 30_000, limits: {session: {points: 100, duration: 60}}, keyPrefix: `cold-${Date.now()}`});
	// The handler's own 'ready' listeners (ioredis adds its own on each reconnect attempt).
	let ours = 0;
	const once = store.once.bind(store);
	store.once = (event, listener) => {
		ours += event === 'ready' && new Error('where').stack?.includes('redis-store') ? 1 : 0;
		return once(event, listener);
	};

	const waiting = Array.from({length: 20}, async () => post());
	await new Promise(resolve => {
		setImmediate(resolve);
	});
	expect(store.status).not.toBe('ready');
	expect(ours).toBe(1);
	const own = await startRedis({port});
	cleanups.push(async () => own.stop());
	const answers = await Promise.all(waiting);
	expect(answers.map(answer => answer.status)).toEqual(Array.from({length: 20}, () => 200));
	expect(logs).toEqual([]);
	expect(ours).toBe(1);
}, 40_000);

test('a lazyConnect client is connected by the first request', async () => {
	const store = await client(redis.port, {waitReady: false, lazyConnect: true});
	expect(store.status).toBe('wait');
	const {post} = instance({store, storeTimeoutMs: 10_000, keyPrefix: `lazy-${Date.now()}`});
	expect((await post()).status).toBe(200);
	expect(store.status).toBe('ready');
});

test('Redis stopped mid-test: the handler fails closed (503, no token) and logs why', async () => {
	const own = await startRedis();
	cleanups.push(async () => own.stop());
	const {post, logs} = instance({store: await client(own.port), storeTimeoutMs: 300, limits: {session: {points: 100, duration: 60}}, keyPrefix: `down-${Date.now()}`});
	expect((await post()).status).toBe(200);
	await own.stop();
	const issued = stub.tokens().issued;
	const answers = await Promise.all(Array.from({length: 5}, async () => post()));
	expect(answers.map(answer => answer.status)).toEqual([503, 503, 503, 503, 503]);
	expect(JSON.parse(answers[0]!.body)).toEqual({reasons: [{code: 'LIMITS_UNAVAILABLE', message: 'The checkout is unavailable for a moment. Please try again.'}]});
	expect(answers[0]!.retryAfter).toBe('5');
	expect(stub.tokens().issued).toBe(issued);
	expect(logs).toHaveLength(5);
	for (const line of logs) {
		expect(line).toMatch(/^zuora-cors\/server credit-card: the limit store (?:failed: .+|did not answer within 300 ms): failing closed \(503\)$/);
	}
});

test('Redis on a wrong port from the start: 503 after storeTimeoutMs, no token, a log line; a closed client: 503 at once, saying so', async () => {
	const {post, logs} = instance({store: await client(1, {waitReady: false}), storeTimeoutMs: 300});
	const answer = await post();
	expect(answer.status).toBe(503);
	expect(logs).toEqual(['zuora-cors/server credit-card: the limit store did not answer within 300 ms: failing closed (503)']);

	const closed = await client();
	const ended = new Promise(resolve => {
		closed.once('end', resolve);
	});
	await closed.quit();
	await ended;
	const afterEnd = instance({store: closed, storeTimeoutMs: 30_000});
	expect((await afterEnd.post()).status).toBe(503);
	expect(afterEnd.logs).toEqual(['zuora-cors/server credit-card: the limit store failed: the Redis client was closed (ioredis status "end"): create a new one: failing closed (503)']);
	expect(stub.tokens().issued).toBe(0);
});

test('refunds in Redis: a concurrent flood from four addresses of a /24 on two instances spends only its account; the network counts only admitted requests', async () => {
	const prefix = `refund-${Date.now()}`;
	const store = await client();
	const limits = {session: {points: 10, duration: 60}, account: {points: 20, duration: 3600}, address: {points: 30, duration: 60}, network: {points: 120, duration: 60}} as const;
	const handlers = [store, await client()].map(connection =>
		createSignatureHandler({
			operation: 'credit-card',
			zuora: createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'}),
			// The test's own sessions: the attacker gets a fresh one per request, as an anonymous checkout would give it.
			authorize: request => ({session: request.headers.get('x-test-session')!, accountKey: request.headers.get('x-test-account')!}),
			trustProxy: 0,
			store: connection,
			limitKeySecret: SECRET,
			keyPrefix: prefix,
			limits,
			log: () => undefined,
		}),
	);
	const post = async (index: number, session: string, account: string, address: string) =>
		(await handlers[index % 2]!(new Request(`${SHOP}/signature`, {method: 'POST', headers: {origin: SHOP, 'x-test-session': session, 'x-test-account': account}}), {clientAddress: address})).status;

	const flood = await Promise.all(Array.from({length: 200}, async (_, n) => post(n, `attacker-${n}`, 'A-attacker', `198.51.100.${(n % 4) + 1}`)));
	expect(flood.filter(status => status === 200)).toHaveLength(20);
	expect(flood.filter(status => status === 429)).toHaveLength(180);
	const [networkKey] = await store.keys(`${prefix}:network:*`);
	expect(Number(await store.get(networkKey!))).toBe(20);
	expect(await post(0, 'neighbour', 'A-neighbour', '198.51.100.200')).toBe(200);
	expect(Number(await store.get(networkKey!))).toBe(21);
});
