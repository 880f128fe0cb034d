import {createServer, request as httpRequest} from 'node:http';
import type {AddressInfo} from 'node:net';
import {creates, expect, fillCard, test} from './fixtures.js';

test.describe('page security', () => {
	test('the checkout completes under a strict CSP with Trusted Types, with no violation', async ({page, demo}) => {
		const violations: string[] = [];
		await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
		await page.addInitScript(() => {
			document.addEventListener('securitypolicyviolation', event => {
				void (window as unknown as {reportViolation(text: string): Promise<void>}).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
			});
		});
		const response = await page.goto(`${demo.merchant.url}/developer.html`);
		const csp = response?.headers()['content-security-policy'] ?? '';
		expect(csp).toContain("script-src 'self'");
		expect(csp).toContain("require-trusted-types-for 'script'");
		expect(csp).toContain(`connect-src 'self' ${demo.stub.url}`);

		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		expect(demo.stub.paymentMethods()).toHaveLength(1);

		// The same listener does catch a violation: an inline script is refused and reported.
		await page
			.evaluate(() => {
				const script = document.createElement('script');
				script.textContent = 'void 0';
				document.head.append(script);
			})
			.catch(() => undefined);
		await expect.poll(() => violations.length).toBeGreaterThan(0);
		expect(violations.every(violation => violation.startsWith('script-src') || violation.startsWith('require-trusted-types-for'))).toBe(true);
		expect(violations).toHaveLength(1);
	});

	test('the bundle is loaded with its sha384 integrity, and a tampered hash blocks it', async ({page, demo}) => {
		await page.goto(`${demo.merchant.url}/card.html`);
		const integrity = await page.locator('script[src="/dist/zuora-cors.iife.min.js"]').getAttribute('integrity');
		expect(integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
		expect(await page.evaluate(() => typeof (window as unknown as {ZuoraCors?: unknown}).ZuoraCors)).toBe('object');

		// Serve a one-byte-different bundle: the browser must refuse to run it.
		await page.route('**/dist/zuora-cors.iife.min.js', async route => {
			const original = await route.fetch();
			await route.fulfill({response: original, body: `${await original.text()} `});
		});
		await page.reload();
		expect(await page.evaluate(() => typeof (window as unknown as {ZuoraCors?: unknown}).ZuoraCors)).toBe('undefined');
	});
});

test.describe('signature issuance', () => {
	test('a burst from another session is rate-limited while the shopper still checks out', async ({page, browser, demo}) => {
		const merchant = await demo.startMerchant({sessionLimit: {limit: 5, windowMs: 60_000}, ipLimit: {limit: 40, windowMs: 60_000}});
		// The card tester: its own browser session, hammering /signature.
		const attacker = await browser.newContext();
		const attackerPage = await attacker.newPage();
		// The in-page form's page: its bundle (window.ZuoraCors.fetchSignature) is used below.
		await attackerPage.goto(`${merchant.url}/card.html`);
		const burst = await attackerPage.evaluate(async () =>
			Promise.all(
				Array.from({length: 20}, async () => {
					const response = await fetch('/signature', {method: 'POST'});
					return {status: response.status, retryAfter: response.headers.get('retry-after')};
				}),
			),
		);
		expect(burst.filter(response => response.status === 200)).toHaveLength(5);
		const limited = burst.filter(response => response.status === 429);
		expect(limited).toHaveLength(15);
		expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);

		// The library reports the limit as a retryable http error with the delay.
		const error = await attackerPage.evaluate(async () => {
			const {fetchSignature} = (window as unknown as {ZuoraCors: typeof import('../src/index.js')}).ZuoraCors;
			return fetchSignature('/signature', {method: 'POST'}).catch((error_: unknown) => JSON.parse(JSON.stringify(error_)) as Record<string, unknown>);
		});
		expect(error).toMatchObject({name: 'ZuoraCorsError', kind: 'http', stage: 'signature', status: 429, retryable: true});
		expect(error['retryAfter']).toBeGreaterThan(0);
		await attacker.close();

		// The shopper, a different session on the same IP, is not affected.
		await page.goto(`${merchant.url}/developer.html`);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('per-IP limit: many sessions from one address are cut off, another address is not', async ({page, demo}) => {
		const merchant = await demo.startMerchant({sessionLimit: {limit: 100, windowMs: 60_000}, ipLimit: {limit: 10, windowMs: 60_000}});
		// New sessions from 127.0.0.2 (still loopback), each asking for one signature.
		const get = async (path: string, cookie = '', method = 'GET') =>
			new Promise<{status: number; cookie: string}>((resolve, reject) => {
				const request = httpRequest(`${merchant.url}${path}`, {method, localAddress: '127.0.0.2', headers: {cookie, origin: merchant.origin}}, response => {
					response.resume();
					resolve({status: response.statusCode ?? 0, cookie: (response.headers['set-cookie']?.[0] ?? '').split(';')[0]!});
				});
				request.on('error', reject);
				request.end();
			});
		const statuses = [];
		for (let index = 0; index < 15; index++) {
			const {cookie} = await get('/'); // eslint-disable-line no-await-in-loop
			statuses.push((await get('/signature', cookie, 'POST')).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([...Array.from({length: 10}, () => 200), ...Array.from({length: 5}, () => 429)]);

		await page.goto(`${merchant.url}/developer.html`);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
	});

	test('requests without a session the backend created get no signature', async ({demo}) => {
		const origin = {origin: demo.merchant.origin};
		const response = await fetch(`${demo.merchant.url}/signature`, {method: 'POST', headers: origin});
		expect(response.status).toBe(403);
		const forged = await fetch(`${demo.merchant.url}/signature`, {method: 'POST', headers: {...origin, cookie: 'demo_session=0123456789abcdef0123456789abcdef'}});
		expect(forged.status).toBe(403);
		expect(demo.stub.tokens().issued).toBe(0);
	});

	test('the backend signs only its hard-coded uri, whatever the browser sends', async ({page, demo}) => {
		await page.goto(demo.merchant.url);
		const pair = await page.evaluate(async () => {
			const response = await fetch('/signature?uri=https%3A%2F%2Fevil.example%2Fv1%2Faccounts&accountKey=A666', {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: JSON.stringify({uri: 'https://evil.example/v1/accounts', method: 'GET', accountKey: 'A666'}),
			});
			return response.json() as Promise<{signature: string; token: string}>;
		});
		// The pair only works for POST /v1/payment-methods/credit-cards on the stub, for A00000001.
		const post = async (path: string, accountKey: string) =>
			(await (
				await fetch(`${demo.stub.url}${path}`, {
					method: 'POST',
					headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'},
					body: JSON.stringify({accountKey, creditCardType: 'Visa', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031}),
				})
			).json()) as {success: boolean; reasons?: Array<{code: number}>};
		expect((await post('/v1/payment-methods/credit-cards', 'A666')).reasons?.[0]?.code).toBe(90_000_012);
		expect(creates(demo.stub)).toHaveLength(1);
		expect(demo.stub.paymentMethods()).toHaveLength(0);
	});

	test("tokens only on POST: a GET from the shopper's own page gets 405 and spends nothing", async ({page, demo}) => {
		await page.goto(demo.merchant.url);
		const statuses = await page.evaluate(async () =>
			Promise.all(
				['GET', 'HEAD', 'PUT', 'DELETE'].map(async method => {
					const response = await fetch('/signature', {method});
					return [method, response.status, response.headers.get('allow')];
				}),
			),
		);
		expect(statuses).toEqual([
			['GET', 405, 'POST'],
			['HEAD', 405, 'POST'],
			['PUT', 405, 'POST'],
			['DELETE', 405, 'POST'],
		]);
		expect(demo.stub.tokens().issued).toBe(0);
	});

	test('a cross-site page (localhost vs 127.0.0.1) spends no token with top-level GETs, form POSTs or no-cors fetches', async ({page, demo}) => {
		// The shopper has a live checkout session.
		await page.goto(demo.merchant.url);
		const target = `${demo.merchant.url}/signature`;
		const attacker = createServer((request, response) => {
			const mode = new URL(request.url ?? '/', 'http://x').searchParams.get('mode');
			const script =
				mode === 'form'
					? `const f = document.createElement('form'); f.method = 'POST'; f.action = ${JSON.stringify(target)}; document.body.append(f); f.submit();`
					: mode === 'fetch'
						? `Promise.all(Array.from({length: 5}, () => fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors', credentials: 'include'}))).finally(() => { document.title = 'sent'; });`
						: `location.href = ${JSON.stringify(target)};`;
			response.writeHead(200, {'content-type': 'text/html'}).end(`<!doctype html><title>win a prize</title><body><script>${script}</script>`);
		});
		await new Promise<void>(resolve => {
			attacker.listen(0, resolve);
		});
		const evil = `http://localhost:${(attacker.address() as AddressInfo).port}`;
		try {
			for (const mode of ['get', 'form']) {
				const answer = page.waitForResponse(response => response.url() === target);
				await page.goto(`${evil}/?mode=${mode}`); // eslint-disable-line no-await-in-loop
				expect([mode, (await answer).status()]).toEqual([mode, mode === 'get' ? 405 : 403]); // eslint-disable-line no-await-in-loop
			}

			await page.goto(`${evil}/?mode=fetch`);
			await expect(page).toHaveTitle('sent');
			expect(demo.stub.tokens().issued).toBe(0);
			// The shopper's own session still works afterwards.
			await page.goto(`${demo.merchant.url}/developer.html`);
			await fillCard(page);
			await page.getByRole('button', {name: 'Save card'}).click();
			await expect(page.locator('#result')).toBeVisible();
			expect(demo.stub.tokens().issued).toBe(1);
		} finally {
			attacker.closeAllConnections();
			await new Promise(resolve => {
				attacker.close(resolve);
			});
		}
	});
});
