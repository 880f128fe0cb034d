// `npm run bench:server`: what the signature handler adds over a direct call to Zuora (the stub),
// at 100 concurrent requests, with the memory store and with Redis on loopback.
//   direct:  client → stub POST /v1/hmac-signatures (bearer)                      = Zuora's own time
//   handler: client → node:http + toNodeListener + createSignatureHandler → stub  = the same + the handler
// Added latency = handler percentile − direct percentile of the same round.
//
// Layout (one process per role, so a saturated load generator does not queue the handler):
//   parent     the load generator (this file), keep-alive node:http agent, 100 sockets
//   child 1    the stub Zuora (`zuora-cors/testing`)                     `node server.mjs stub`
//   child 2    both handler servers (memory store, Redis store)         `node server.mjs handlers`
//   redis      Debian's redis-server on loopback (e2e/redis.mjs)
// After a warm-up of every mode, ROUNDS rounds each run every mode once (the order rotates each
// round), at 100 concurrent and then one at a time, so background load on the machine falls on
// all modes alike; the table shows the median round of each figure. Run after `npm run build`.
import {fork} from 'node:child_process';
import {once} from 'node:events';
import {Agent, createServer, request as httpRequest} from 'node:http';
import {availableParallelism, loadavg} from 'node:os';
import {fileURLToPath} from 'node:url';

const CONCURRENCY = 100;
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 4000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SEQUENTIAL = Number(process.env['BENCH_SEQUENTIAL'] ?? 500);
const WARMUP = 1500;
const ROLE = process.argv[2];

/**
 * Answers the parent's messages `{id, op, ...}` with `{id, ...result}`.
 * @param {(message: any) => Promise<Record<string, unknown>>} answer
 */
function serveParent(answer) {
	process.on('message', async (/** @type {any} */ message) => {
		process.send?.({id: message.id, ...(await answer(message))});
	});
	process.on('disconnect', () => process.exit(0));
}

/** This process's CPU time so far, in ms (user + system). */
function cpuMs() {
	const {user, system} = process.cpuUsage();
	return (user + system) / 1000;
}

if (ROLE === 'stub') {
	const {startZuoraStub} = await import('zuora-cors/testing');
	const stub = await startZuoraStub();
	serveParent(async message => {
		if (message.op === 'reset') {
			stub.reset();
		}
		return {url: stub.url, cpuMs: cpuMs()};
	});
} else if (ROLE === 'handlers') {
	const {Redis} = await import('ioredis');
	const {createSignatureHandler, createZuoraClient, toNodeListener} = await import('zuora-cors/server');
	const [stubUrl, redisPort] = [String(process.argv[3]), Number(process.argv[4])];
	const redisClient = new Redis({host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1});
	await once(redisClient, 'ready');
	const zuora = createZuoraClient({baseUrl: stubUrl, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'});
	const bearer = await zuora.token();

	/**
	 * A handler on its own server; limits high enough that none is hit, keyed by 1,000 sessions.
	 * @param {import('zuora-cors/server').RedisStore} [store]
	 */
	const handlerServer = async store => {
		let session = 0;
		const handler = createSignatureHandler({
			operation: 'credit-card',
			zuora,
			authorize: () => ({session: `s${session++ % 1000}`, accountKey: 'A00000001'}),
			limits: {session: {points: 1e9, duration: 60}, address: {points: 1e9, duration: 60}, account: {points: 1e9, duration: 60}},
			trustProxy: 0,
			...(store ? {store, keyPrefix: `bench-${Date.now()}`, limitKeySecret: 'bench-limit-key-secret-32-chars!'} : {}),
		});
		const server = createServer({keepAliveTimeout: 60_000}, toNodeListener(handler));
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		const address = /** @type {import('node:net').AddressInfo} */ (server.address());
		return `http://127.0.0.1:${address.port}`;
	};

	const urls = {memory: await handlerServer(), redis: await handlerServer(redisClient)};
	serveParent(async () => ({urls, bearer, cpuMs: cpuMs()}));
} else {
	await parent();
}

async function parent() {
	const {startRedis} = await import('../redis.mjs');
	const file = fileURLToPath(import.meta.url);
	const agent = new Agent({keepAlive: true, maxSockets: CONCURRENCY});

	/**
	 * A child process running this file in `role`, and a way to ask it things.
	 * @param {string[]} args
	 */
	const child = async (...args) => {
		// BENCH_PROFILE=<dir>: the handler process writes a CPU profile there (node --cpu-prof).
		const profile = args[0] === 'handlers' && process.env['BENCH_PROFILE'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_PROFILE']] : [];
		const process_ = fork(file, args, {stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profile});
		let nextId = 0;
		/** @type {Map<number, (value: any) => void>} */
		const waiting = new Map();
		process_.on('message', (/** @type {any} */ message) => {
			waiting.get(message.id)?.(message);
			waiting.delete(message.id);
		});
		/** @param {string} op @returns {Promise<any>} */
		const ask = async op =>
			new Promise(resolve => {
				const id = nextId++;
				waiting.set(id, resolve);
				process_.send({id, op});
			});
		return {process: process_, ask};
	};

	/**
	 * POSTs and resolves with the status.
	 * @param {string} url
	 * @param {Record<string, string>} headers
	 * @param {string} [body]
	 * @returns {Promise<number>}
	 */
	const post = async (url, headers, body) =>
		new Promise((resolve, reject) => {
			const request = httpRequest(url, {method: 'POST', headers, agent}, response => {
				response.resume();
				response.on('end', () => {
					resolve(response.statusCode ?? 0);
				});
			});
			request.on('error', reject);
			request.end(body);
		});

	const redis = await startRedis();
	const stub = await child('stub');
	const {url: stubUrl} = await stub.ask('url');
	const handlers = await child('handlers', stubUrl, String(redis.port));
	const {urls, bearer} = await handlers.ask('urls');

	const signatureBody = JSON.stringify({uri: `${stubUrl}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'});
	/** @type {Array<{name: string, call: () => Promise<number>}>} */
	const modes = [
		{name: 'direct to the stub', call: async () => post(`${stubUrl}/v1/hmac-signatures`, {authorization: `Bearer ${bearer}`, 'content-type': 'application/json'}, signatureBody)},
		{name: 'handler, memory store', call: async () => post(`${urls.memory}/signature`, {origin: urls.memory, 'content-length': '0'})},
		{name: 'handler, Redis store', call: async () => post(`${urls.redis}/signature`, {origin: urls.redis, 'content-length': '0'})},
	];

	/**
	 * `count` calls of `call`, `concurrency` at a time: throughput, percentiles, and the CPU the
	 * stub and handler processes spent per signature.
	 * @param {() => Promise<number>} call
	 * @param {number} count
	 */
	const run = async (call, count, concurrency = CONCURRENCY) => {
		await stub.ask('reset');
		const [stubBefore, handlersBefore] = await Promise.all([stub.ask('cpu'), handlers.ask('cpu')]);
		/** @type {number[]} */
		const latencies = [];
		let next = 0;
		let failed = 0;
		const started = performance.now();
		await Promise.all(
			Array.from({length: concurrency}, async () => {
				while (next < count) {
					next++;
					const start = performance.now();
					const status = await call(); // eslint-disable-line no-await-in-loop
					latencies.push(performance.now() - start);
					if (status !== 200) {
						failed++;
					}
				}
			}),
		);
		const seconds = (performance.now() - started) / 1000;
		const [stubAfter, handlersAfter] = await Promise.all([stub.ask('cpu'), handlers.ask('cpu')]);
		latencies.sort((a, b) => a - b);
		const at = (/** @type {number} */ q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
		return {
			perSecond: count / seconds,
			p50: at(0.5),
			p99: at(0.99),
			failed,
			stubCpuUs: ((stubAfter.cpuMs - stubBefore.cpuMs) * 1000) / count,
			handlerCpuUs: ((handlersAfter.cpuMs - handlersBefore.cpuMs) * 1000) / count,
		};
	};

	console.log(
		`Node ${process.version}, ${availableParallelism()} cores, load average before: ${loadavg()
			.map(load => load.toFixed(2))
			.join(' ')}`,
	);
	for (const {call} of modes) {
		await run(call, WARMUP); // eslint-disable-line no-await-in-loop
		await run(call, 200, 1); // eslint-disable-line no-await-in-loop
	}

	/** @typedef {Awaited<ReturnType<typeof run>>} Result */
	/** @type {Array<Record<string, {loaded: Result, one: Result}>>} */
	const rounds = [];
	for (let round = 0; round < ROUNDS; round++) {
		/** @type {Record<string, {loaded: Result, one: Result}>} */
		const results = {};
		for (let index = 0; index < modes.length; index++) {
			const {name, call} = /** @type {typeof modes[number]} */ (modes[(index + round) % modes.length]);
			const loaded = await run(call, REQUESTS); // eslint-disable-line no-await-in-loop
			const one = await run(call, SEQUENTIAL, 1); // eslint-disable-line no-await-in-loop
			results[name] = {loaded, one};
		}

		rounds.push(results);
		const line = modes
			.map(({name}) => {
				const {loaded} = /** @type {{loaded: Result}} */ (results[name]);
				return `${name}: ${loaded.perSecond.toFixed(0)}/s p50 ${loaded.p50.toFixed(2)} p99 ${loaded.p99.toFixed(2)}${loaded.failed > 0 ? ` (${loaded.failed} not 200!)` : ''}`;
			})
			.join(' | ');
		console.log(`round ${round + 1}: ${line}`);
	}

	/** The median over rounds of `pick(round)`. */
	const median = (/** @type {(round: Record<string, {loaded: Result, one: Result}>) => number} */ pick) => {
		const values = rounds.map(pick).sort((a, b) => a - b);
		return /** @type {number} */ (values[Math.floor(values.length / 2)]);
	};

	const base = modes[0]?.name ?? '';
	const get = (/** @type {Record<string, {loaded: Result, one: Result}>} */ round, /** @type {string} */ name) => /** @type {{loaded: Result, one: Result}} */ (round[name]);
	const pad = (/** @type {string} */ text, /** @type {number} */ width) => text.padStart(width);
	console.log(`\n${REQUESTS} signatures per mode per round at ${CONCURRENCY} concurrent, ${SEQUENTIAL} one at a time; median of ${ROUNDS} rounds (added: per round, handler − direct)`);
	console.log(
		`${'mode'.padEnd(24)} ${pad('sig/s', 7)} ${pad('p50', 7)} ${pad('p99', 7)} ${pad('+p50', 7)} ${pad('+p99', 7)} ${pad('÷direct', 7)} | ${pad('1-at-a-time p50', 15)} ${pad('p99', 6)} ${pad('+p50', 6)} ${pad('+p99', 6)} | ${pad('CPU µs/sig: handler', 19)} ${pad('stub', 5)}`,
	);
	for (const {name} of modes) {
		const isBase = name === base;
		const added = (/** @type {(result: {loaded: Result, one: Result}) => number} */ pick) => (isBase ? '' : median(round => pick(get(round, name)) - pick(get(round, base))).toFixed(2));
		console.log(
			[
				name.padEnd(24),
				pad(median(round => get(round, name).loaded.perSecond).toFixed(0), 7),
				pad(median(round => get(round, name).loaded.p50).toFixed(2), 7),
				pad(median(round => get(round, name).loaded.p99).toFixed(2), 7),
				pad(
					added(result => result.loaded.p50),
					7,
				),
				pad(
					added(result => result.loaded.p99),
					7,
				),
				pad(median(round => get(round, name).loaded.perSecond / get(round, base).loaded.perSecond).toFixed(2), 7),
				'|',
				pad(median(round => get(round, name).one.p50).toFixed(3), 15),
				pad(median(round => get(round, name).one.p99).toFixed(2), 6),
				pad(
					added(result => result.one.p50),
					6,
				),
				pad(
					added(result => result.one.p99),
					6,
				),
				'|',
				pad(isBase ? '' : median(round => get(round, name).loaded.handlerCpuUs).toFixed(0), 19),
				pad(median(round => get(round, name).loaded.stubCpuUs).toFixed(0), 5),
			].join(' '),
		);
	}

	console.log(
		`load average after: ${loadavg()
			.map(load => load.toFixed(2))
			.join(' ')}`,
	);
	agent.destroy();
	stub.process.disconnect();
	handlers.process.disconnect();
	await Promise.all([once(stub.process, 'exit'), once(handlers.process, 'exit'), redis.stop()]);
}
