// createCardFrameHandler and the frameOrigin CORS decisions of the signature and reconcile
// handlers, in-process with web Requests (no sockets).
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {createCardFrameHandler, createIssuedTokens, createReconcileHandler, createSignatureHandler, type CardFrameHandlerOptions} from './index.js';
import {frameCorsHeaders, framePreflight, originRefusal} from './gate.js';

const SHOP = 'https://shop.example';
const CARDS = 'https://cards.shop.example';
const SCRIPT = 'console.log("frame")';
const OPTIONS: CardFrameHandlerOptions = {
	parentOrigins: [SHOP],
	signatureUrl: `${SHOP}/signature`,
	reconcileUrl: `${SHOP}/reconcile`,
	zuora: 'apisandbox',
	script: SCRIPT,
};

const get = async (path: string, options: Partial<CardFrameHandlerOptions> = {}, method = 'GET') => createCardFrameHandler({...OPTIONS, ...options})(new Request(`${CARDS}${path}`, {method}));

describe('createCardFrameHandler', () => {
	test('GET / answers the frame page with its confining headers and the configuration as data', async () => {
		const response = await get('/');
		expect(response.status).toBe(200);
		expect(Object.fromEntries(response.headers)).toMatchObject({
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy':
				"default-src 'none'; script-src 'self'; style-src 'self'; connect-src https://shop.example https://rest.apisandbox.zuora.com; frame-ancestors https://shop.example; form-action 'none'; base-uri 'none'",
			'referrer-policy': 'no-referrer',
			'x-content-type-options': 'nosniff',
			'cache-control': 'no-cache',
		});
		const html = await response.text();
		const config = /<meta name="zuora-cors-frame" content="([^"]*)">/.exec(html)?.[1];
		expect(JSON.parse(config!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))))).toEqual({
			parentOrigins: [SHOP],
			signatureUrl: `${SHOP}/signature`,
			reconcileUrl: `${SHOP}/reconcile`,
			url: 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards',
		});
		// No inline script or style: only the page's own assets, under the paths it chose.
		expect(html).not.toMatch(/<script>|<style|style=/);
	});

	test("serves its script and style under the paths the page names, each nosniff; the script is the handler's own", async () => {
		const html = await (await get('/')).text();
		const [script, style] = [/<script src="([^"]+)">/.exec(html)![1]!, /<link rel="stylesheet" href="([^"]+)">/.exec(html)![1]!];
		const scriptAnswer = await get(script);
		expect([scriptAnswer.status, scriptAnswer.headers.get('content-type'), scriptAnswer.headers.get('x-content-type-options'), await scriptAnswer.text()]).toEqual([
			200,
			'text/javascript; charset=utf-8',
			'nosniff',
			SCRIPT,
		]);
		const styleAnswer = await get(style);
		expect([styleAnswer.status, styleAnswer.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
		expect((await get(script, {script: 'other()'})).status).toBe(404);
	});

	test('any other path is 404, another method on a served path 405, HEAD answers no body', async () => {
		const handler = createCardFrameHandler(OPTIONS);
		const paths = fc.array(fc.string({maxLength: 12}), {minLength: 1, maxLength: 4}).map(parts => `/${parts.map(part => encodeURIComponent(part)).join('/')}`);
		await fc.assert(
			fc.asyncProperty(
				paths.filter(path => path !== '/'),
				async path => {
					expect((await handler(new Request(`${CARDS}${path}`))).status).toBe(404);
				},
			),
			{seed: 22, numRuns: 100},
		);
		for (const path of ['/index.html', '//', '/frame.js', '/frame.css', '/frame.000000000000.js', '/%2F', '/./frame.js']) {
			expect((await handler(new Request(`${CARDS}${path}`))).status).toBe(404);
		}

		for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
			const response = await get('/', {}, method);
			expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
		}

		const head = await get('/', {}, 'HEAD');
		expect([head.status, await head.text(), head.headers.get('content-security-policy')?.startsWith("default-src 'none'")]).toEqual([200, '', true]);
	});

	test('without zuora, connect-src allows https hosts under zuora.com and the allowed hosts; several parents', async () => {
		const response = await get('/', {zuora: undefined, reconcileUrl: 'https://api.shop.example/reconcile', allowedHosts: ['http://127.0.0.1:9000'], parentOrigins: [SHOP, 'https://www.shop.example']});
		expect(response.headers.get('content-security-policy')).toBe(
			"default-src 'none'; script-src 'self'; style-src 'self'; connect-src https://shop.example https://api.shop.example https://*.zuora.com http://127.0.0.1:9000; frame-ancestors https://shop.example https://www.shop.example; form-action 'none'; base-uri 'none'",
		);
	});

	test('configuration that decides where the card goes is checked when the handler is made, and read as own properties only', () => {
		expect(() => createCardFrameHandler({...OPTIONS, parentOrigins: 'https://shop.example/'})).toThrow('parentOrigins must be');
		expect(() => createCardFrameHandler({...OPTIONS, parentOrigins: []})).toThrow('parentOrigins must be');
		expect(() => createCardFrameHandler({...OPTIONS, signatureUrl: '/signature'})).toThrow('signatureUrl must be an absolute');
		expect(() => createCardFrameHandler({...OPTIONS, reconcileUrl: 'javascript:alert(1)'})).toThrow('reconcileUrl must be an absolute');
		expect(() => createCardFrameHandler({...OPTIONS, zuora: 'https://evil.example/x'})).toThrow('zuora must be');
		expect(() => createCardFrameHandler({...OPTIONS, supportedBrands: ['Visa', 'Maestro']})).toThrow('supportedBrands must be');
		expect(() => createCardFrameHandler({...OPTIONS, supportedBrands: []})).toThrow('supportedBrands must be');
		expect(() => createCardFrameHandler({...OPTIONS, allowedHosts: ['https://evil.example/path']})).toThrow('allowedHosts must be');
		const inherited = Object.create({signatureUrl: 'https://evil.example/signature'}) as CardFrameHandlerOptions;
		Object.assign(inherited, {parentOrigins: SHOP, script: SCRIPT});
		expect(() => createCardFrameHandler(inherited)).toThrow('signatureUrl must be an absolute');
	});

	test("without the script option it reads the package's built script; one that cannot be read is a 500 and one log line, tried again later", async () => {
		const logs: string[] = [];
		const handler = createCardFrameHandler({...OPTIONS, script: undefined, log: line => logs.push(line)});
		// In the source tree (vitest) there is no built script beside this module.
		const response = await handler(new Request(`${CARDS}/`));
		expect([response.status, await response.text()]).toEqual([500, 'The card frame is unavailable.']);
		expect(logs).toEqual([expect.stringMatching(/^zuora-cors\/server card frame: the frame's script could not be read \(.*\): run npm run build, or give the script option$/)]);
		await handler(new Request(`${CARDS}/`));
		expect(logs).toHaveLength(2);
	});

	test('the configuration cannot break out of its attribute', async () => {
		const html = await (await get('/', {signatureUrl: `${SHOP}/sig?a="><script>alert(1)</script>`})).text();
		expect(html).not.toContain('<script>alert');
		expect(html.match(/<script/g)).toHaveLength(1);
	});
});

describe('frameOrigin: CORS for the card frame, same-site only', () => {
	const request = (headers: Record<string, string>, method = 'POST') => new Request(`${SHOP}/signature`, {method, headers});

	test('the frame origin same-site (or same-origin, or no Sec-Fetch-Site) is admitted; cross-site refused with CROSS_SITE; others as before', () => {
		const origins = new Set([SHOP]);
		for (const site of ['same-site', 'same-origin']) {
			expect(originRefusal(request({origin: CARDS, 'sec-fetch-site': site}), origins, CARDS)).toBeUndefined();
		}

		expect(originRefusal(request({origin: CARDS}), origins, CARDS)).toBeUndefined();
		for (const site of ['cross-site', 'none', 'bogus']) {
			expect(originRefusal(request({origin: CARDS, 'sec-fetch-site': site}), origins, CARDS)).toMatchObject({status: 403, code: 'CROSS_SITE'});
		}

		// Without frameOrigin the frame is a foreign origin; with it, another origin still is.
		expect(originRefusal(request({origin: CARDS, 'sec-fetch-site': 'same-site'}), origins)).toMatchObject({code: 'CROSS_SITE'});
		expect(originRefusal(request({origin: 'https://cards2.shop.example', 'sec-fetch-site': 'same-site'}), origins, CARDS)).toMatchObject({code: 'CROSS_SITE'});
		expect(originRefusal(request({origin: SHOP, 'sec-fetch-site': 'same-origin'}), origins, CARDS)).toBeUndefined();
	});

	test('CORS headers for exactly the frame origin, with credentials; every answer varies by Origin', () => {
		expect(frameCorsHeaders(request({origin: CARDS}), CARDS)).toEqual({'access-control-allow-origin': CARDS, 'access-control-allow-credentials': 'true', vary: 'Origin'});
		expect(frameCorsHeaders(request({origin: SHOP}), CARDS)).toEqual({vary: 'Origin'});
		expect(frameCorsHeaders(request({origin: `${CARDS}.evil.example`}), CARDS)).toEqual({vary: 'Origin'});
		expect(frameCorsHeaders(request({origin: CARDS}), undefined)).toBeUndefined();
	});

	test('a preflight is answered for the frame origin, same-site, only', async () => {
		const preflight = framePreflight(request({origin: CARDS, 'sec-fetch-site': 'same-site', 'access-control-request-method': 'POST'}, 'OPTIONS'), CARDS);
		expect(preflight?.status).toBe(204);
		expect(Object.fromEntries(preflight!.headers)).toEqual({
			'access-control-allow-origin': CARDS,
			'access-control-allow-credentials': 'true',
			'access-control-allow-methods': 'POST',
			'access-control-allow-headers': 'content-type',
			'access-control-max-age': '600',
			vary: 'Origin',
		});
		expect(framePreflight(request({origin: CARDS, 'sec-fetch-site': 'cross-site'}, 'OPTIONS'), CARDS)).toBeUndefined();
		expect(framePreflight(request({origin: SHOP}, 'OPTIONS'), CARDS)).toBeUndefined();
		expect(framePreflight(request({origin: CARDS}, 'OPTIONS'), undefined)).toBeUndefined();
		expect(framePreflight(request({origin: CARDS}), CARDS)).toBeUndefined();
	});

	const handlers = {
		signature: (frameOrigin?: string) =>
			createSignatureHandler({
				operation: 'credit-card',
				zuora: {baseUrl: 'https://rest.zuora.com', clientId: 'c', clientSecret: 's'},
				origin: SHOP,
				trustProxy: 0,
				authorize: () => null,
				log: () => undefined,
				...(frameOrigin ? {frameOrigin} : {}),
			}),
		reconcile: (frameOrigin?: string) =>
			createReconcileHandler({
				zuora: {baseUrl: 'https://rest.zuora.com', clientId: 'c', clientSecret: 's'},
				tokens: createIssuedTokens(),
				origin: SHOP,
				trustProxy: 0,
				authorize: () => null,
				log: () => undefined,
				...(frameOrigin ? {frameOrigin} : {}),
			}),
	};

	test.each(Object.keys(handlers) as Array<keyof typeof handlers>)('the %s handler: the frame reads its answers (even the cross-site refusal), nobody else does', async name => {
		const handler = handlers[name](CARDS);
		const body = name === 'reconcile' ? '{}' : undefined;
		const answer = async (headers: Record<string, string>, method = 'POST') =>
			handler(
				new Request(`${SHOP}/${name}`, {method, headers: {...headers, ...(body ? {'content-type': 'application/json', 'content-length': '2'} : {})}, body: method === 'POST' ? body : undefined}),
				{clientAddress: '127.0.0.1'},
			);
		const sameSite = await answer({origin: CARDS, 'sec-fetch-site': 'same-site'});
		// Admitted past the origin check: authorize (no session here) decides.
		expect([
			sameSite.status,
			((await sameSite.json()) as {reasons: Array<{code: string}>}).reasons[0]!.code,
			sameSite.headers.get('access-control-allow-origin'),
			sameSite.headers.get('access-control-allow-credentials'),
			sameSite.headers.get('vary'),
		]).toEqual([403, 'NOT_AUTHORIZED', CARDS, 'true', 'Origin']);
		const crossSite = await answer({origin: CARDS, 'sec-fetch-site': 'cross-site'});
		expect([crossSite.status, ((await crossSite.json()) as {reasons: Array<{code: string}>}).reasons[0]!.code, crossSite.headers.get('access-control-allow-origin')]).toEqual([
			403,
			'CROSS_SITE',
			CARDS,
		]);
		const other = await answer({origin: 'https://evil.example', 'sec-fetch-site': 'cross-site'});
		expect([other.status, other.headers.get('access-control-allow-origin'), other.headers.get('vary')]).toEqual([403, null, 'Origin']);
		expect((await answer({origin: CARDS, 'sec-fetch-site': 'same-site'}, 'OPTIONS')).status).toBe(204);
		expect((await answer({origin: 'https://evil.example'}, 'OPTIONS')).status).toBe(405);
		// Without frameOrigin: no CORS at all, the frame is refused as before.
		const plain = await handlers[name]()(new Request(`${SHOP}/${name}`, {method: 'POST', headers: {origin: CARDS, 'sec-fetch-site': 'same-site'}}), {clientAddress: '127.0.0.1'});
		expect([plain.status, plain.headers.get('access-control-allow-origin'), plain.headers.get('vary')]).toEqual([403, null, null]);
	});

	test('frameOrigin must be an origin', () => {
		expect(() => handlers.signature('https://cards.shop.example/')).toThrow('origin must be');
	});
});
