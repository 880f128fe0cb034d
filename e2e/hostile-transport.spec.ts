// Issue 9, items 2 and 3, in real browsers: a page whose Object.prototype was polluted (injected
// markup can do that through form names) cannot steer where or how the card is sent, and a
// redirect from an accepted host never carries the card anywhere else.
import {createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {Page, Request} from '@playwright/test';
import type {ZuoraStub} from 'zuora-cors/testing';
import {CARD, expect, listening, test, withoutOrigin} from './fixtures.js';

type ZuoraCors = typeof import('../src/index.js');

/** Every option name ky reads and every RequestInit member fetch reads, generated from ky's own source. */
function optionNames(): string[] {
	const source = readFileSync(fileURLToPath(new URL('../node_modules/ky/distribution/core/constants.js', import.meta.url)), 'utf8');
	const keysOf = (name: string) => [...new RegExp(`export const ${name} = \\{([^}]*)\\}`).exec(source)![1]!.matchAll(/(\w+): true/g)].map(match => match[1]!);
	const ky = keysOf('kyOptionKeys');
	const fetchInit = keysOf('requestOptionsRegistry');
	expect(ky).toContain('prefixUrl');
	expect(fetchInit).toContain('redirect');
	// Members fetch reads that ky's registry leaves out, and the names ky reads inside `hooks` and `retry`.
	const extra = [
		'priority',
		'dispatcher',
		'next',
		'beforeRequest',
		'beforeRetry',
		'afterResponse',
		'beforeError',
		'limit',
		'methods',
		'statusCodes',
		'afterStatusCodes',
		'shouldRetry',
		'retryOnTimeout',
		'delay',
		'url',
	];
	return [...new Set([...ky, ...fetchInit, ...extra])];
}

/** A server on port 0 that records every request it gets, answering with `answer`. */
async function startRecorder(answer: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end('stolen')) {
	const received: Array<{method: string; url: string}> = [];
	const server: Server = createServer((request, response) => {
		received.push({method: request.method ?? '', url: request.url ?? ''});
		request.resume();
		answer(request, response);
	});
	return {...(await listening(server)), received};
}

type Sent = {method: string; url: string; headers: Record<string, string>; body: string | null};

async function sent(request: Request): Promise<Sent> {
	const headers = await request.allHeaders();
	// The pair differs per request; everything else must not.
	const {signature: _signature, token: _token, ...rest} = headers;
	return {method: request.method(), url: request.url(), headers: rest, body: request.postData()};
}

/**
 * A copy of the merchant's site on another port, served WITHOUT the CSP (whose connect-src would
 * block another origin on its own): every request is forwarded to the merchant and recorded here.
 */
async function startNoCspProxy(target: string) {
	// eslint-disable-next-line prefer-const -- the handler needs the proxy's URL, known once it listens.
	let proxy: Awaited<ReturnType<typeof startRecorder>>;
	proxy = await startRecorder((request, response) => {
		// The backend issues signatures to its own origin only: the proxy speaks for the page.
		const origin = request.headers.origin === proxy.url ? {origin: target} : {};
		const upstream = httpRequest(`${target}${request.url ?? '/'}`, {method: request.method, headers: {...request.headers, host: new URL(target).host, ...origin}}, answer => {
			const {'content-security-policy': _csp, ...headers} = answer.headers;
			response.writeHead(answer.statusCode ?? 502, headers);
			answer.pipe(response);
		});
		request.pipe(upstream);
	});
	return proxy;
}

type Pollution = {
	/** The page's origin (the merchant's own, where connect-src 'self' lets anything through). */
	origin: string;
	zuora: string;
	evil: string;
	/** Records every request to the page's own origin but /signature, answering as Zuora would. */
	merchantHits: string[];
};

/**
 * Sets each option name ky or fetch reads on Object.prototype to each hostile value of its `half`,
 * and saves a card each time. The two tests below take one half each (even, odd: each half has
 * every kind of value), so each engine runs every name with every value once (CI time: issue 24).
 */
async function polluteAndSave(page: Page, {origin, zuora, evil, merchantHits}: Pollution, half: 0 | 1) {
	// A path on the merchant's own server is what issue 9 item 1's attack steered the card to: no CSP blocks it.
	const values: unknown[] = [
		`${evil}/steal`,
		{url: `${evil}/steal`, 'x-evil': '1'},
		7,
		true,
		[`${evil}/steal`],
		'/steal',
		`${origin}/steal`,
		'steal',
		'./steal?card=1',
		`//${new URL(origin).host}/steal`,
		{url: '/steal'},
		['/steal'],
	].filter((_value, index) => index % 2 === half);
	// Registered after the page loaded: from now on the page's origin may see /signature and nothing else.
	// (The browser's own favicon fetch, which may come late after the load, is not the library's.)
	await page.route(
		url => url.origin === origin && url.pathname !== '/signature' && url.pathname !== '/favicon.svg',
		async route => {
			merchantHits.push(`${route.request().method()} ${withoutOrigin(route.request().url())}`);
			await route.fulfill({status: 200, contentType: 'application/json', body: '{"success":true,"id":"stolen"}'});
		},
	);
	const names = optionNames();
	const outcomes = await page.evaluate(
		async ({zuora, card, names, values}) => {
			const {fetchSignature, makeCorsRequest} = (window as unknown as {ZuoraCors: ZuoraCors}).ZuoraCors;
			const json = {accountKey: 'A00000001', creditCardType: 'Visa', creditCardNumber: card.number, expirationMonth: 12, expirationYear: 2031, securityCode: card.cvv};
			const once = async () => {
				const pair = await fetchSignature('/signature', {method: 'POST'});
				const result = await makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: pair.signature, token: pair.token, json});
				return result.success === true && typeof result.paymentMethodId === 'string' ? 'saved' : 'no id';
			};

			const results: string[] = [await once()];
			for (const name of names) {
				for (const value of values) {
					const prototype = Object.prototype as Record<string, unknown>;
					prototype[name] = value;
					try {
						results.push(`${name}=${JSON.stringify(value)}: ${await once()}`);
					} catch (error) {
						results.push(`${name}=${JSON.stringify(value)}: ${(error as Error).name} ${(error as {kind?: string}).kind ?? ''} ${(error as Error).message}`);
					} finally {
						delete prototype[name];
					}
				}
			}

			return results;
		},
		{zuora, card: CARD, names, values},
	);
	return {cases: names.length * values.length, outcomes, expected: ['saved', ...names.flatMap(name => values.map(value => `${name}=${JSON.stringify(value)}: saved`))]};
}

/** What the card and signature requests must look like after `cases` polluted saves and one clean one. */
async function expectUnsteered(requests: Request[], {origin, zuora, evil, merchantHits}: Pollution, {cases, outcomes, expected}: Awaited<ReturnType<typeof polluteAndSave>>, demo: {stub: ZuoraStub}) {
	// Not one request reached a merchant path but /signature (page.route saw them all; none was fulfilled).
	// First: where the card went matters more than whether each save succeeded.
	expect(merchantHits).toEqual([]);
	expect(requests.some(request => request.url().startsWith(evil))).toBe(false);
	expect(outcomes).toEqual(expected);
	const isSignatureRequest = (request: Request) => request.url() === `${origin}/signature`;
	const isFavicon = (request: Request) => request.url() === `${origin}/favicon.svg`;
	expect(
		requests.filter(request => new URL(request.url()).origin === origin && !isSignatureRequest(request) && !isFavicon(request)).map(request => `${request.method()} ${withoutOrigin(request.url())}`),
	).toEqual([]);
	// Every POST went to /signature or to the Zuora URL, and the card POSTs only to the Zuora URL.
	// (Signature requests are POSTs too: every POST but those to the backend's /signature counts.)
	const posts = requests.filter(request => request.method() === 'POST' && !isSignatureRequest(request));
	expect(posts.map(request => request.url())).toEqual(Array.from({length: cases + 1}, () => zuora));
	const [baseline, ...rest] = await Promise.all(posts.map(sent));
	// Chromium reports request bodies; Firefox over WebDriver BiDi does not (null): there the
	// stub's stored methods below prove what each body held.
	expect(baseline!.body === null || baseline!.body.includes(CARD.number)).toBe(true);
	for (const request of rest) {
		expect(request).toEqual(baseline);
	}

	const stored = demo.stub.paymentMethods().map(({accountKey, creditCardType, last4, expirationMonth, expirationYear}) => ({accountKey, creditCardType, last4, expirationMonth, expirationYear}));
	expect(stored).toEqual(Array.from({length: cases + 1}, () => ({accountKey: 'A00000001', creditCardType: 'Visa', last4: CARD.number.slice(-4), expirationMonth: 12, expirationYear: 2031})));

	// The signature requests were not steered either, and nothing else was requested.
	const origins = new Set(requests.map(request => new URL(request.url()).origin));
	expect([...origins].sort()).toEqual([origin, demo.stub.url].sort());
	expect(requests.some(request => request.url().startsWith(evil))).toBe(false);
	const signatureRequests = requests.filter(request => new URL(request.url()).pathname === '/signature');
	expect(signatureRequests.every(isSignatureRequest)).toBe(true);
	expect(signatureRequests).toHaveLength(cases + 1);
	expect(new Set(signatureRequests.map(request => `${request.method()} ${request.url()} ${request.postData() ?? ''}`)).size).toBe(1);
	expect(demo.stub.requests().filter(request => request.method === 'POST' && request.path === '/v1/payment-methods/credit-cards')).toHaveLength(cases + 1);
}

test('a polluted Object.prototype changes nothing about where and how the card is sent', async ({page, demo}) => {
	// About 250 saves; Firefox takes over a minute for them on a loaded 2-core machine.
	test.setTimeout(600_000);
	const evil = await startRecorder();
	const requests: Request[] = [];
	try {
		await page.goto(`${demo.merchant.url}/card.html`);
		page.on('request', request => requests.push(request));
		const pollution = {origin: demo.merchant.origin, zuora: `${demo.stub.url}/v1/payment-methods/credit-cards`, evil: evil.url, merchantHits: [] as string[]};
		const saves = await polluteAndSave(page, pollution, 0);
		await expectUnsteered(requests, pollution, saves, demo);
		expect(evil.received).toEqual([]);
	} finally {
		await evil.close();
	}
});

test('a polluted Object.prototype changes nothing on a page without a CSP either', async ({page, demo}) => {
	// About 250 saves; Firefox takes over a minute for them on a loaded 2-core machine.
	test.setTimeout(600_000);
	const evil = await startRecorder();
	// A backend of its own: the other test's ~250 signatures, if it ran just before in this worker, would count against the worker's per-minute limits.
	const limit = {limit: 5000, windowMs: 60_000};
	const merchant = await demo.startMerchant({sessionLimit: limit, ipLimit: limit, sessionCreationLimit: limit});
	const shop = await startNoCspProxy(merchant.origin);
	demo.stub.allowOrigin(shop.url);
	const requests: Request[] = [];
	try {
		const response = await page.goto(`${shop.url}/card.html`);
		expect(response!.headers()['content-security-policy']).toBeUndefined();
		// Without a CSP the page can reach the evil origin: what the check below reads can fail.
		await page.evaluate(
			async evil_ =>
				fetch(`${evil_}/probe`, {mode: 'no-cors'}).then(
					() => 'reached',
					() => 'refused',
				),
			evil.url,
		);
		expect(evil.received).toEqual([{method: 'GET', url: '/probe'}]);
		evil.received.length = 0;
		const loaded = shop.received.length;
		page.on('request', request => requests.push(request));
		const pollution = {origin: shop.url, zuora: `${demo.stub.url}/v1/payment-methods/credit-cards`, evil: evil.url, merchantHits: [] as string[]};
		const saves = await polluteAndSave(page, pollution, 1);
		await expectUnsteered(requests, pollution, saves, demo);
		expect(evil.received).toEqual([]);
		// The proxy, a real server, saw the signature requests and nothing else after the page loaded.
		expect(shop.received.slice(loaded)).toEqual(Array.from({length: saves.cases + 1}, () => ({method: 'POST', url: '/signature'})));
	} finally {
		await Promise.all([evil.close(), shop.close()]);
	}
});

test.describe('redirects from an accepted host', () => {
	for (const status of [301, 302, 303, 307, 308]) {
		test(`a ${status} is refused and forwards nothing`, async ({page}) => {
			const elsewhere = await startRecorder();
			// A page without the demo's CSP (whose connect-src names only the stub), with the bundle.
			const shop = await startRecorder((_request, response) => {
				response.setHeader('content-type', 'text/html');
				response.end('<!doctype html><title>shop</title>');
			});
			// An allowed host that answers the CORS preflight properly, then redirects the card POST.
			const redirector = await startRecorder((request, response) => {
				response.setHeader('access-control-allow-origin', shop.url);
				response.setHeader('access-control-allow-credentials', 'true');
				if (request.method === 'OPTIONS') {
					response.setHeader('access-control-allow-methods', 'POST');
					response.setHeader('access-control-allow-headers', 'accept, content-type, signature, token');
					response.end();
					return;
				}

				response.writeHead(status, {location: `${elsewhere.url}/v1/payment-methods/credit-cards`});
				response.end();
			});
			// Requests that got a response (Playwright also reports a manual redirect's target, unsent).
			const requests: string[] = [];
			page.on('requestfinished', request => requests.push(`${request.method()} ${request.url()}`));
			try {
				await page.goto(shop.url);
				await page.addScriptTag({path: fileURLToPath(new URL('../dist/zuora-cors.iife.min.js', import.meta.url))});
				const zuora = `${redirector.url}/v1/payment-methods/credit-cards`;
				const error = await page.evaluate(
					async ({zuora, card}) => {
						const {makeCorsRequest} = (window as unknown as {ZuoraCors: ZuoraCors}).ZuoraCors;
						const json = {accountKey: 'A00000001', creditCardType: 'Visa', creditCardNumber: card.number, expirationMonth: 12, expirationYear: 2031, securityCode: card.cvv};
						return makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: 'c2ln', token: 'T'.repeat(32), json}).then(
							() => undefined,
							(error_: unknown) => JSON.parse(JSON.stringify(error_)) as {name: string; kind: string; stage: string; retryable: boolean; message: string},
						);
					},
					{zuora, card: CARD},
				);
				expect(error).toMatchObject({name: 'ZuoraCorsError', kind: 'invalid-response', stage: 'request', retryable: false});
				// A code, its prose in src/README.md's answer table; that nothing was forwarded is `elsewhere` below.
				expect(error!.message).toContain('answered: redirect_outcome_unknown');
				expect(error!.message).not.toContain(CARD.number);
				expect(redirector.received.filter(request => request.method === 'POST')).toHaveLength(1);
				expect(elsewhere.received).toEqual([]);
				expect(requests.filter(request => request.includes(elsewhere.url))).toEqual([]);
			} finally {
				await Promise.all([elsewhere.close(), redirector.close(), shop.close()]);
			}
		});
	}
});

// The issue-15 leak checks read CSP reports: the fixture must see every report, as the browser sent it.
test('the fixture sees each CSP report raw: a native submission the CSP blocks is reported with its target', async ({page, demo}) => {
	await page.goto(demo.merchant.url);
	const before = demo.merchant.cspReports().length;
	await page.evaluate(() => {
		const form = document.createElement('form');
		form.action = '/collect';
		form.method = 'get';
		const input = document.createElement('input');
		input.name = 'probe';
		input.value = 'report-me';
		form.append(input);
		document.body.append(form);
		try {
			form.submit();
		} catch {
			// Firefox throws where the CSP blocks the submission; it still reports it.
		}
	});
	await expect.poll(() => demo.merchant.cspReports().slice(before).join('\n'), {timeout: 10_000}).toContain('form-action');
	const reports = demo.merchant.cspReports().slice(before).join('\n');
	expect(reports).toContain(`${demo.merchant.origin}/collect`);
	// Where the browser reports the query, the report holds what the form would have sent: the raw log keeps it visible.
	test.info().annotations.push({type: 'report', description: reports});
});
