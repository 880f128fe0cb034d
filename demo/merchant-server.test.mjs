// What the demo backend adds to zuora-cors/server (whose checks are tested in src/server):
// sessions started by pages, the session cookie, the CSP report log, the pages it serves, and
// Node's limits on slow clients. Real servers on port 0; the session table's policy in-process
// is in sessions.test.mjs.
import {spawn} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {request as httpRequest} from 'node:http';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {describeCspReport} from './csp-report.mjs';
import {servedPages, startMerchantServer} from './merchant-server.mjs';
import {startZuoraStub} from 'zuora-cors/testing';

const CARD = '4111111111111111';

/** @type {import('zuora-cors/testing').ZuoraStub} */
let stub;
/** @type {Array<{close(): Promise<unknown>}>} */
let servers = [];

beforeEach(async () => {
	stub = await startZuoraStub({});
	servers = [stub];
});
afterEach(async () => {
	await Promise.all(servers.map(async server => server.close()));
});

/** @param {Partial<import('./merchant-server.mjs').MerchantOptions>} options */
async function merchant(options = {}) {
	const started = await startMerchantServer({zuoraBaseUrl: stub.url, ...options});
	servers.push(started);
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
		const request = httpRequest(url, {method, localAddress: from, headers, agent: false, timeout: 10_000}, response => {
			/** @type {Buffer[]} */
			const chunks = [];
			response.on('data', chunk => chunks.push(chunk));
			response.on('end', () => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8')});
			});
		});
		request.on('timeout', () => request.destroy(new Error(`${method} ${url} timed out`)));
		request.on('error', reject);
		request.end(body);
	});
}

/** @param {{headers: import('node:http').IncomingHttpHeaders}} response */
const cookieOf = response => (response.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';

/** Asks for a card signature the way the demo page does: same-origin POST with the session cookie. */
async function sign(/** @type {{url: string, origin: string}} */ server, /** @type {string} */ cookie, from = '127.0.0.1') {
	return send(`${server.url}/signature`, {method: 'POST', from, headers: {cookie, origin: server.origin, 'sec-fetch-site': 'same-origin'}});
}

describe('sessions', () => {
	test('only a GET of a page starts a session, and only a session gets a token', async () => {
		const server = await merchant();
		for (const [method, path] of [
			['HEAD', '/'],
			['GET', '/style.css'],
			['GET', '/checkout.js'],
			['GET', '/favicon.svg'],
			['HEAD', '/index.html'],
			['GET', '/nope.html'],
			['GET', '/../package.json'],
		]) {
			const response = await send(`${server.url}${path}`, {method}); // eslint-disable-line no-await-in-loop
			expect([path, response.headers['set-cookie']]).toEqual([path, undefined]);
		}

		expect((await sign(server, '')).status).toBe(403);
		expect((await sign(server, 'demo_session=0123456789abcdef0123456789abcdef')).status).toBe(403);
		const page = await send(`${server.url}/`);
		expect(page.status).toBe(200);
		expect(page.headers['set-cookie']?.[0]).toMatch(/^demo_session=[\da-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/);
		const token = await sign(server, cookieOf(page));
		expect(token.status).toBe(200);
		expect(JSON.parse(token.body)).toMatchObject({success: true, token: expect.stringMatching(/^[A-Za-z\d]{32}$/)});
		// A page loaded again with the session keeps it: no new cookie.
		expect((await send(`${server.url}/card.html`, {headers: {cookie: cookieOf(page)}})).headers['set-cookie']).toBeUndefined();
	});

	// Issue 15 item 11 over HTTP: seen failing on the old backend (the shopper got 503, and so did every new one).
	test('a flood of page loads from many addresses of one /24 neither evicts a shopper nor locks new shoppers out', async () => {
		const server = await merchant({sessions: {maxSessions: 100}});
		const shopper = cookieOf(await send(`${server.url}/`));
		/** @type {Record<number, number>} */
		const statuses = {};
		for (let host = 1; host <= 10; host++) {
			for (let index = 0; index < 31; index++) {
				const {status} = await send(`${server.url}/`, {from: `127.0.9.${host}`}); // eslint-disable-line no-await-in-loop
				statuses[status] = (statuses[status] ?? 0) + 1;
			}
		}

		// 120 new sessions a minute from one /24, then 429 with a wait; the table (100) made room from that /24 itself.
		expect(statuses).toEqual({200: 120, 429: 190});
		expect((await send(`${server.url}/`, {from: '127.0.9.77'})).headers['retry-after']).toMatch(/^[1-6]?\d$/);
		expect((await sign(server, shopper)).status).toBe(200);
		const newcomer = await send(`${server.url}/`, {from: '127.0.10.1'});
		expect(newcomer.status).toBe(200);
		expect((await sign(server, cookieOf(newcomer), '127.0.10.1')).status).toBe(200);
	}, 60_000);

	test("/reconcile answers only a session, for the session's account", async () => {
		const server = await merchant();
		const reconcile = async (/** @type {string} */ cookie, token = 'T'.repeat(32)) =>
			send(`${server.url}/reconcile`, {
				method: 'POST',
				headers: {cookie, origin: server.origin, 'content-type': 'application/json'},
				body: JSON.stringify({token, creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2031}),
			});
		expect((await reconcile('')).status).toBe(403);
		const before = stub.requests().length;
		expect((await reconcile('demo_session=0123456789abcdef0123456789abcdef')).status).toBe(403);
		const cookie = cookieOf(await send(`${server.url}/`));
		// A session, but a token the demo never gave it: no question reaches Zuora.
		expect((await reconcile(cookie)).status).toBe(403);
		expect(stub.requests().length).toBe(before);
		const signed = await send(`${server.url}/signature`, {method: 'POST', headers: {cookie, origin: server.origin}});
		const {token} = JSON.parse(signed.body);
		expect((await reconcile(cookie, token)).status).toBe(200);
		// Past the session and the token: the handler asked Zuora for this session's own account's cards.
		expect(stub.requests().map(request => request.path)).toContain('/v1/payment-methods/credit-cards/accounts/A10000001');
	});

	test('each session has its own account: its pages name it, and /reconcile asks Zuora for that account only', async () => {
		const server = await merchant();
		// One after the other: the accounts are given in the order the sessions open.
		const visitors = [cookieOf(await send(`${server.url}/`)), cookieOf(await send(`${server.url}/`)), cookieOf(await send(`${server.url}/`))];
		const accountOf = async (/** @type {string} */ cookie) => /accountKey: '([^']*)'/.exec((await send(`${server.url}/config.js`, {headers: {cookie}})).body)?.[1];
		const accounts = await Promise.all(visitors.map(accountOf));
		expect(accounts).toEqual(['A10000001', 'A10000002', 'A10000003']);
		// No session, no account: config.js names none.
		expect(await accountOf('')).toBe('');
		for (const [index, cookie] of visitors.entries()) {
			const {token} = JSON.parse((await send(`${server.url}/signature`, {method: 'POST', headers: {cookie, origin: server.origin}})).body); // eslint-disable-line no-await-in-loop
			const before = stub.requests().length;
			const answer = await send(`${server.url}/reconcile`, {
				method: 'POST',
				headers: {cookie, origin: server.origin, 'content-type': 'application/json'},
				body: JSON.stringify({token, creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2031}),
			}); // eslint-disable-line no-await-in-loop
			expect(answer.status).toBe(200);
			expect(
				stub
					.requests()
					.slice(before)
					.map(request => request.path),
			).toEqual([`/v1/payment-methods/credit-cards/accounts/${accounts[index]}`]);
		}
	});

	test("a configured account (a real tenant) is every session's", async () => {
		const server = await merchant({accountKey: 'A00000042'});
		const cookies = [cookieOf(await send(`${server.url}/`)), cookieOf(await send(`${server.url}/`))];
		for (const cookie of cookies) {
			expect((await send(`${server.url}/config.js`, {headers: {cookie}})).body).toContain("accountKey: 'A00000042'"); // eslint-disable-line no-await-in-loop
		}
	});

	test('behind an https origin the cookie is __Host- prefixed and Secure, and it is the one that works', async () => {
		const server = await merchant({publicOrigin: 'https://shop.example'});
		const page = await send(`${server.url}/`);
		expect(page.headers['set-cookie']?.[0]).toMatch(/^__Host-demo_session=[\da-f]{32}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
		const cookie = cookieOf(page);
		expect((await send(`${server.url}/signature`, {method: 'POST', headers: {cookie, origin: 'https://shop.example'}})).status).toBe(200);
		// The unprefixed name is not read.
		expect((await send(`${server.url}/signature`, {method: 'POST', headers: {cookie: cookie.replace('__Host-', ''), origin: 'https://shop.example'}})).status).toBe(403);
	});
});

describe('pages', () => {
	test('every page in servedPages() is served with the CSP and its placeholders filled; other methods are refused', async () => {
		const server = await merchant();
		const pages = await servedPages();
		expect(pages.map(page => page.path)).toEqual(expect.arrayContaining(['/', '/account.html', '/card.html']));
		for (const {path, title} of pages) {
			expect([path, title]).toEqual([path, expect.stringMatching(/\S/)]);
			const page = await send(`${server.url}${path}`); // eslint-disable-line no-await-in-loop
			expect([path, page.status, page.headers['content-type']]).toEqual([path, 200, 'text/html; charset=utf-8']);
			expect(page.headers['content-security-policy']).toContain("form-action 'none'");
			if (!path.startsWith('/spa/') && !path.startsWith('/vite/')) {
				expect([path, page.body.match(/%[A-Z_]+%/g)]).toEqual([path, null]);
			}
		}

		expect((await send(`${server.url}/`, {method: 'PUT'})).status).toBe(405);
	});

	test('npm start prints every page it serves, each once with its title, and the card origin framed by its checkout', async () => {
		const pagesDir = new URL('pages/', import.meta.url);
		const expected = readdirSync(pagesDir)
			.filter(file => file.endsWith('.html'))
			.map(file => `/${file.replace(/^index\.html$/, '')}`);
		const {ZUORA_BASE_URL: _real, ...env} = process.env;
		const start = spawn(process.execPath, [new URL('start.mjs', import.meta.url).pathname], {env: {...env, PORT: '0', STUB_PORT: '0', CARD_PORT: '0'}, stdio: ['ignore', 'pipe', 'inherit']});
		try {
			let printedText = '';
			const output = await new Promise((resolve, reject) => {
				let text = '';
				const timer = setTimeout(() => reject(new Error(`npm start did not print every page within 20 s: ${text}`)), 20_000);
				start.on('exit', code => reject(new Error(`npm start exited (${code}): ${text}`)));
				start.stdout.on('data', chunk => {
					text += String(chunk);
					const printed = [...text.matchAll(/^ {2}http:\/\/127\.0\.0\.1:\d+(\/\S*) {2}\S/gm)].map(match => match[1]);
					// Output arrives in chunks: wait for every page (a missing one ends in the timer's error, with the text).
					if (expected.every(page => printed.includes(page)) && text.endsWith('\n')) {
						printedText = text;
						clearTimeout(timer);
						resolve(printed);
					}
				});
			});
			expect(output).toEqual(expect.arrayContaining(expected));
			expect(new Set(/** @type {string[]} */ (output)).size).toBe(/** @type {string[]} */ (output).length);
			// The card origin is printed, and serves the frame that only the printed shop may embed.
			const [, card, shop] = /^Card origin: (http:\/\/127\.0\.0\.1:\d+)\/ \(the card frame of the checkout at (http:\/\/127\.0\.0\.1:\d+)\/\)$/m.exec(printedText) ?? [];
			const frame = await send(`${card}/`);
			expect([frame.status, frame.headers['content-security-policy']]).toEqual([200, expect.stringContaining(`frame-ancestors ${shop}`)]);
			expect((await send(`${shop}/`)).headers['content-security-policy']).toContain(`frame-src ${card}`);
		} finally {
			const exited = new Promise(resolve => {
				start.once('exit', resolve);
			});
			start.kill('SIGTERM');
			await exited;
		}
	}, 30_000);

	test("Node's limits on slow and greedy clients are set", async () => {
		const {server} = await merchant();
		expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.maxConnections]).toEqual([10_000, 30_000, 5000, 1000]);
	});
});

describe('CSP reports', () => {
	test("a report is logged as one line with its directive, the blocked origin and the page's path: no query, sample or referrer", async () => {
		/** @type {string[]} */
		const lines = [];
		const server = await merchant({log: line => lines.push(line)});
		const report = {
			'csp-report': {
				'document-uri': `${server.url}/?creditCardNumber=${CARD}&securityCode=737`,
				'blocked-uri': `https://evil.example/collect/${CARD}?cvv=737`,
				'effective-directive': 'form-action',
				'script-sample': `send("${CARD}")`,
				referrer: `${server.url}/?n=${CARD}`,
			},
		};
		const response = await send(`${server.url}/__csp-report`, {method: 'POST', headers: {'content-type': 'application/csp-report'}, body: JSON.stringify(report)});
		expect(response.status).toBe(204);
		// The page's 127.0.0.1 and port are 6+ digits: masked with any card-like run.
		expect(lines).toEqual(['merchant: CSP violation form-action https://evil.example http://[redacted]/']);
		const huge = JSON.stringify({'csp-report': {'effective-directive': 'huge', 'script-sample': 'x'.repeat(60_000)}});
		expect((await send(`${server.url}/__csp-report`, {method: 'POST', body: huge})).status).toBe(413);
		expect(lines).toHaveLength(1);
	});

	test('a flood of reports from one address: 10 lines logged, then 429 and nothing logged', async () => {
		/** @type {string[]} */
		const lines = [];
		const server = await merchant({log: line => lines.push(line)});
		const body = JSON.stringify(Array.from({length: 10}, () => ({type: 'csp-violation', body: {effectiveDirective: 'script-src-elem', blockedURL: 'inline'}})));
		const statuses = [];
		for (let index = 0; index < 5; index++) {
			statuses.push((await send(`${server.url}/__csp-report`, {method: 'POST', headers: {'content-type': 'application/reports+json'}, body})).status); // eslint-disable-line no-await-in-loop
		}

		// 50 violations; the client's bucket holds 10 and earns one every 6 s (whatever the machine's pace, far below 40 more).
		expect(statuses[0]).toBe(204);
		expect(statuses.slice(1)).toEqual([429, 429, 429, 429]);
		expect(lines.length).toBeGreaterThanOrEqual(10);
		expect(lines.length).toBeLessThan(20);
		expect(new Set(lines)).toEqual(new Set(['merchant: CSP violation script-src-elem inline ']));
	});

	test('a card number in any field, grouped and encoded as a browser may, is never logged (generated variants)', () => {
		/** @param {string} text */
		const digitsOnly = text => {
			let decoded = text;
			try {
				decoded = decodeURIComponent(text);
			} catch {}

			return decoded.normalize('NFKC').replace(/\D/g, '');
		};
		const separators = fc.constantFrom('', ' ', '-', '.', '\u00A0', '\t', '  ', '/', '%20', '%C2%A0');
		fc.assert(
			fc.property(
				separators,
				fc.boolean(),
				fc.constantFrom('effectiveDirective', 'violated-directive'),
				fc.constantFrom('blockedURL', 'documentURL', 'blocked-uri', 'document-uri'),
				(separator, fullWidth, textField, urlField) => {
					const grouped = CARD.match(/.{4}/g)?.join(separator) ?? CARD;
					// Full-width digits (U+FF10-FF19) read as the same number.
					const number = fullWidth ? grouped.replace(/\d/g, digit => String.fromCodePoint(0xff_10 + Number(digit))) : grouped;
					const body = {[textField]: `x ${number} y`, [urlField]: `https://h.example/${number}?q=${number}#${number}`};
					const lines = [...describeCspReport(JSON.stringify({'csp-report': body})), ...describeCspReport(JSON.stringify([{type: 'csp-violation', body}]))];
					expect(lines).toHaveLength(2);
					for (const line of lines) {
						expect(digitsOnly(line)).not.toContain(CARD);
					}
				},
			),
			{seed: 9, numRuns: 200},
		);
		expect(describeCspReport('not json')).toEqual([]);
		expect(describeCspReport(JSON.stringify([{type: 'other', body: {}}]))).toEqual([]);
	});
});
