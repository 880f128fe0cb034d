// createSignatureHandler, called in-process with web Requests (no sockets to the handler), against
// the real stub Zuora (a real HTTP server: the handler's Zuora client speaks to it over fetch).
import fc from 'fast-check';
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest';
import {createIssuedTokens, createReconcileHandler, createSignatureHandler, createZuoraClient, type Authorization, type SignatureHandlerOptions} from './index.js';
import {startZuoraStub, type ZuoraStub} from './stub.test-util.js';

const CARD = '4111111111111111';
/** A loopback page origin: allowed without configuring `origin` (see the DNS-rebinding rule). */
const SHOP = 'http://127.0.0.1:8080';
let stub: ZuoraStub;
/** The handler's clock, and Zuora's (the stub's): tests move them apart. */
let clock = Date.now();
let zuoraClock = clock;

beforeAll(async () => {
	stub = await startZuoraStub({now: () => zuoraClock});
});
afterAll(async () => {
	await stub.close();
});
beforeEach(() => {
	stub.reset();
});

type Sent = {url: string; headers: Record<string, string>; body: string};

const GENEROUS = {session: {points: 1000, duration: 60}, address: {points: 1000, duration: 60}, network: {points: 1000, duration: 60}, account: {points: 1000, duration: 60}} as const;

/** A handler, what it sent Zuora, what it logged and how often authorize ran. */
function setup(overrides: Partial<SignatureHandlerOptions> = {}, authorization: Partial<Authorization> | null = {}) {
	const sent: Sent[] = [];
	const logs: string[] = [];
	let authorized = 0;
	const recordingFetch: typeof fetch = async (input, init) => {
		sent.push({url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body ?? '')});
		return fetch(input, init);
	};

	const handler = createSignatureHandler({
		operation: 'credit-card',
		zuora: createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', fetch: recordingFetch, now: () => clock}),
		authorize() {
			authorized++;
			return authorization && {session: 's1', accountKey: 'A00000001', ...authorization};
		},
		limits: GENEROUS,
		trustProxy: 0,
		log: line => logs.push(line),
		...overrides,
	});
	/** A request to the handler, in-process: method, headers, body, the socket address the adapter would pass. */
	const call = async ({
		method = 'POST',
		headers = {origin: SHOP},
		body,
		from = '127.0.0.1',
		url = `${SHOP}/signature`,
	}: {
		method?: string;
		headers?: Record<string, string>;
		body?: string;
		from?: string;
		url?: string;
	} = {}) => {
		const withLength = body === undefined ? headers : {'content-length': String(Buffer.byteLength(body)), ...headers};
		const response = await handler(new Request(url, {method, headers: withLength, ...(body === undefined ? {} : {body})}), {clientAddress: from});
		return {status: response.status, headers: response.headers, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined};
	};

	return {
		handler,
		call,
		sent,
		logs,
		authorized: () => authorized,
		signed: () => sent.filter(request => request.url.includes('signatures')).map(request => JSON.parse(request.body) as Record<string, unknown>),
	};
}

const reasonsOf = (body: Record<string, unknown> | undefined) => (body?.['reasons'] as Array<{code: string}> | undefined)?.map(reason => reason.code);

describe('issuing', () => {
	test("a same-origin POST gets a pair and what it signs, named as in Zuora's request; the pair works only for that account", async () => {
		const {call, signed} = await setup();
		const response = await call();
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const pair = response.body as {signature: string; token: string};
		expect(Object.keys(response.body!)).toEqual(['success', 'signature', 'token', 'uri', 'method', 'accountKey']);
		expect(response.body).toMatchObject({success: true, uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'});
		expect(signed()).toEqual([{uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'}]);
		const use = async (accountKey: string) =>
			(await (
				await fetch(`${stub.url}/v1/payment-methods/credit-cards`, {
					method: 'POST',
					headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'},
					body: JSON.stringify({accountKey, creditCardType: 'Visa', creditCardNumber: CARD, expirationMonth: 12, expirationYear: 2031}),
				})
			).json()) as {success: boolean; reasons?: Array<{code: number}>};
		expect((await use('A666')).reasons?.[0]?.code).toBe(90_000_012);
	});

	test('each operation signs its fixed uri and method with the value authorize gave, and answers them', async () => {
		const cases = [
			{operation: 'account', auth: {name: 'Ada Lovelace'}, expected: {uri: `${stub.url}/v1/accounts`, method: 'POST', name: 'Ada Lovelace'}, extra: {}},
			{operation: 'file', auth: {fileId: '2c92c0f8'}, expected: {uri: `${stub.url}/v1/files/2c92c0f8`, method: 'GET'}, extra: {}},
			{
				operation: 'rsa-signature',
				auth: {pageId: 'page1'},
				uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do',
				expected: {uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', method: 'POST', pageId: 'page1'},
				extra: {tenantId: '12270'},
			},
			// The browser's own CORS call to /v1/rsa-signatures (createPaymentPageSignature): an HMAC pair for it.
			{operation: 'rsa-signature', viaBrowser: true, auth: {pageId: 'page1'}, expected: {uri: `${stub.url}/v1/rsa-signatures`, method: 'POST', pageId: 'page1'}, extra: {}},
		] as const;
		for (const {operation, auth, expected, extra, ...rest} of cases) {
			const {call, signed, sent} = setup({operation, ...rest}, auth);
			const response = await call({body: JSON.stringify({uri: 'https://evil.example/', method: 'DELETE', name: 'Mallory', pageId: 'evil', fileId: '../x'})}); // eslint-disable-line no-await-in-loop
			expect([operation, response.status]).toEqual([operation, 200]);
			expect(response.body).toMatchObject({success: true, ...expected, ...extra});
			expect(Object.keys(response.body!).slice(0, 3 + Object.keys(expected).length)).toEqual(['success', 'signature', 'token', ...Object.keys(expected)]);
			expect(signed()).toEqual([expected]);
			expect(sent.filter(request => request.url.includes('signatures')).map(request => new URL(request.url).pathname)).toEqual([
				operation === 'rsa-signature' && !('viaBrowser' in rest) ? '/v1/rsa-signatures' : '/v1/hmac-signatures',
			]);
		}
	});

	test('authorize: null refuses (403), a Response is answered as is, a throw is a 500; a bad value is a setup error; one log line each, no token', async () => {
		const refused = setup({}, null);
		expect([(await refused.call()).status, refused.logs]).toEqual([403, ['zuora-cors/server credit-card: refused: authorize found no session']]);
		const custom = setup({authorize: () => new Response('login first', {status: 401})});
		const customAnswer = await custom.handler(new Request(SHOP, {method: 'POST', headers: {origin: SHOP}}), {clientAddress: '127.0.0.1'});
		expect([customAnswer.status, await customAnswer.text()]).toEqual([401, 'login first']);
		const thrower = setup({
			authorize() {
				throw new Error('session store down');
			},
		});
		const thrown = await thrower.call();
		expect([thrown.status, reasonsOf(thrown.body)]).toEqual([500, ['SERVER_ERROR']]);
		expect(thrower.logs).toEqual(['zuora-cors/server credit-card: failed: Error: session store down']);
		for (const [auth, line] of [
			[{accountKey: 'A1\nInjected: header'}, 'authorize returned no valid accountKey'],
			[{session: ''}, 'authorize returned no session'],
		] as const) {
			const bad = setup({}, auth);
			const answer = await bad.call(); // eslint-disable-line no-await-in-loop
			expect([answer.status, answer.body]).toEqual([500, {reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]}]);
			expect(bad.logs).toEqual([`zuora-cors/server credit-card: ${line}`]);
		}

		expect(stub.tokens().issued).toBe(0);
	});

	test('options are checked when the handler is created', () => {
		const zuora = {baseUrl: stub.url, clientId: 'a', clientSecret: 'b'};
		expect(() => createSignatureHandler({operation: 'subscriptions' as never, zuora, authorize: () => null, trustProxy: 0})).toThrow(
			'operation must be one of credit-card, account, file, rsa-signature',
		);
		expect(() => createSignatureHandler({operation: 'credit-card', zuora, authorize: undefined as never, trustProxy: 0})).toThrow('authorize must be a function');
		expect(() => createSignatureHandler({operation: 'rsa-signature', zuora, authorize: () => null, trustProxy: 0})).toThrow('needs uri');
		expect(() => createSignatureHandler({operation: 'credit-card', zuora, authorize: () => null, trustProxy: 0, uri: '/relative'})).toThrow('uri must be an absolute http(s) URL');
		for (const origin of ['https://shop.example/', 'shop.example', 'https://shop.example/checkout', 'https://SHOP.example']) {
			expect(() => createSignatureHandler({operation: 'credit-card', zuora, authorize: () => null, trustProxy: 0, origin})).toThrow('origin must be a page origin');
		}

		expect(() => createSignatureHandler({operation: 'credit-card', zuora: {...zuora, baseUrl: 'sandbox'}, authorize: () => null, trustProxy: 0})).toThrow('zuora.baseUrl must be an environment name');
	});
});

describe('hostile input', () => {
	test('every method but POST gets 405 with Allow: POST, before authorize runs; one log line each', async () => {
		const {handler, authorized, logs} = setup();
		const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'FOO', 'BREW', 'M-SEARCH', 'Post-', 'POSTX'];
		for (const method of methods) {
			const response = await handler(new Request(SHOP, {method, headers: {origin: SHOP}}), {clientAddress: '127.0.0.1'}); // eslint-disable-line no-await-in-loop
			expect([method, response.status, response.headers.get('allow')]).toEqual([method, 405, 'POST']);
		}

		expect(authorized()).toBe(0);
		expect(logs).toHaveLength(methods.length);
		expect(logs[0]).toBe('zuora-cors/server credit-card: refused "GET": POST only');
		expect(stub.tokens().issued).toBe(0);
	});

	test('cross-site, same-site, null, missing and look-alike origins get 403; no token', async () => {
		const {call, authorized, logs} = setup();
		const variants: Array<Record<string, string>> = [
			{},
			{origin: 'null'},
			{origin: 'https://evil.example'},
			{origin: 'http://localhost:8080'},
			{origin: 'http://127.0.0.1:8080.evil.example'},
			{origin: 'http://127.0.0.1:8081'},
			{origin: 'https://127.0.0.1:8080'},
			{origin: `${SHOP}/`},
			{origin: SHOP.toUpperCase()},
			{origin: 'http://user@127.0.0.1:8080'},
			{origin: SHOP, 'sec-fetch-site': 'cross-site'},
			{origin: SHOP, 'sec-fetch-site': 'same-site'},
			{origin: SHOP, 'sec-fetch-site': 'none'},
			{'sec-fetch-site': 'cross-site'},
			{'sec-fetch-site': 'same-site'},
			{'sec-fetch-site': 'same-origin', origin: 'https://evil.example'},
		];
		for (const headers of variants) {
			const response = await call({headers}); // eslint-disable-line no-await-in-loop
			expect([headers, response.status, response.body]).toEqual([headers, 403, {reasons: [{code: 'CROSS_SITE', message: 'Only same-origin requests are answered here.'}]}]);
		}

		expect(authorized()).toBe(0);
		expect(logs).toHaveLength(variants.length);
		// Either header alone, when it says same-origin, is enough.
		expect((await call({headers: {origin: SHOP}})).status).toBe(200);
		expect((await call({headers: {'sec-fetch-site': 'same-origin'}})).status).toBe(200);
	});

	test('generated origins other than the allowed one are refused (property)', async () => {
		const {handler} = setup({origin: 'https://shop.example'});
		let runs = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.webUrl().map(url => new URL(url).origin),
					fc.string(),
					fc.constantFrom('https://shop.example.', 'https://shop.example:443', 'https://SHOP.example', 'http://shop.example', 'https://shop.example.evil'),
				),
				async origin => {
					fc.pre(origin !== 'https://shop.example');
					runs++;
					const response = await handler(new Request('https://shop.example/signature', {method: 'POST', headers: {origin: origin.replace(/[^\t\u0020-\u007E]/g, '')}}), {clientAddress: '203.0.113.1'});
					expect(response.status).toBe(403);
				},
			),
			{numRuns: 200, seed: 1515},
		);
		expect(runs).toBeGreaterThan(100);
		expect(stub.tokens().issued).toBe(0);
	}, 30_000);

	test('DNS rebinding: without a configured origin only a loopback host is answered; any other host is a setup error that says to set origin', async () => {
		const {call, authorized, logs} = setup();
		for (const page of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://127.8.9.10', 'http://[::1]:3000']) {
			expect([page, (await call({url: `${page}/signature`, headers: {origin: page}})).status]).toEqual([page, 200]); // eslint-disable-line no-await-in-loop
		}

		expect(logs).toEqual([]);
		const rebound = ['http://evil.example:3000', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'http://192.168.1.10:3000', 'http://[::2]', 'https://shop.example'];
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.constantFrom(...rebound),
					fc.domain().map(domain => `http://${domain}`),
				),
				async page => {
					fc.pre(!['localhost'].includes(new URL(page).hostname));
					const response = await call({url: `${page}/signature`, headers: {origin: new URL(page).origin}});
					expect([page, response.status, response.body]).toEqual([page, 500, {reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]}]);
				},
			),
			{numRuns: 60, seed: 157},
		);
		expect(authorized()).toBe(4);
		expect(logs.at(-1)).toMatch(/^zuora-cors\/server credit-card: no origin configured, and ".+" is not a loopback host: set origin to the shop's page origin/);
		expect(stub.tokens().issued).toBe(4);
		// With origin configured, the shop's own host is answered.
		const configured = setup({origin: 'https://shop.example'});
		expect((await configured.call({url: 'https://shop.example/signature', headers: {origin: 'https://shop.example'}})).status).toBe(200);
	}, 30_000);

	test('a body is never read; one declared over the cap or without a length is refused; nothing in it steers signing or reaches the log', async () => {
		const {call, handler, signed, authorized, logs} = setup();
		const tooLarge = await call({body: 'a'.repeat(5000)});
		expect([tooLarge.status, reasonsOf(tooLarge.body)]).toEqual([413, ['BODY_TOO_LARGE']]);
		const chunked = await handler(new Request(SHOP, {method: 'POST', headers: {origin: SHOP, 'transfer-encoding': 'chunked'}, body: '{}'}), {clientAddress: '127.0.0.1'});
		expect(chunked.status).toBe(413);
		expect(authorized()).toBe(0);
		const steering = [
			JSON.stringify({uri: 'https://evil.example/v1/accounts', method: 'GET', accountKey: 'A666', creditCardNumber: CARD, securityCode: '737'}),
			`uri=https://evil.example&accountKey=A666&creditCardNumber=${CARD}`,
			'not json at all {',
			JSON.stringify({__proto__: {accountKey: 'A666'}, constructor: {prototype: {uri: 'x'}}}),
		];
		for (const body of steering) {
			const response = await call({url: `${SHOP}/?accountKey=A666&uri=https://evil.example`, body}); // eslint-disable-line no-await-in-loop
			expect(response.status).toBe(200);
			expect(JSON.stringify(response.body)).not.toContain(CARD);
		}

		expect(signed()).toEqual(Array.from({length: 4}, () => ({uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'})));
		// A card number in a header is blanked in the log line that quotes it.
		await call({headers: {origin: `https://${CARD}.evil.example`}});
		expect(logs.join('\n')).not.toMatch(/\d{9}/);
	});
});

describe('limits', () => {
	test('per session: over the limit answers 429 with Retry-After and the reasons envelope', async () => {
		const {call, logs} = setup({limits: {session: {points: 3, duration: 60}}});
		const answers = [];
		for (let index = 0; index < 5; index++) {
			answers.push(await call()); // eslint-disable-line no-await-in-loop
		}

		expect(answers.map(response => response.status)).toEqual([200, 200, 200, 429, 429]);
		expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(Number(answers[3]!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
		expect(answers[3]!.body).toEqual({reasons: [{code: 'RATE_LIMITED', message: 'Too many requests. Please wait and try again.'}]});
		expect(logs).toEqual(['zuora-cors/server credit-card: refused: session limit reached', 'zuora-cors/server credit-card: refused: session limit reached']);
		expect(stub.tokens().issued).toBe(3);
	});

	test('per address: many sessions from one address are held; another address is not; IPv6 counts per /64', async () => {
		let session = 0;
		const {call} = setup({limits: {address: {points: 4, duration: 60}, session: false, account: false}, authorize: () => ({session: `s${session++}`, accountKey: 'A00000001'})});
		const first = await Promise.all(Array.from({length: 6}, async () => (await call({from: '127.0.0.5'})).status));
		expect(first.filter(status => status === 200)).toHaveLength(4);
		expect((await call({from: '127.0.0.6'})).status).toBe(200);

		const sameSlash64 = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd', '[2001:db8:1:2::7]', '2001:db8:1:2::8%eth0'];
		const statuses = [];
		for (const address of sameSlash64) {
			statuses.push((await call({from: address})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200, 200, 429]);
		expect((await call({from: '2001:db8:1:3::1'})).status).toBe(200);
		// An IPv4-mapped address counts as the IPv4 address it maps.
		for (let index = 0; index < 4; index++) {
			await call({from: '198.51.100.7'}); // eslint-disable-line no-await-in-loop
		}

		expect((await call({from: '::ffff:198.51.100.7'})).status).toBe(429);
	});

	test('no client address, or one that is not an IP address, is a setup error that names trustProxy', async () => {
		const {handler, logs} = setup({trustProxy: () => 'not-an-ip'});
		const bad = await handler(new Request(SHOP, {method: 'POST', headers: {origin: SHOP}}), {clientAddress: '127.0.0.1'});
		expect(bad.status).toBe(500);
		const none = setup();
		expect((await none.handler(new Request(SHOP, {method: 'POST', headers: {origin: SHOP}}))).status).toBe(500);
		expect([...logs, ...none.logs]).toEqual([
			'zuora-cors/server credit-card: the client address is not an IP address: check trustProxy',
			"zuora-cors/server credit-card: no client address: trustProxy 0 takes the connection's address, and none was passed: serve the handler with toNodeListener, or pass {clientAddress} as its second argument",
		]);
	});

	test('a handler with no way to learn the client address fails when created, naming trustProxy, never at a request', () => {
		const {trustProxy: _none, ...withoutAddress} = {operation: 'credit-card', zuora: {baseUrl: stub.url, clientId: 'a', clientSecret: 'b'}, authorize: () => null, trustProxy: 0} as const;
		expect(() => createSignatureHandler(withoutAddress as never)).toThrow(/^trustProxy is required: 0 when shoppers connect to this server .*toNodeListener.*\{clientAddress\}.*X-Forwarded-For/);
		expect(() => createReconcileHandler({...withoutAddress, tokens: createIssuedTokens()} as never)).toThrow('trustProxy is required');
		// Inherited is not given: a polluted prototype does not supply it.
		expect(() => createSignatureHandler(Object.assign(Object.create({trustProxy: 0}), withoutAddress))).toThrow('trustProxy is required');
		for (const wrong of [-1, 1.5, 11, '1', true, null]) {
			expect(() => createSignatureHandler({...withoutAddress, trustProxy: wrong as never})).toThrow('trustProxy must be a number of proxies (0 to 10) or a function');
		}
	});

	test('X-Forwarded-For is ignored without trustProxy, and with it only the hop the proxy wrote counts', async () => {
		let session = 0;
		const authorize = () => ({session: `s${session++}`, accountKey: 'A00000001'});
		const limits = {address: {points: 2, duration: 60}, session: false, account: false} as const;
		const direct = setup({limits, authorize});
		const spoofed = await Promise.all(Array.from({length: 4}, async (_, index) => (await direct.call({headers: {origin: SHOP, 'x-forwarded-for': `10.0.0.${index}`}})).status));
		expect(spoofed.filter(status => status === 429)).toHaveLength(2);

		const proxied = setup({limits, authorize, trustProxy: 1});
		// The client controls everything left of what the proxy appended: varying it changes nothing.
		const behindProxy = await Promise.all(Array.from({length: 4}, async (_, index) => (await proxied.call({headers: {origin: SHOP, 'x-forwarded-for': `10.0.0.${index}, 203.0.113.9`}})).status));
		expect(behindProxy.filter(status => status === 429)).toHaveLength(2);
		expect((await proxied.call({headers: {origin: SHOP, 'x-forwarded-for': '203.0.113.10'}})).status).toBe(200);
	});

	test('per account: sessions and addresses that vary are held by the account limit', async () => {
		let session = 0;
		const {call} = setup({limits: {account: {points: 3, duration: 3600}}, authorize: () => ({session: `s${session++}`, accountKey: 'A00000042'})});
		const statuses = [];
		for (let index = 0; index < 5; index++) {
			statuses.push((await call({from: `127.0.1.${index + 1}`})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200, 429, 429]);
	});

	test('per account: files and Payment Pages are not counted by the accountKey an authorize shared with the card handler returns', async () => {
		let session = 0;
		const authorize = () => ({session: `s${session++}`, accountKey: 'A00000042', name: 'Ada', fileId: 'f1', pageId: 'p1'});
		const limits = {account: {points: 1, duration: 3600}};
		const file = setup({operation: 'file', uri: `${stub.url}/v1/files`, limits, authorize});
		const statuses = [];
		for (let index = 0; index < 3; index++) {
			statuses.push((await file.call({from: `127.0.2.${index + 1}`})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200]);
		const card = setup({limits, authorize});
		expect([(await card.call({from: '127.0.3.1'})).status, (await card.call({from: '127.0.3.2'})).status]).toEqual([200, 429]);
	});
});

describe('Zuora', () => {
	const oauthCalls = () => stub.requests().filter(request => request.path === '/oauth/token').length;

	test('100 concurrent requests fetch ONE OAuth token; after Zuora expires it, 100 more refresh it exactly once', async () => {
		const {call} = setup();
		const statuses = await Promise.all(Array.from({length: 100}, async () => (await call()).status));
		expect(statuses.every(status => status === 200)).toBe(true);
		expect(oauthCalls()).toBe(1);

		// Zuora's clock runs past the token's hour while ours does not: every call gets a 401.
		zuoraClock += 2 * 3600 * 1000;
		const again = await Promise.all(Array.from({length: 100}, async () => (await call()).status));
		expect(again.every(status => status === 200)).toBe(true);
		expect(oauthCalls()).toBe(2);
		expect(stub.requests().filter(request => request.path === '/v1/hmac-signatures' && request.status === 401).length).toBeGreaterThan(1);
	});

	test('the client: 100 calls holding the same refused token share ONE refresh', async () => {
		const zuora = createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', now: () => clock});
		await zuora.token();
		zuoraClock += 2 * 3600 * 1000;
		const answers = await Promise.all(Array.from({length: 100}, async () => zuora.post('/v1/hmac-signatures', {uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A1'})));
		expect(answers.map(answer => answer.status)).toEqual(Array.from({length: 100}, () => 200));
		expect(stub.requests().filter(request => request.path === '/v1/hmac-signatures' && request.status === 401)).toHaveLength(100);
		expect(oauthCalls()).toBe(2);
	});

	test('the cached token is replaced shortly before its expiry, without a 401', async () => {
		const {call} = setup();
		await call();
		clock += (3599 - 30) * 1000;
		await call();
		expect(oauthCalls()).toBe(2);
		expect(stub.requests().filter(request => request.status === 401)).toHaveLength(0);
	});

	test('Zuora-Entity-Ids is sent on the signature call', async () => {
		const sent: Sent[] = [];
		const zuora = createZuoraClient({
			baseUrl: stub.url,
			clientId: 'demo-client-id',
			clientSecret: 'demo-client-secret',
			entityIds: '8a8082c4-entity',
			async fetch(input, init) {
				sent.push({url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()), body: ''});
				return fetch(input, init);
			},
		});
		expect((await setup({zuora}).call()).status).toBe(200);
		expect(sent.find(request => request.url.endsWith('/v1/hmac-signatures'))?.headers['zuora-entity-ids']).toBe('8a8082c4-entity');
	});

	test('setup errors answer 500 SETUP_ERROR, never 503, and the log line says what to fix: wrong credentials, a uri that is not a CORS operation, a null RSA signature', async () => {
		const setupAnswer = {reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]};
		const wrong = setup({zuora: {baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'wrong'}});
		const credentials = await wrong.call();
		expect([credentials.status, credentials.body]).toEqual([500, setupAnswer]);
		expect(wrong.logs).toEqual([
			`zuora-cors/server credit-card: Zuora OAuth refused the client credentials (HTTP 401): check clientId and clientSecret, and that the OAuth client belongs to ${stub.url}`,
		]);
		expect(wrong.logs.join('')).not.toContain('wrong');

		const notCors = setup({uri: `${stub.url}/v1/subscriptions`});
		const refused = await notCors.call();
		expect([refused.status, refused.body]).toEqual([500, setupAnswer]);
		expect(notCors.logs).toEqual([
			'zuora-cors/server credit-card: Zuora refused the signature request (HTTP 200, 90000010 "This API is not CORS enabled."): the signed uri is not one of Zuora\'s CORS operations: check uri (and zuora.baseUrl)',
		]);

		stub.nullRsaSignatureNext(1);
		const rsa = setup({operation: 'rsa-signature', uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do'}, {pageId: 'page1'});
		const nullSignature = await rsa.call();
		expect([nullSignature.status, nullSignature.body]).toEqual([500, setupAnswer]);
		expect(rsa.logs[0]).toContain('too many signed fields');
		expect(stub.tokens().issued).toBe(0);
	});

	test('Zuora down, failing or busy is a passing outage: 503 ZUORA_UNAVAILABLE, with Retry-After when Zuora gives one', async () => {
		const down = setup({zuora: {baseUrl: 'http://127.0.0.1:9', clientId: 'a', clientSecret: 'b'}});
		const unreachable = await down.call();
		expect([unreachable.status, reasonsOf(unreachable.body)]).toEqual([503, ['ZUORA_UNAVAILABLE']]);
		expect(down.logs[0]).toMatch(/^zuora-cors\/server credit-card: Zuora unavailable: POST \/oauth\/token failed: /);

		for (const fault of ['html500', 'text500', 'unavailable', 'rateLimit'] as const) {
			stub.failNext(1, fault, ['/v1/hmac-signatures']);
			const failing = setup();
			const answer = await failing.call(); // eslint-disable-line no-await-in-loop
			expect([fault, answer.status, reasonsOf(answer.body), answer.headers.get('retry-after')]).toEqual([
				fault,
				503,
				['ZUORA_UNAVAILABLE'],
				fault === 'rateLimit' ? expect.stringMatching(/^\d+$/) : null,
			]);
			expect(failing.logs).toHaveLength(1);
		}

		stub.failNext(1, {status: 200, body: {success: false, reasons: [{code: 53_100_070, message: 'Too many requests'}]}}, ['/v1/hmac-signatures']);
		expect((await setup().call()).status).toBe(503);
		stub.failNext(1, {status: 200, body: {success: true}}, ['/v1/hmac-signatures']);
		const empty = await setup().call();
		expect([empty.status, reasonsOf(empty.body)]).toEqual([502, ['ZUORA_INVALID_RESPONSE']]);
	});

	test('a Zuora that does not answer is given up after timeoutMs (OAuth and signature call): 503, the reason logged, no token', async () => {
		const client = createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', timeoutMs: 200});
		for (const path of ['/oauth/token', '/v1/hmac-signatures']) {
			stub.failNext(1, 'hang', [path]);
			const {call, logs} = setup({zuora: client});
			const response = await call(); // eslint-disable-line no-await-in-loop
			expect([response.status, response.body]).toEqual([503, {reasons: [{code: 'ZUORA_UNAVAILABLE', message: 'The payment service could not be reached. Please try again.'}]}]);
			expect(logs).toEqual([`zuora-cors/server credit-card: Zuora unavailable: POST ${path} failed: The operation was aborted due to timeout`]);
		}

		expect((await setup({zuora: client}).call()).status).toBe(200);
	});
});
