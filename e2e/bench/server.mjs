// `npm run bench:server`: what the signature handler adds over a direct call to Zuora (the stub),
// at 100 concurrent requests, with the memory store and with Redis on loopback.
//   direct:  client → stub POST /v1/hmac-signatures (bearer)              = Zuora's own time
//   handler: client → node:http + toNodeListener + createSignatureHandler → stub = the same + the handler
// Added latency = handler percentile − direct percentile. Run after `npm run build`.
import {Agent, createServer, request as httpRequest} from 'node:http';
import {Redis} from 'ioredis';
import {createSignatureHandler, createZuoraClient, toNodeListener} from 'zuora-cors/server';
import {startZuoraStub} from 'zuora-cors/testing';
import {startRedis} from '../redis.mjs';

const CONCURRENCY = 100;
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 6000);
const WARMUP = 600;

const agent = new Agent({keepAlive: true, maxSockets: CONCURRENCY});

/**
 * POSTs and resolves with the status.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} [body]
 * @returns {Promise<number>}
 */
async function post(url, headers, body) {
	return new Promise((resolve, reject) => {
		const request = httpRequest(url, {method: 'POST', headers, agent}, response => {
			response.resume();
			response.on('end', () => {
				resolve(response.statusCode ?? 0);
			});
		});
		request.on('error', reject);
		request.end(body);
	});
}

/**
 * `count` calls of `call`, `concurrency` at a time; latencies in ms and the throughput.
 * @param {() => Promise<number>} call
 * @param {number} count
 */
async function run(call, count, concurrency = CONCURRENCY) {
	/** @type {number[]} */
	const latencies = [];
	let next = 0;
	let failed = 0;
	const started = performance.now();
	await Promise.all(Array.from({length: concurrency}, async () => {
		while (next < count) {
			next++;
			const start = performance.now();
			const status = await call(); // eslint-disable-line no-await-in-loop
			latencies.push(performance.now() - start);
			if (status !== 200) failed++;
		}
	}));
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	const at = (/** @type {number} */ q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
	return {perSecond: count / seconds, p50: at(0.5), p99: at(0.99), failed};
}

const stub = await startZuoraStub();
const redis = await startRedis();
const redisClient = new Redis({host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1});
await new Promise(resolve => {
	redisClient.once('ready', resolve);
});

const zuora = createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'});
const bearer = await zuora.token();
const signatureBody = JSON.stringify({uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'});
const direct = async () => post(`${stub.url}/v1/hmac-signatures`, {authorization: `Bearer ${bearer}`, 'content-type': 'application/json'}, signatureBody);

/**
 * A handler on its own server; limits high enough that none is hit, keyed by 1,000 sessions.
 * @param {object} [store]
 */
async function handlerServer(store) {
	let session = 0;
	const handler = createSignatureHandler({
		operation: 'credit-card',
		zuora,
		authorize: () => ({session: `s${session++ % 1000}`, accountKey: 'A00000001'}),
		limits: {session: {points: 1e9, duration: 60}, address: {points: 1e9, duration: 60}, account: {points: 1e9, duration: 60}},
		...(store ? {store, keyPrefix: `bench-${Date.now()}`} : {}),
	});
	const server = createServer(toNodeListener(handler));
	await new Promise(resolve => {
		server.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `http://127.0.0.1:${address.port}`;
	return {server, call: async () => post(`${url}/signature`, {origin: url, 'content-length': '0'})};
}

const memory = await handlerServer();
const withRedis = await handlerServer(redisClient);
const modes = /** @type {const} */ ([['direct to the stub', direct], ['handler, memory store', memory.call], ['handler, Redis store', withRedis.call]]);
/** @type {Record<string, Awaited<ReturnType<typeof run>>>} */
const results = {};
/** @type {Record<string, Awaited<ReturnType<typeof run>>>} */
const unloaded = {};
for (const [name, call] of modes) {
	await run(call, WARMUP); // eslint-disable-line no-await-in-loop
	stub.reset();
	results[name] = await run(call, REQUESTS); // eslint-disable-line no-await-in-loop
	stub.reset();
	unloaded[name] = await run(call, 1000, 1); // eslint-disable-line no-await-in-loop
}

const base = /** @type {Awaited<ReturnType<typeof run>>} */ (results['direct to the stub']);
console.log(`${REQUESTS} signatures per mode, ${CONCURRENCY} concurrent, Node ${process.version}, loopback`);
console.log(`${'mode'.padEnd(24)} ${'sig/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'added p50'.padStart(10)} ${'added p99'.padStart(10)} ${'throughput ratio'.padStart(17)}`);
for (const [name, result] of Object.entries(results)) {
	const added = name === 'direct to the stub' ? ['', ''] : [(result.p50 - base.p50).toFixed(2), (result.p99 - base.p99).toFixed(2)];
	console.log(`${name.padEnd(24)} ${result.perSecond.toFixed(0).padStart(8)} ${result.p50.toFixed(2).padStart(8)} ${result.p99.toFixed(2).padStart(8)} ${added[0].padStart(10)} ${added[1].padStart(10)} ${(result.perSecond / base.perSecond).toFixed(2).padStart(17)}${result.failed > 0 ? `  (${result.failed} not 200!)` : ''}`);
}

console.log('\none at a time (no queueing), 1000 signatures per mode:');
const one = /** @type {Awaited<ReturnType<typeof run>>} */ (unloaded['direct to the stub']);
for (const [name, result] of Object.entries(unloaded)) {
	console.log(`${name.padEnd(24)} p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms${name === 'direct to the stub' ? '' : `  added p50 ${(result.p50 - one.p50).toFixed(2)} ms, p99 ${(result.p99 - one.p99).toFixed(2)} ms`}`);
}

// Latency at 100 concurrent includes queueing: added time per request is also shown as CPU-bound cost.
for (const name of ['handler, memory store', 'handler, Redis store']) {
	const result = /** @type {Awaited<ReturnType<typeof run>>} */ (results[name]);
	console.log(`${name}: ${((1000 / result.perSecond) - (1000 / base.perSecond)).toFixed(3)} ms of added service time per signature (1/throughput − 1/direct throughput)`);
}

agent.destroy();
redisClient.disconnect();
await Promise.all([stub.close(), redis.stop(), new Promise(resolve => {
	memory.server.closeAllConnections();
	memory.server.close(resolve);
}), new Promise(resolve => {
	withRedis.server.closeAllConnections();
	withRedis.server.close(resolve);
})]);
