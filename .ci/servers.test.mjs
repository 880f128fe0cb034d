// The README's server blocks, run as printed against a stub Zuora (zuora-cors/testing) and real
// servers on port 0: the integration's Express shop and card origin (endpoints.mjs + server.mjs), the Hono,
// Fastify and Next.js blocks of "Servers", and each Redis block of "Stores" under the Express
// shop while a real redis-server is stopped and started beneath it. The blocks are written into
// a temporary folder inside the repository, so 'zuora-cors/…' resolves to the build (dist/)
// through package.json `exports` and the frameworks to the repository's devDependencies.
//
//   npm run build && node --test .ci/servers.test.mjs      (redis-server: node e2e/redis.mjs)
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {startZuoraStub} from 'zuora-cors/testing';
import {startRedis} from '../e2e/redis.mjs';
import {extractBlocks} from './readme.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const NEXT_ROUTE = 'app/checkout/[endpoint]/route.js';
/** The README blocks this file runs, by the name their comment announces. */
const BLOCKS = ['endpoints.mjs', 'server.mjs', 'checkout.html', 'checkout.js', 'hono.mjs', 'fastify.mjs', NEXT_ROUTE, 'redis.mjs', 'ioredis.mjs'];
const CLIENT = {clientId: 'demo-client-id', clientSecret: 'demo-client-secret'};
const SESSION = 'a'.repeat(32);
const SECRET = 'a-limit-key-secret-of-32-chars!!';
/** A card origin for the framework blocks (same site as their loopback servers). */
const CARD_ORIGIN = 'http://127.0.0.1:9';

const folder = mkdtempSync(path.join(root, '.ci', '.servers-'));
/** @type {import('zuora-cors/testing').ZuoraStub} */
let stub;

before(async () => {
	const blocks = extractBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
	for (const name of BLOCKS) {
		const block = blocks.find(candidate => candidate.file === name);
		assert.ok(block, `README.md announces no block as ${name}`);
		mkdirSync(path.dirname(path.join(folder, name)), {recursive: true});
		writeFileSync(path.join(folder, name), `${block.text}\n`);
	}

	stub = await startZuoraStub();
});
after(async () => {
	await stub?.close();
	rmSync(folder, {recursive: true, force: true});
});

/**
 * A README block's module, imported from the temporary folder.
 * @param {string} name
 * @returns {Promise<any>}
 */
const load = async name => import(pathToFileURL(path.join(folder, name)).href);

/**
 * A shopper's page asking the endpoints: a signature (the pair Zuora issued, for the session's
 * account), then reconcile with its token. Returns both answers.
 * @param {string} base the server's URL, also the page's origin unless `origin` is given
 * @param {{prefix?: string, origin?: string, cookie?: string}} [options]
 */
async function askEndpoints(base, {prefix = '', origin = base, cookie = `sid=${SESSION}`} = {}) {
	const headers = {origin, cookie, 'sec-fetch-site': 'same-origin'};
	const signature = await fetch(`${base}${prefix}/signature`, {method: 'POST', headers});
	const signed = await signature.json();
	const question = {token: signed.token, creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2030};
	const reconcile = await fetch(`${base}${prefix}/reconcile`, {method: 'POST', headers: {...headers, 'content-type': 'application/json'}, body: JSON.stringify(question)});
	return {signature: {status: signature.status, body: signed}, reconcile: {status: reconcile.status, body: await reconcile.json()}};
}

/**
 * The card frame's preflight of its reconcile request (a JSON body): every server must route
 * OPTIONS to the handler, which answers it for the frame's origin, same site, with credentials.
 * @param {string} url
 * @param {string} frameOrigin
 */
async function assertPreflight(url, frameOrigin) {
	const headers = {origin: frameOrigin, 'sec-fetch-site': 'same-site', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type'};
	const answer = await fetch(url, {method: 'OPTIONS', headers});
	assert.equal(answer.status, 204, `OPTIONS ${url}`);
	assert.equal(answer.headers.get('access-control-allow-origin'), frameOrigin);
	assert.equal(answer.headers.get('access-control-allow-credentials'), 'true');
}

/**
 * What every server must answer: a pair for the session's account, then "no such card" for its token.
 * @param {Awaited<ReturnType<typeof askEndpoints>>} answers
 */
function assertAnswered({signature, reconcile}) {
	assert.equal(signature.status, 200, JSON.stringify(signature.body));
	assert.equal(signature.body.accountKey, 'A00000042');
	assert.equal(typeof signature.body.token, 'string');
	assert.deepEqual(reconcile, {status: 200, body: {success: true, paymentMethodId: null}});
}

describe('the integration (Express)', () => {
	test('serves the page with its CSP and the frames script pinned by its hash, the card origin, and the two endpoints answering it', async () => {
		const {startShop} = await load('server.mjs');
		const shop = await startShop({zuoraUrl: stub.url, ...CLIENT, trustProxy: 0, port: 0, cardPort: 0, allowedHosts: [stub.url]});
		try {
			assert.notEqual(shop.cardOrigin, shop.url);
			const page = await fetch(`${shop.url}/`);
			const html = await page.text();
			const sri = JSON.parse(readFileSync(path.join(root, 'dist/sri.json'), 'utf8'))['zuora-cors-frames.iife.min.js'];
			assert.ok(html.includes(`integrity="${sri}"`), 'the page pins the frames bundle by its hash');
			// The page talks to its own origin only and frames the card origin.
			assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self'; frame-src ${shop.cardOrigin}; form-action 'none'`));
			const cookie = /sid=\w{32}/.exec(page.headers.get('set-cookie') ?? '')?.[0];
			assert.ok(cookie, 'the page starts a session');
			const bundle = await fetch(`${shop.url}/zuora-cors-frames.iife.min.js`);
			assert.equal(await bundle.text(), readFileSync(path.join(root, 'dist/zuora-cors-frames.iife.min.js'), 'utf8'));
			assert.deepEqual(await (await fetch(`${shop.url}/checkout-config.json`)).json(), {frameUrl: `${shop.cardOrigin}/`});
			// The card origin serves the frame page, framed by the shop only, sending to the shop and the stub only.
			const frame = await fetch(`${shop.cardOrigin}/`);
			assert.equal(frame.status, 200);
			const frameCsp = frame.headers.get('content-security-policy') ?? '';
			assert.match(frameCsp, new RegExp(`connect-src ${shop.url} ${stub.url};`));
			assert.match(frameCsp, new RegExp(`frame-ancestors ${shop.url};`));
			assertAnswered(await askEndpoints(shop.url, {cookie}));
			await assertPreflight(`${shop.url}/reconcile`, shop.cardOrigin);
			// The frame's signature request (same site, from the card origin) is answered CORS with credentials.
			const fromFrame = await fetch(`${shop.url}/signature`, {method: 'POST', headers: {origin: shop.cardOrigin, cookie, 'sec-fetch-site': 'same-site'}});
			assert.equal(fromFrame.status, 200);
			assert.equal(fromFrame.headers.get('access-control-allow-origin'), shop.cardOrigin);
			assert.equal(fromFrame.headers.get('access-control-allow-credentials'), 'true');
			const crossSite = await fetch(`${shop.url}/signature`, {method: 'POST', headers: {origin: 'https://evil.example', cookie}});
			assert.equal(crossSite.status, 403);
		} finally {
			await shop.close();
		}
	});

	test('a server that cannot learn the client address fails when its endpoints are created, naming trustProxy', async () => {
		const {createEndpoints} = await load('endpoints.mjs');
		assert.throws(() => createEndpoints({zuoraUrl: stub.url, ...CLIENT}), {name: 'TypeError', message: /^trustProxy is required: 0 when shoppers connect to this server/});
	});
});

describe('Servers', () => {
	before(async () => {
		(await load('endpoints.mjs')).sessions.set(SESSION, 'A00000042');
	});

	test('Hono on @hono/node-server: the connection address passed from getConnInfo', async () => {
		const {startHono} = await load('hono.mjs');
		const server = await startHono({zuoraUrl: stub.url, ...CLIENT, port: 0, frameOrigin: CARD_ORIGIN});
		try {
			assertAnswered(await askEndpoints(`http://127.0.0.1:${server.address().port}`));
			await assertPreflight(`http://127.0.0.1:${server.address().port}/reconcile`, CARD_ORIGIN);
		} finally {
			server.close();
		}
	});

	test('Fastify: the routes taken over before Fastify parses the body (reconcile reads it)', async () => {
		const {startFastify} = await load('fastify.mjs');
		const app = await startFastify({zuoraUrl: stub.url, ...CLIENT, port: 0, frameOrigin: CARD_ORIGIN});
		try {
			assertAnswered(await askEndpoints(`http://127.0.0.1:${app.server.address().port}`));
			await assertPreflight(`http://127.0.0.1:${app.server.address().port}/reconcile`, CARD_ORIGIN);
		} finally {
			await app.close();
		}
	});

	test('Next.js: the route handler built by `next build` and served by `next start`', {timeout: 240_000}, async () => {
		// A route of the test's own, beside the README's, starts a session (a shop's sign-in would).
		const sessionRoute = path.join(folder, 'app/test-session/route.js');
		mkdirSync(path.dirname(sessionRoute), {recursive: true});
		writeFileSync(
			sessionRoute,
			`import {sessions} from '../../endpoints.mjs';\nexport function POST() {\n\tsessions.set('${SESSION}', 'A00000042');\n\treturn new Response(null, {status: 204});\n}\n`,
		);
		const next = path.join(root, 'node_modules/next/dist/bin/next');
		const env = {...process.env, NEXT_TELEMETRY_DISABLED: '1'};
		await run(process.execPath, [next, 'build'], {cwd: folder, env});
		const port = await freePort();
		const origin = `http://127.0.0.1:${port}`;
		const server = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
			cwd: folder,
			env: {...env, ZUORA_BASE_URL: stub.url, ZUORA_CLIENT_ID: CLIENT.clientId, ZUORA_CLIENT_SECRET: CLIENT.clientSecret, SHOP_ORIGIN: origin, CARD_ORIGIN},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			await waitForOutput(server, /Ready in/);
			assert.equal((await fetch(`${origin}/test-session`, {method: 'POST'})).status, 204);
			assertAnswered(await askEndpoints(origin, {prefix: '/checkout'}));
			await assertPreflight(`${origin}/checkout/reconcile`, CARD_ORIGIN);
			assert.equal((await fetch(`${origin}/checkout/signature`, {method: 'POST', headers: {origin: 'https://evil.example', cookie: `sid=${SESSION}`}})).status, 403);
			assert.equal((await fetch(`${origin}/checkout/elsewhere`, {method: 'POST', headers: {origin}})).status, 404);
		} finally {
			server.kill('SIGTERM');
			await once(server, 'exit');
		}
	});
});

describe('Stores: Redis stopped and started under a running shop', () => {
	for (const [name, client] of /** @type {const} */ ([
		['redis.mjs', 'node-redis'],
		['ioredis.mjs', 'ioredis'],
	])) {
		test(`${client} (${name}): the shop listens with Redis down, answers 503 while it is away, recovers by itself`, {timeout: 120_000}, async () => {
			// A port where nothing listens yet: Redis is down when the shop starts.
			const port = await freePort();
			const {redisLimits} = await load(name);
			process.env['LIMIT_KEY_SECRET'] = SECRET;
			const limits = redisLimits(`redis://127.0.0.1:${port}`);
			const {startShop} = await load('server.mjs');
			/** @type {string[]} */
			const errors = [];
			const consoleError = console.error;
			console.error = (/** @type {unknown[]} */ ...line) => errors.push(line.join(' '));
			const shop = await startShop({zuoraUrl: stub.url, ...CLIENT, trustProxy: 0, port: 0, cardPort: 0, limits});
			try {
				const cookie = /sid=\w{32}/.exec((await fetch(`${shop.url}/`)).headers.get('set-cookie') ?? '')?.[0] ?? '';
				const sign = async () => {
					const answer = await fetch(`${shop.url}/signature`, {method: 'POST', headers: {origin: shop.url, cookie}});
					return {status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.json()};
				};

				const down = await sign();
				assert.deepEqual([down.status, down.retryAfter, down.body.reasons[0].code], [503, '5', 'LIMITS_UNAVAILABLE']);
				let redis = await startRedis({port});
				assert.equal(await untilAnswered(sign), 200);
				await redis.stop();
				assert.equal((await sign()).status, 503);
				redis = await startRedis({port});
				try {
					assert.equal(await untilAnswered(sign), 200);
					// The counts are in this Redis, under hashed keys: the store was used, not bypassed.
					const keys = await redisKeys(port);
					assert.ok(
						keys.some(key => /^zuora-cors:credit-card:session:[\w-]{22}$/.test(key)),
						keys.join(', '),
					);
				} finally {
					await redis.stop();
				}

				assert.ok(
					errors.some(line => line.startsWith('Redis: ')),
					'the README block logs the client errors',
				);
			} finally {
				console.error = consoleError;
				delete process.env['LIMIT_KEY_SECRET'];
				await shop.close();
				await closeClient(limits.store);
			}
		});
	}
});

/**
 * Asks until an answer is not 503 (each 503 takes up to storeTimeoutMs, 1 s, while the client
 * reconnects); the first other status. At most 60 attempts.
 * @param {() => Promise<{status: number}>} sign
 */
async function untilAnswered(sign) {
	for (let attempt = 0; attempt < 60; attempt++) {
		const {status} = await sign(); // eslint-disable-line no-await-in-loop
		if (status !== 503) {
			return status;
		}
	}

	return 503;
}

/** @param {number} port */
async function redisKeys(port) {
	const {createClient} = await import('redis');
	const client = createClient({url: `redis://127.0.0.1:${port}`});
	await client.connect();
	try {
		return await client.keys('*');
	} finally {
		client.destroy();
	}
}

/** @param {any} store a node-redis or ioredis client */
async function closeClient(store) {
	if (typeof store.destroy === 'function') {
		store.destroy();
	} else {
		store.disconnect();
	}
}

/** A free loopback port (the kernel's pick, released for the server to take). */
async function freePort() {
	const server = createServer().listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	server.close();
	await once(server, 'close');
	return address.port;
}

/**
 * Runs a command to its end; rejects with its output when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd: string, env: NodeJS.ProcessEnv}} options
 */
async function run(command, args, options) {
	const child = spawn(command, args, {...options, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	child.stdout.on('data', chunk => {
		output += String(chunk);
	});
	child.stderr.on('data', chunk => {
		output += String(chunk);
	});
	const [code] = await once(child, 'exit');
	assert.equal(code, 0, `${args.join(' ')} failed:\n${output.slice(-3000)}`);
}

/**
 * Resolves once the process prints `pattern`; rejects if it exits first.
 * @param {import('node:child_process').ChildProcessByStdio<null, import('node:stream').Readable, import('node:stream').Readable>} child
 * @param {RegExp} pattern
 */
async function waitForOutput(child, pattern) {
	let output = '';
	await new Promise((resolve, reject) => {
		const onData = (/** @type {Buffer} */ chunk) => {
			output += String(chunk);
			if (pattern.test(output)) {
				resolve(undefined);
			}
		};

		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', code => reject(new Error(`exited with ${code} before ${pattern}:\n${output.slice(-3000)}`)));
	});
}
