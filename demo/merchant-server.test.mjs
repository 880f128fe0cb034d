// The demo backend's defences (issue 9, items 7-10), against real servers on port 0:
// sessions (7), cookie flags (8), CSP reports (9), slow clients and the connection cap (10).
import {request as httpRequest} from 'node:http';
import {connect} from 'node:net';
import fc from 'fast-check';
import {afterAll, afterEach, beforeAll, describe, expect, test} from 'vitest';
import {parseCspReports, startMerchantServer} from './merchant-server.mjs';
import {startZuoraStub} from 'zuora-cors/testing';

/** @type {import('zuora-cors/testing').ZuoraStub} */
let stub;
/** @type {import('./merchant-server.mjs').MerchantServer[]} */
let merchants = [];

beforeAll(async () => {
	stub = await startZuoraStub({});
});
afterAll(async () => {
	await stub.close();
});
afterEach(async () => {
	await Promise.all(merchants.map(async merchant => merchant.close()));
	merchants = [];
	stub.reset();
});

/** @param {Partial<import('./merchant-server.mjs').MerchantOptions>} options */
async function merchant(options = {}) {
	const started = await startMerchantServer({zuoraBaseUrl: stub.url, ...options});
	merchants.push(started);
	return started;
}

/**
 * One HTTP request from a chosen loopback address (127.0.0.0/8 is all loopback on Linux).
 * @param {string} url
 * @param {{method?: string, from?: string, headers?: Record<string, string>, body?: string}} [options]
 * @returns {Promise<{status: number, headers: import('node:http').IncomingHttpHeaders, body: string}>}
 */
async function send(url, {method = 'GET', from = '127.0.0.1', headers = {}, body} = {}) {
	return new Promise((resolve, reject) => {
		const request = httpRequest(url, {method, localAddress: from, headers, agent: false}, response => {
			/** @type {Buffer[]} */
			const chunks = [];
			response.on('data', chunk => chunks.push(chunk));
			response.on('end', () => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8')});
			});
		});
		request.on('error', reject);
		request.end(body);
	});
}

/** @param {{headers: import('node:http').IncomingHttpHeaders}} response */
const cookieOf = response => (response.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';

/** Asks for a card signature the way the demo page does: same-origin POST with the session cookie. */
async function sign(/** @type {import('./merchant-server.mjs').MerchantServer} */ server, /** @type {string} */ cookie, from = '127.0.0.1') {
	return send(`${server.url}/signature`, {method: 'POST', from, headers: {cookie, origin: server.origin, 'sec-fetch-site': 'same-origin'}});
}

describe('item 7: sessions', () => {
	test('only a GET of a page creates a session: HEAD, static files and the 404 page create none', async () => {
		const server = await merchant();
		for (const [method, path] of [['HEAD', '/'], ['GET', '/style.css'], ['GET', '/checkout.js'], ['GET', '/favicon.svg'], ['HEAD', '/index.html'], ['GET', '/nope.html']]) {
			const response = await send(`${server.url}${path}`, {method}); // eslint-disable-line no-await-in-loop
			expect([path, response.headers['set-cookie']]).toEqual([path, undefined]);
		}

		expect(server.sessionCount()).toBe(0);
		const page = await send(`${server.url}/`);
		expect(page.status).toBe(200);
		expect(page.headers['set-cookie']?.[0]).toMatch(/^demo_session=[\da-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/);
		expect(server.sessionCount()).toBe(1);
	});

	test('a flood of page loads from many addresses never evicts a live session: the shopper still gets a token', async () => {
		const server = await merchant({maxSessions: 25, sessionCreationLimit: {limit: 1000, windowMs: 60_000}});
		const shopper = cookieOf(await send(`${server.url}/`));
		const statuses = new Map();
		for (let index = 0; index < 300; index++) {
			const response = await send(`${server.url}/`, {from: `127.0.${1 + (index % 50)}.${2 + (index % 200)}`}); // eslint-disable-line no-await-in-loop
			statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
		}

		// 24 more sessions fit; every later page load is refused instead of evicting one.
		expect(Object.fromEntries(statuses)).toEqual({200: 24, 503: 276});
		expect(server.sessionCount()).toBe(25);
		const token = await sign(server, shopper);
		expect(token.status).toBe(200);
		expect(JSON.parse(token.body)).toMatchObject({success: true, token: expect.stringMatching(/^[A-Za-z\d]{32}$/)});
	});

	test('when the table is full, only idle-expired sessions make room', async () => {
		let now = 1_000_000;
		const server = await merchant({maxSessions: 3, sessionIdleMs: 60_000, now: () => now, sessionCreationLimit: {limit: 1000, windowMs: 60_000}});
		const first = cookieOf(await send(`${server.url}/`));
		now += 30_000;
		const second = cookieOf(await send(`${server.url}/`));
		const third = cookieOf(await send(`${server.url}/`));
		expect((await send(`${server.url}/`)).status).toBe(503);
		// The first session idles past its lifetime; the others were used within it.
		now += 40_000;
		expect((await sign(server, second)).status).toBe(200);
		const fourth = await send(`${server.url}/`);
		expect(fourth.status).toBe(200);
		expect((await sign(server, first)).status).toBe(403);
		expect((await sign(server, third)).status).toBe(200);
		expect((await sign(server, cookieOf(fourth))).status).toBe(200);
	});

	test('session creation is limited per client address; another address is not affected', async () => {
		const server = await merchant({sessionCreationLimit: {limit: 5, windowMs: 60_000}});
		const statuses = [];
		for (let index = 0; index < 8; index++) {
			statuses.push((await send(`${server.url}/`, {from: '127.0.0.9'})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
		const limited = await send(`${server.url}/`, {from: '127.0.0.9'});
		expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
		expect((await send(`${server.url}/`, {from: '127.0.0.10'})).status).toBe(200);
	});
});

describe('item 8: the session cookie', () => {
	test('served over https (publicOrigin), the cookie is __Host- prefixed and Secure, and it is the one that works', async () => {
		const server = await merchant({publicOrigin: 'https://shop.example'});
		const page = await send(`${server.url}/`);
		expect(page.headers['set-cookie']?.[0]).toMatch(/^__Host-demo_session=[\da-f]{32}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
		const cookie = cookieOf(page);
		expect((await send(`${server.url}/signature`, {method: 'POST', headers: {cookie, origin: 'https://shop.example'}})).status).toBe(200);
		// The unprefixed name is not read.
		expect((await send(`${server.url}/signature`, {method: 'POST', headers: {cookie: cookie.replace('__Host-', ''), origin: 'https://shop.example'}})).status).toBe(403);
	});
});

describe('item 9: CSP reports', () => {
	const CARD = '4111111111111111';
	/** @param {string} text */
	const digitsOnly = text => {
		let decoded = text;
		try {
			decoded = decodeURIComponent(text);
		} catch {}

		return decoded.normalize('NFKC').replace(/\D/g, '');
	};

	test('a report needs no session; only a few parsed fields are kept, without query, path of the blocked URL or sample', async () => {
		const server = await merchant();
		const report = {'csp-report': {
			'document-uri': `${server.url}/?creditCardNumber=${CARD}&securityCode=737`,
			'blocked-uri': `https://evil.example/collect/${CARD}?cvv=737`,
			'violated-directive': 'script-src-elem',
			'effective-directive': 'script-src-elem',
			'script-sample': `send("${CARD}")`,
			disposition: 'enforce',
			referrer: `${server.url}/?n=${CARD}`,
		}};
		const response = await send(`${server.url}/__csp-report`, {method: 'POST', headers: {'content-type': 'application/csp-report'}, body: JSON.stringify(report)});
		expect(response.status).toBe(204);
		expect(server.cspReports()).toEqual([{directive: 'script-src-elem', blocked: 'https://evil.example', document: `${server.url}/`, disposition: 'enforce'}]);
	});

	test('card numbers in any field, in any format, are never stored verbatim (generated variants)', () => {
		const separators = fc.constantFrom('', ' ', '-', '.', '\u00A0', '\t', '  ', '/', '%20');
		fc.assert(fc.property(separators, fc.boolean(), fc.constantFrom('effectiveDirective', 'disposition', 'violated-directive'), fc.constantFrom('blockedURL', 'documentURL'), (separator, fullWidth, textField, urlField) => {
			const grouped = CARD.match(/.{4}/g)?.join(separator) ?? CARD;
			// Full-width digits (U+FF10-FF19) read as the same number.
			const number = fullWidth ? grouped.replace(/\d/g, digit => String.fromCodePoint(0xFF10 + Number(digit))) : grouped;
			const body = {[textField]: `x ${number} y`, [urlField]: `https://h.example/${number}?q=${number}#${number}`};
			const stored = JSON.stringify([...parseCspReports(JSON.stringify({'csp-report': body})), ...parseCspReports(JSON.stringify([{type: 'csp-violation', body}]))]);
			expect(digitsOnly(stored)).not.toContain(CARD);
		}));
	});

	test('the store is bounded in count (the newest kept) and a body over the byte cap is refused unread', async () => {
		const server = await merchant({maxCspReports: 100, cspReportLimit: {limit: 1000, windowMs: 60_000}});
		for (let index = 0; index < 150; index++) {
			const body = JSON.stringify({'csp-report': {'effective-directive': `d${index}`}});
			await send(`${server.url}/__csp-report`, {method: 'POST', body}); // eslint-disable-line no-await-in-loop
		}

		const stored = server.cspReports();
		expect(stored).toHaveLength(100);
		expect([stored[0]?.directive, stored[99]?.directive]).toEqual(['d50', 'd149']);
		const huge = JSON.stringify({'csp-report': {'effective-directive': 'huge', 'script-sample': 'x'.repeat(60_000)}});
		expect((await send(`${server.url}/__csp-report`, {method: 'POST', body: huge})).status).toBe(413);
		expect(server.cspReports().some(report => report.directive === 'huge')).toBe(false);
		// Each kept field is cut short, so the store's bytes are bounded too.
		const long = JSON.stringify({'csp-report': {'effective-directive': 'a'.repeat(5000)}});
		await send(`${server.url}/__csp-report`, {method: 'POST', body: long});
		expect(server.cspReports().at(-1)?.directive).toHaveLength(200);
	});

	test('reports are rate-limited per client address', async () => {
		const server = await merchant({cspReportLimit: {limit: 3, windowMs: 60_000}});
		const body = JSON.stringify({'csp-report': {'effective-directive': 'img-src'}});
		const statuses = [];
		for (let index = 0; index < 5; index++) {
			statuses.push((await send(`${server.url}/__csp-report`, {method: 'POST', from: '127.0.0.20', body})).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([204, 204, 204, 429, 429]);
		expect((await send(`${server.url}/__csp-report`, {method: 'POST', from: '127.0.0.21', body})).status).toBe(204);
		expect(server.cspReports()).toHaveLength(4);
	});
});

describe('item 10: slow clients and the connection cap', () => {
	/**
	 * Opens a socket and trickles `text` one byte every 50 ms; resolves when the server closes
	 * the connection, with what it answered and how many bytes were sent by then.
	 * @param {string} url
	 * @param {string} text
	 */
	async function trickle(url, text) {
		const {hostname, port} = new URL(url);
		return new Promise(resolve => {
			const socket = connect(Number(port), hostname);
			let sent = 0;
			let answer = '';
			const timer = setInterval(() => {
				if (sent < text.length && socket.writable) socket.write(text[sent++] ?? '');
			}, 50);
			socket.on('data', chunk => {
				answer += String(chunk);
			});
			socket.on('error', () => undefined);
			socket.on('close', () => {
				clearInterval(timer);
				resolve({answer, sent, of: text.length});
			});
		});
	}

	test('a client trickling its headers a byte at a time is cut off by the headers timeout', async () => {
		const server = await merchant({headersTimeoutMs: 400, requestTimeoutMs: 800});
		const result = /** @type {{answer: string, sent: number, of: number}} */ (await trickle(server.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(2000)}\r\n\r\n`));
		expect(result.sent).toBeLessThan(result.of);
		expect(result.answer.startsWith('HTTP/1.1 408')).toBe(true);
	});

	test('a client trickling its body is cut off by the request timeout', async () => {
		const server = await merchant({headersTimeoutMs: 400, requestTimeoutMs: 800});
		const body = 'x'.repeat(2000);
		const result = /** @type {{answer: string, sent: number, of: number}} */ (await trickle(server.url, `POST /__csp-report HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
		expect(result.sent).toBeLessThan(result.of);
		expect(result.answer.startsWith('HTTP/1.1 408')).toBe(true);
	});

	test('connections over maxConnections are closed at once; the ones within are served', async () => {
		const server = await merchant({maxConnections: 3});
		const {port} = new URL(server.url);
		const open = await Promise.all(Array.from({length: 3}, async () => new Promise(resolve => {
			const socket = connect(Number(port), '127.0.0.1', () => {
				resolve(socket);
			});
		})));
		const extra = await new Promise(resolve => {
			const socket = connect(Number(port), '127.0.0.1');
			let answer = '';
			socket.on('data', chunk => {
				answer += String(chunk);
			});
			socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
			socket.on('error', () => undefined);
			socket.on('close', () => {
				resolve(answer);
			});
		});
		expect(extra).toBe('');
		const first = /** @type {import('node:net').Socket} */ (open[0]);
		const answer = await new Promise(resolve => {
			first.once('data', chunk => {
				resolve(String(chunk));
			});
			first.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\n');
		});
		expect(String(answer).startsWith('HTTP/1.1 200')).toBe(true);
		for (const socket of open) /** @type {import('node:net').Socket} */ (socket).destroy();
	});
});
