// Reconcile answers only for a token the signature handler issued to the same session, at most
// twice: in memory, and in a REAL Redis shared by two instances (Debian's redis-server, started
// here). Handlers are called in-process; the Zuora client is a fake (Zuora is the one mock).
import fc from 'fast-check';
import {Redis} from 'ioredis';
import {afterAll, afterEach, beforeAll, describe, expect, test, vi} from 'vitest';
import {startRedis, type RedisServer} from '../../e2e/redis.mjs';
import {CLAIMS_PER_TOKEN, createIssuedTokens, createReconcileHandler, createSignatureHandler, type IssuedTokens, type ZuoraClient} from './index.js';

const SHOP = 'https://shop.example';
const SECRET = 'a-test-secret-of-32-characters!!';
const CARD = {creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2031};
let redis: RedisServer;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await redis.stop();
});
afterEach(async () => {
	vi.useRealTimers();
	await Promise.all(cleanups.splice(0).map(async cleanup => cleanup()));
});

/** A Zuora issuing a new token per signature; every account holds the one Visa 1111 12/2031. */
function fakeZuora() {
	let issued = 0;
	const listed: string[] = [];
	const zuora: ZuoraClient = {
		baseUrl: 'https://rest.apisandbox.zuora.com',
		token: async () => 't',
		post: async () => ({status: 200, body: {success: true, signature: 'sig', token: `IssuedToken${String(++issued).padStart(8, 'x')}`}, headers: new Headers()}),
		get: async path => {
			listed.push(path);
			return {status: 200, body: {success: true, creditCards: [{id: 'pm_1', cardNumber: '************1111', cardType: 'Visa', expirationMonth: 12, expirationYear: 2031}]}, headers: new Headers()};
		},
	};
	return {zuora, listed};
}

/** One instance: a signature and a reconcile handler sharing `tokens`; the session is the `x-session` header. */
function instance(tokens: IssuedTokens, zuora = fakeZuora()) {
	const logs: string[] = [];
	const common = {
		zuora: zuora.zuora,
		origin: SHOP,
		tokens,
		trustProxy: 0,
		limits: {session: false, address: false, network: false, account: false} as const,
		log: (line: string) => logs.push(line),
		authorize: (request: Request) => ({session: request.headers.get('x-session') ?? '', accountKey: 'A1'}),
	};
	const sign = createSignatureHandler({operation: 'credit-card', ...common});
	const reconcile = createReconcileHandler(common);
	return {
		logs,
		listed: zuora.listed,
		async signature(session: string) {
			const response = await sign(new Request(`${SHOP}/signature`, {method: 'POST', headers: {origin: SHOP, 'x-session': session}}), {clientAddress: '192.0.2.1'});
			return ((await response.json()) as {token: string}).token;
		},
		async reconcile(session: string, token: string) {
			const body = JSON.stringify({token, ...CARD});
			const response = await reconcile(new Request(`${SHOP}/reconcile`, {method: 'POST', headers: {origin: SHOP, 'x-session': session, 'content-length': String(body.length)}, body}), {
				clientAddress: '192.0.2.1',
			});
			return {status: response.status, body: (await response.json()) as unknown};
		},
	};
}

async function client() {
	const connection = new Redis({host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1});
	connection.on('error', () => undefined);
	cleanups.push(() => {
		connection.disconnect();
	});
	return connection;
}

const FOUND = {status: 200, body: {success: true, paymentMethodId: 'pm_1'}};
const REFUSED = {status: 403, body: {reasons: [{code: 'TOKEN_REFUSED', message: 'This card cannot be checked here: load the checkout page again.'}]}};

describe.each([
	['memory', async () => [createIssuedTokens(), createIssuedTokens()] as const],
	[
		'Redis shared by two instances',
		async () => {
			const prefix = `tokens-${Date.now()}-${Math.random()}`;
			return [createIssuedTokens({store: await client(), limitKeySecret: SECRET, keyPrefix: prefix}), createIssuedTokens({store: await client(), limitKeySecret: SECRET, keyPrefix: prefix})] as const;
		},
	],
])('issued tokens in %s', (kind, records) => {
	/** Two instances behind a load balancer (in memory: one record shared by both handlers of one process). */
	const pair = async () => {
		const [a, b] = await records();
		const zuora = fakeZuora();
		return kind === 'memory' ? [instance(a, zuora), instance(a, zuora)] : [instance(a, zuora), instance(b, zuora)];
	};

	test(`the normal flow: the session given the token reconciles it, ${CLAIMS_PER_TOKEN} times at most`, async () => {
		const [a, b] = await pair();
		const token = await a!.signature('s1');
		for (let claim = 0; claim < CLAIMS_PER_TOKEN; claim++) {
			// eslint-disable-next-line no-await-in-loop
			expect(await (claim % 2 ? a! : b!).reconcile('s1', token)).toEqual(FOUND);
		}

		expect(await b!.reconcile('s1', token)).toEqual(REFUSED);
		expect(b!.logs).toEqual(['zuora-cors/server reconcile: refused a token already reconciled too often']);
		// A new signature, a new token: answered again.
		expect(await b!.reconcile('s1', await a!.signature('s1'))).toEqual(FOUND);
		expect(a!.listed).toHaveLength(CLAIMS_PER_TOKEN + 1);
	});

	test('a token never issued (generated) and a token issued to another session are refused before Zuora is asked', async () => {
		const [a, b] = await pair();
		await fc.assert(
			fc.asyncProperty(fc.stringMatching(/^[A-Za-z_-][\w-]{15,40}$/), async token => {
				expect(await b!.reconcile('s1', token)).toEqual(REFUSED);
			}),
			{numRuns: 20, seed: 7070},
		);
		const theirs = await a!.signature('s2');
		expect(await b!.reconcile('s1', theirs)).toEqual(REFUSED);
		expect(b!.logs.at(0)).toBe('zuora-cors/server reconcile: refused a token this endpoint never issued (or one older than its lifetime)');
		expect(b!.logs.at(-1)).toBe('zuora-cors/server reconcile: refused a token issued to another session');
		// Asking about it did not spend it: its own session still reconciles it.
		expect(await b!.reconcile('s2', theirs)).toEqual(FOUND);
		expect(a!.listed).toHaveLength(1);
	});
});

test('in memory, a token is forgotten after its lifetime (20 minutes by default)', async () => {
	vi.useFakeTimers({toFake: ['Date']});
	const one = instance(createIssuedTokens());
	const [early, late] = [await one.signature('s1'), await one.signature('s1')];
	vi.advanceTimersByTime(20 * 60 * 1000 - 1);
	expect(await one.reconcile('s1', early)).toEqual(FOUND);
	vi.advanceTimersByTime(1);
	expect(await one.reconcile('s1', late)).toEqual(REFUSED);
});

test('in Redis, the token and the session are keyed hashes that expire with the lifetime', async () => {
	const store = await client();
	const prefix = `hashed-tokens-${Date.now()}`;
	const one = instance(createIssuedTokens({store, limitKeySecret: SECRET, keyPrefix: prefix, lifetimeSeconds: 600}));
	const token = await one.signature('session-id-1');
	await one.reconcile('session-id-1', token);
	const keys = await store.keys(`${prefix}*`);
	expect(keys).toHaveLength(2);
	for (const key of keys) {
		expect(key).toMatch(new RegExp(`^${prefix}:[\\w-]{22}(:claims)?$`));
		expect(key).not.toContain(token);
		const ttl = await store.ttl(key); // eslint-disable-line no-await-in-loop
		expect(ttl > 590 && ttl <= 600).toBe(true);
	}

	const value = await store.get(keys.find(key => !key.endsWith(':claims'))!);
	expect(value).toMatch(/^[\w-]{22}$/);
	expect(value).not.toContain('session-id-1');
	expect(() => createIssuedTokens({store})).toThrow('limitKeySecret is required with store');
});
