import {request as httpRequest} from 'node:http';
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
		const response = await page.goto(demo.merchant.url);
		const csp = response?.headers()['content-security-policy'] ?? '';
		expect(csp).toContain('script-src \'self\'');
		expect(csp).toContain('require-trusted-types-for \'script\'');
		expect(csp).toContain(`connect-src 'self' ${demo.stub.url}`);

		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		expect(demo.stub.paymentMethods()).toHaveLength(1);

		// The same listener does catch a violation: an inline script is refused and reported.
		await page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'void 0';
			document.head.append(script);
		}).catch(() => undefined);
		await expect.poll(() => violations.length).toBeGreaterThan(0);
		expect(violations.every(violation => violation.startsWith('script-src') || violation.startsWith('require-trusted-types-for'))).toBe(true);
		expect(violations).toHaveLength(1);
	});

	test('the bundle is loaded with its sha384 integrity, and a tampered hash blocks it', async ({page, demo}) => {
		await page.goto(demo.merchant.url);
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
		await attackerPage.goto(merchant.url);
		const burst = await attackerPage.evaluate(async () => Promise.all(Array.from({length: 20}, async () => {
			const response = await fetch('/signature');
			return {status: response.status, retryAfter: response.headers.get('retry-after')};
		})));
		expect(burst.filter(response => response.status === 200)).toHaveLength(5);
		const limited = burst.filter(response => response.status === 429);
		expect(limited).toHaveLength(15);
		expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);

		// The library reports the limit as a retryable http error with the delay.
		const error = await attackerPage.evaluate(async () => {
			const {fetchSignature} = (window as unknown as {ZuoraCors: typeof import('../src/index.js')}).ZuoraCors;
			return fetchSignature('/signature').catch((error_: unknown) => JSON.parse(JSON.stringify(error_)) as Record<string, unknown>);
		});
		expect(error).toMatchObject({name: 'ZuoraCorsError', kind: 'http', stage: 'signature', status: 429, retryable: true});
		expect(error['retryAfter']).toBeGreaterThan(0);
		await attacker.close();

		// The shopper, a different session on the same IP, is not affected.
		await page.goto(merchant.url);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('per-IP limit: many sessions from one address are cut off, another address is not', async ({page, demo}) => {
		const merchant = await demo.startMerchant({sessionLimit: {limit: 100, windowMs: 60_000}, ipLimit: {limit: 10, windowMs: 60_000}});
		// New sessions from 127.0.0.2 (still loopback), each asking for one signature.
		const get = async (path: string, cookie = '') => new Promise<{status: number; cookie: string}>((resolve, reject) => {
			const request = httpRequest(`${merchant.url}${path}`, {localAddress: '127.0.0.2', headers: {cookie}}, response => {
				response.resume();
				resolve({status: response.statusCode ?? 0, cookie: (response.headers['set-cookie']?.[0] ?? '').split(';')[0]!});
			});
			request.on('error', reject);
			request.end();
		});
		const statuses = [];
		for (let index = 0; index < 15; index++) {
			const {cookie} = await get('/'); // eslint-disable-line no-await-in-loop
			statuses.push((await get('/signature', cookie)).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([...Array.from({length: 10}, () => 200), ...Array.from({length: 5}, () => 429)]);

		await page.goto(merchant.url);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
	});

	test('requests without a session the backend created get no signature', async ({demo}) => {
		const response = await fetch(`${demo.merchant.url}/signature`);
		expect(response.status).toBe(403);
		const forged = await fetch(`${demo.merchant.url}/signature`, {headers: {cookie: 'demo_session=0123456789abcdef0123456789abcdef'}});
		expect(forged.status).toBe(403);
		expect(demo.stub.tokens().issued).toBe(0);
	});

	test('the backend signs only its hard-coded uri, whatever the browser sends', async ({page, demo}) => {
		await page.goto(demo.merchant.url);
		const pair = await page.evaluate(async () => {
			const response = await fetch('/signature?uri=https%3A%2F%2Fevil.example%2Fv1%2Faccounts&accountKey=A666', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({uri: 'https://evil.example/v1/accounts', method: 'GET', accountKey: 'A666'})});
			return response.json() as Promise<{signature: string; token: string}>;
		});
		// The pair only works for POST /v1/payment-methods/credit-cards on the stub, for A00000001.
		const post = async (path: string, accountKey: string) => (await (await fetch(`${demo.stub.url}${path}`, {method: 'POST', headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'}, body: JSON.stringify({accountKey, creditCardType: 'Visa', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031})})).json()) as {success: boolean; reasons?: Array<{code: number}>};
		expect((await post('/v1/payment-methods/credit-cards', 'A666')).reasons?.[0]?.code).toBe(90_000_012);
		expect(creates(demo.stub)).toHaveLength(1);
		expect(demo.stub.paymentMethods()).toHaveLength(0);
	});
});
