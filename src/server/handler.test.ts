// createSignatureHandler against the real stub Zuora, through toNodeListener on a real server.
import {createServer, request as httpRequest, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import fc from 'fast-check';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest';
import {createSignatureHandler, createZuoraClient, toNodeListener, type Authorization, type SignatureHandlerOptions} from './index.js';
import {startZuoraStub, type ZuoraStub} from './stub.test-util.js';

const CARD = '4111111111111111';
let stub: ZuoraStub;
/** The handler's clock, and Zuora's (the stub's): tests move them apart. */
let clock = Date.now();
let zuoraClock = clock;
const servers: Server[] = [];

beforeAll(async () => {
	stub = await startZuoraStub({now: () => zuoraClock});
});
afterAll(async () => {
	await stub.close();
});
beforeEach(() => {
	stub.reset();
});
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	})));
});

type Sent = {url: string; headers: Record<string, string>; body: string};

/** A handler, its real server and what it sent Zuora (bodies of the signature calls, headers). */
async function setup(overrides: Partial<SignatureHandlerOptions> = {}, authorization: Partial<Authorization> | null = {}) {
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
		limits: {session: {points: 1000, duration: 60}, address: {points: 1000, duration: 60}, account: {points: 1000, duration: 60}},
		log: line => logs.push(line),
		...overrides,
	});
	const server = createServer(toNodeListener(handler));
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {handler, url, origin: url, sent, logs, authorized: () => authorized, signed: () => sent.filter(call => call.url.includes('signatures')).map(call => JSON.parse(call.body) as Record<string, unknown>)};
}

/** A raw HTTP request (any method, any headers, a body) from a chosen loopback address. */
async function send(url: string, {method = 'POST', headers = {}, body, from = '127.0.0.1'}: {method?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string} = {}) {
	return new Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: string}>((resolve, reject) => {
		const request = httpRequest(url, {method, headers, localAddress: from, agent: false}, response => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8')});
			});
		});
		request.on('error', reject);
		request.end(body);
	});
}

const sameOrigin = (origin: string) => ({origin, 'sec-fetch-site': 'same-origin'});

describe('issuing', () => {
	test('a same-origin POST gets a pair bound to the account authorize chose; the pair works only for that account', async () => {
		const {url, origin, signed} = await setup();
		const response = await send(`${url}/signature`, {headers: sameOrigin(origin)});
		expect(response.status).toBe(200);
		expect(response.headers['cache-control']).toBe('no-store');
		const pair = JSON.parse(response.body) as {success: boolean; signature: string; token: string};
		expect(Object.keys(pair)).toEqual(['success', 'signature', 'token']);
		expect(signed()).toEqual([{uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'}]);
		const use = async (accountKey: string) => (await (await fetch(`${stub.url}/v1/payment-methods/credit-cards`, {method: 'POST', headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'}, body: JSON.stringify({accountKey, creditCardType: 'Visa', creditCardNumber: CARD, expirationMonth: 12, expirationYear: 2031})})).json()) as {success: boolean; reasons?: Array<{code: number}>};
		expect((await use('A666')).reasons?.[0]?.code).toBe(90_000_012);
	});

	test('each operation signs its fixed uri and method with the value authorize gave', async () => {
		const cases = [
			{operation: 'account', auth: {name: 'Ada Lovelace'}, expected: {uri: `${stub.url}/v1/accounts`, method: 'POST', name: 'Ada Lovelace'}, keys: ['success', 'signature', 'token', 'name']},
			{operation: 'file', auth: {fileId: '2c92c0f8'}, expected: {uri: `${stub.url}/v1/files/2c92c0f8`, method: 'GET'}, keys: ['success', 'signature', 'token']},
			{operation: 'rsa-signature', auth: {pageId: 'page1'}, uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', expected: {uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', method: 'POST', pageId: 'page1'}, keys: ['success', 'signature', 'token', 'tenantId', 'key']},
			// The browser's own CORS call to /v1/rsa-signatures (createPaymentPageSignature): an HMAC pair for it.
			{operation: 'rsa-signature', viaBrowser: true, auth: {pageId: 'page1'}, expected: {uri: `${stub.url}/v1/rsa-signatures`, method: 'POST', pageId: 'page1'}, keys: ['success', 'signature', 'token', 'pageId']},
		] as const;
		for (const {operation, auth, expected, keys, ...rest} of cases) {
			const {url, origin, signed, sent} = await setup({operation, ...rest}, auth); // eslint-disable-line no-await-in-loop
			const response = await send(url, {headers: sameOrigin(origin), body: JSON.stringify({uri: 'https://evil.example/', method: 'DELETE', name: 'Mallory', pageId: 'evil', fileId: '../x'})}); // eslint-disable-line no-await-in-loop
			expect([operation, response.status]).toEqual([operation, 200]);
			const body = JSON.parse(response.body) as Record<string, unknown>;
			expect(Object.keys(body)).toEqual(keys);
			if (operation === 'account') expect(body['name']).toBe('Ada Lovelace');
			if (operation === 'rsa-signature') expect(body['viaBrowser' in rest ? 'pageId' : 'tenantId']).toBe('viaBrowser' in rest ? 'page1' : '12270');
			expect(signed()).toEqual([expected]);
			expect(sent.filter(call => call.url.includes('signatures')).map(call => new URL(call.url).pathname)).toEqual([operation === 'rsa-signature' && !('viaBrowser' in rest) ? '/v1/rsa-signatures' : '/v1/hmac-signatures']);
		}
	});

	test('authorize: null refuses (403), a Response is answered as is, a throw is a 500 with a log line; no token in any case', async () => {
		const refused = await setup({}, null);
		expect((await send(refused.url, {headers: sameOrigin(refused.origin)})).status).toBe(403);
		const custom = await setup({authorize: () => new Response('login first', {status: 401})});
		const customAnswer = await send(custom.url, {headers: sameOrigin(custom.origin)});
		expect([customAnswer.status, customAnswer.body]).toEqual([401, 'login first']);
		const thrower = await setup({authorize() {
			throw new Error('session store down');
		}});
		const thrown = await send(thrower.url, {headers: sameOrigin(thrower.origin)});
		expect(thrown.status).toBe(500);
		expect(thrower.logs).toEqual(['zuora-cors/server credit-card: failed: Error: session store down']);
		const bad = await setup({}, {accountKey: 'A1\nInjected: header'});
		expect((await send(bad.url, {headers: sameOrigin(bad.origin)})).status).toBe(500);
		expect(bad.logs).toEqual(['zuora-cors/server credit-card: authorize returned no valid accountKey']);
		expect(stub.tokens().issued).toBe(0);
	});
});

describe('hostile input', () => {
	test('every method but POST gets 405 with Allow: POST, before authorize runs', async () => {
		const {url, origin, authorized, handler} = await setup();
		for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND']) {
			const response = await send(url, {method, headers: sameOrigin(origin)}); // eslint-disable-line no-await-in-loop
			expect([method, response.status, response.headers['allow']]).toEqual([method, 405, 'POST']);
		}

		// TRACE cannot even become a web Request: the adapter answers it.
		expect((await send(url, {method: 'TRACE', headers: sameOrigin(origin)})).status).toBe(405);
		// Methods Node's parser would not pass, straight to the web handler.
		for (const method of ['FOO', 'BREW', 'M-SEARCH', 'Post-']) {
			const response = await handler(new Request(origin, {method, headers: sameOrigin(origin)}), {clientAddress: '127.0.0.1'}); // eslint-disable-line no-await-in-loop
			expect([method, response.status]).toEqual([method, 405]);
		}

		expect(authorized()).toBe(0);
		expect(stub.tokens().issued).toBe(0);
	});

	test('cross-site, same-site, null, missing and look-alike origins get 403; no token', async () => {
		const {url, origin, authorized} = await setup();
		const port = new URL(origin).port;
		const variants: Array<Record<string, string>> = [
			{},
			{origin: 'null'},
			{origin: 'https://evil.example'},
			{origin: `http://localhost:${port}`},
			{origin: `http://127.0.0.1:${port}.evil.example`},
			{origin: `http://127.0.0.1:${Number(port) + 1}`},
			{origin: `https://127.0.0.1:${port}`},
			{origin: `${origin}/`},
			{origin: origin.toUpperCase()},
			{origin: `http://user@127.0.0.1:${port}`},
			{origin, 'sec-fetch-site': 'cross-site'},
			{origin, 'sec-fetch-site': 'same-site'},
			{origin, 'sec-fetch-site': 'none'},
			{'sec-fetch-site': 'cross-site'},
			{'sec-fetch-site': 'same-site'},
			{'sec-fetch-site': 'same-origin', origin: 'https://evil.example'},
		];
		for (const headers of variants) {
			const response = await send(url, {headers}); // eslint-disable-line no-await-in-loop
			expect([headers, response.status, JSON.parse(response.body)]).toEqual([headers, 403, {reasons: [{code: 'CROSS_SITE', message: 'Signatures are issued to same-origin requests only.'}]}]);
		}

		expect(authorized()).toBe(0);
		// Either header alone, when it says same-origin, is enough.
		expect((await send(url, {headers: {origin}})).status).toBe(200);
		expect((await send(url, {headers: {'sec-fetch-site': 'same-origin'}})).status).toBe(200);
	});

	test('generated origins other than the allowed one are refused (property)', async () => {
		const {handler} = await setup({origin: 'https://shop.example'});
		const seen: number[] = [];
		await fc.assert(fc.asyncProperty(fc.oneof(fc.webUrl().map(url => new URL(url).origin), fc.string(), fc.constantFrom('https://shop.example.', 'https://shop.example:443', 'https://SHOP.example', 'http://shop.example', 'https://shop.example.evil')), async origin => {
			fc.pre(origin !== 'https://shop.example');
			const response = await handler(new Request('https://shop.example/signature', {method: 'POST', headers: {origin: origin.replace(/[^\t\u0020-\u007E]/g, '')}}), {clientAddress: '203.0.113.1'});
			seen.push(response.status);
			expect(response.status).toBe(403);
		}), {numRuns: 200});
		expect(seen.length).toBeGreaterThan(100);
		expect(stub.tokens().issued).toBe(0);
	});

	test('a body is never read; one declared over the cap or without a length is refused; nothing in it steers signing', async () => {
		const {url, origin, signed, authorized, logs} = await setup();
		const huge = Buffer.alloc(5 * 1024 * 1024, 'a');
		const tooLarge = await send(url, {headers: {...sameOrigin(origin), 'content-type': 'application/json'}, body: huge});
		expect([tooLarge.status, tooLarge.headers['connection']]).toEqual([413, 'close']);
		const chunked = await new Promise<number>((resolve, reject) => {
			const request = httpRequest(url, {method: 'POST', headers: sameOrigin(origin), agent: false}, response => {
				response.resume();
				resolve(response.statusCode ?? 0);
			});
			request.on('error', reject);
			request.write('{"a":');
			request.end('1}');
		});
		expect(chunked).toBe(413);
		expect(authorized()).toBe(0);
		const steering = [
			JSON.stringify({uri: 'https://evil.example/v1/accounts', method: 'GET', accountKey: 'A666', creditCardNumber: CARD, securityCode: '737'}),
			`uri=https://evil.example&accountKey=A666&creditCardNumber=${CARD}`,
			'not json at all {',
			JSON.stringify({__proto__: {accountKey: 'A666'}, constructor: {prototype: {uri: 'x'}}}),
		];
		for (const body of steering) {
			const response = await send(`${url}/?accountKey=A666&uri=https://evil.example`, {headers: {...sameOrigin(origin), 'content-type': 'application/json'}, body}); // eslint-disable-line no-await-in-loop
			expect(response.status).toBe(200);
			expect(response.body).not.toContain(CARD);
		}

		expect(signed()).toEqual(Array.from({length: 4}, () => ({uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'})));
		expect(logs.join('\n')).not.toContain(CARD);
	});
});

describe('limits', () => {
	test('per session: over the limit answers 429 with Retry-After and the reasons envelope', async () => {
		const {url, origin} = await setup({limits: {session: {points: 3, duration: 60}}});
		const statuses = [];
		for (let index = 0; index < 5; index++) {
			statuses.push(await send(url, {headers: sameOrigin(origin)})); // eslint-disable-line no-await-in-loop
		}

		expect(statuses.map(response => response.status)).toEqual([200, 200, 200, 429, 429]);
		expect(Number(statuses[3]!.headers['retry-after'])).toBeGreaterThan(0);
		expect(Number(statuses[3]!.headers['retry-after'])).toBeLessThanOrEqual(60);
		expect(JSON.parse(statuses[3]!.body)).toEqual({reasons: [{code: 'RATE_LIMITED', message: 'Too many signature requests. Please wait and try again.'}]});
		expect(stub.tokens().issued).toBe(3);
	});

	test('per address: many sessions from one address are held; another address is not; IPv6 counts per /64', async () => {
		let session = 0;
		const {handler, url, origin} = await setup({limits: {address: {points: 4, duration: 60}, session: false, account: false}, authorize: () => ({session: `s${session++}`, accountKey: 'A00000001'})});
		const from = async (address: string) => send(url, {headers: sameOrigin(origin), from: address});
		const first = await Promise.all(Array.from({length: 6}, async () => (await from('127.0.0.5')).status));
		expect(first.filter(status => status === 200)).toHaveLength(4);
		expect((await from('127.0.0.6')).status).toBe(200);

		const v6 = async (address: string) => (await handler(new Request(origin, {method: 'POST', headers: sameOrigin(origin)}), {clientAddress: address})).status;
		const sameSlash64 = ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd', '[2001:db8:1:2::7]', '2001:db8:1:2::8%eth0'];
		const statuses = [];
		for (const address of sameSlash64) statuses.push(await v6(address)); // eslint-disable-line no-await-in-loop
		expect(statuses).toEqual([200, 200, 200, 200, 429]);
		expect(await v6('2001:db8:1:3::1')).toBe(200);
		// An IPv4-mapped address counts as the IPv4 address it maps.
		for (let index = 0; index < 4; index++) await v6('198.51.100.7'); // eslint-disable-line no-await-in-loop
		expect(await v6('::ffff:198.51.100.7')).toBe(429);
	});

	test('X-Forwarded-For is ignored without trustProxy, and with it only the hop the proxy wrote counts', async () => {
		let session = 0;
		const authorize = () => ({session: `s${session++}`, accountKey: 'A00000001'});
		const limits = {address: {points: 2, duration: 60}, session: false, account: false} as const;
		const direct = await setup({limits, authorize});
		const spoofed = await Promise.all(Array.from({length: 4}, async (_, index) => (await send(direct.url, {headers: {...sameOrigin(direct.origin), 'x-forwarded-for': `10.0.0.${index}`}})).status));
		expect(spoofed.filter(status => status === 429)).toHaveLength(2);

		const proxied = await setup({limits, authorize, trustProxy: 1});
		// The client controls everything left of what the proxy appended: varying it changes nothing.
		const behindProxy = await Promise.all(Array.from({length: 4}, async (_, index) => (await send(proxied.url, {headers: {...sameOrigin(proxied.origin), 'x-forwarded-for': `10.0.0.${index}, 203.0.113.9`}})).status));
		expect(behindProxy.filter(status => status === 429)).toHaveLength(2);
		expect((await send(proxied.url, {headers: {...sameOrigin(proxied.origin), 'x-forwarded-for': '203.0.113.10'}})).status).toBe(200);
	});

	test('per account: sessions and addresses that vary are held by the account limit', async () => {
		let session = 0;
		const {url, origin} = await setup({limits: {account: {points: 3, duration: 3600}}, authorize: () => ({session: `s${session++}`, accountKey: 'A00000042'})});
		const statuses = [];
		for (let index = 0; index < 5; index++) {
			statuses.push((await send(url, {headers: sameOrigin(origin), from: `127.0.1.${index + 1}`})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200, 429, 429]);
	});

	test('per account: files and Payment Pages are not counted by the accountKey an authorize shared with the card handler returns', async () => {
		let session = 0;
		const authorize = () => ({session: `s${session++}`, accountKey: 'A00000042', name: 'Ada', fileId: 'f1', pageId: 'p1'});
		const limits = {account: {points: 1, duration: 3600}};
		const file = await setup({operation: 'file', uri: `${stub.url}/v1/files`, limits, authorize});
		const statuses = [];
		for (let index = 0; index < 3; index++) {
			statuses.push((await send(file.url, {headers: sameOrigin(file.origin), from: `127.0.2.${index + 1}`})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200]);
		// The card handler with the same authorize is held at one per account.
		const card = await setup({limits, authorize});
		const cards = [];
		for (let index = 0; index < 2; index++) {
			cards.push((await send(card.url, {headers: sameOrigin(card.origin), from: `127.0.3.${index + 1}`})).status); // eslint-disable-line no-await-in-loop
		}

		expect(cards).toEqual([200, 429]);
	});
});

describe('Zuora', () => {
	const oauthCalls = () => stub.requests().filter(request => request.path === '/oauth/token').length;

	test('100 concurrent requests fetch ONE OAuth token; after Zuora expires it, 100 more refresh it exactly once', async () => {
		const {url, origin} = await setup();
		const statuses = await Promise.all(Array.from({length: 100}, async () => (await send(url, {headers: sameOrigin(origin)})).status));
		expect(statuses.every(status => status === 200)).toBe(true);
		expect(oauthCalls()).toBe(1);

		// Zuora's clock runs past the token's hour while ours does not: every call gets a 401.
		zuoraClock += 2 * 3600 * 1000;
		const again = await Promise.all(Array.from({length: 100}, async () => (await send(url, {headers: sameOrigin(origin)})).status));
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
		const {url, origin} = await setup();
		await send(url, {headers: sameOrigin(origin)});
		clock += (3599 - 30) * 1000;
		await send(url, {headers: sameOrigin(origin)});
		expect(oauthCalls()).toBe(2);
		expect(stub.requests().filter(request => request.status === 401)).toHaveLength(0);
	});

	test('Zuora-Entity-Ids is sent on the signature call', async () => {
		const sent: Sent[] = [];
		const zuora = createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', entityIds: '8a8082c4-entity', async fetch(input, init) {
			sent.push({url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()), body: ''});
			return fetch(input, init);
		}});
		const {url, origin} = await setup({zuora});
		expect((await send(url, {headers: sameOrigin(origin)})).status).toBe(200);
		expect(sent.find(call => call.url.endsWith('/v1/hmac-signatures'))?.headers['zuora-entity-ids']).toBe('8a8082c4-entity');
	});

	test('Zuora\'s refusal is relayed with 502 and its reasons; Zuora down or failing is a 503; bad credentials are logged', async () => {
		const notCors = await setup({uri: `${stub.url}/v1/subscriptions`});
		const refused = await send(notCors.url, {headers: sameOrigin(notCors.origin)});
		expect(refused.status).toBe(502);
		expect(JSON.parse(refused.body)).toMatchObject({success: false, reasons: [{code: 90_000_010, message: 'This API is not CORS enabled.'}]});

		const down = await setup({zuora: {baseUrl: 'http://127.0.0.1:9', clientId: 'a', clientSecret: 'b'}});
		const unreachable = await send(down.url, {headers: sameOrigin(down.origin)});
		expect([unreachable.status, (JSON.parse(unreachable.body) as {reasons: Array<{code: string}>}).reasons[0]?.code]).toEqual([503, 'ZUORA_UNAVAILABLE']);

		stub.failNext(1, 'html500', ['/v1/hmac-signatures']);
		const failing = await setup();
		expect((await send(failing.url, {headers: sameOrigin(failing.origin)})).status).toBe(503);

		const wrong = await setup({zuora: {baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'wrong'}});
		expect((await send(wrong.url, {headers: sameOrigin(wrong.origin)})).status).toBe(503);
		expect(wrong.logs).toEqual(['zuora-cors/server credit-card: Zuora unavailable: Zuora OAuth answered HTTP 401 (check clientId and clientSecret)']);
	});

	test('a Zuora that does not answer is given up after timeoutMs (OAuth and signature call): 503, the reason logged, no token', async () => {
		const client = createZuoraClient({baseUrl: stub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', timeoutMs: 200});
		for (const path of ['/oauth/token', '/v1/hmac-signatures']) {
			stub.failNext(1, 'hang', [path]);
			const {url, origin, logs} = await setup({zuora: client}); // eslint-disable-line no-await-in-loop
			const response = await send(url, {headers: sameOrigin(origin)}); // eslint-disable-line no-await-in-loop
			expect([response.status, JSON.parse(response.body)]).toEqual([503, {reasons: [{code: 'ZUORA_UNAVAILABLE', message: 'The payment service could not be reached. Please try again.'}]}]);
			expect(logs).toEqual([`zuora-cors/server credit-card: Zuora unavailable: POST ${path} failed: The operation was aborted due to timeout`]);
		}

		// The client still works once Zuora answers again.
		const {url, origin} = await setup({zuora: client});
		expect((await send(url, {headers: sameOrigin(origin)})).status).toBe(200);
	});
});

test('toNodeListener: a web handler that reads the body gets it, and an empty one (Content-Length: 0 or none) as empty', async () => {
	const seen: Array<[string, string]> = [];
	const server = createServer(toNodeListener(async request => {
		seen.push([request.method, await request.text()]);
		return new Response('ok');
	}));
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const bodies = ['', 'x', '{"a":1}', 'é'.repeat(3000)];
	for (const body of bodies) {
		expect((await send(url, {body})).status).toBe(200); // eslint-disable-line no-await-in-loop
	}

	expect((await send(url, {method: 'DELETE'})).status).toBe(200);
	expect((await send(url, {headers: {'transfer-encoding': 'chunked'}, body: 'chunked'})).status).toBe(200);
	expect(seen).toEqual([...bodies.map(body => ['POST', body]), ['DELETE', ''], ['POST', 'chunked']]);
});
