// The README's bundled SPA (spa.js: `mountCardFields` from 'zuora-cors/frames', bundled by
// .ci/consumer-project.mjs with rollup and @rollup/plugin-node-resolve into spa.bundle.js) on the
// README's own server and card origin (server.mjs) and page (checkout.html, its module script
// answered with the bundle, its frames script tag refused), with the Redis of REDIS_URL: the frame
// saves the card, and the Redis holds only hashes of the session and token.
// Runs only inside the consumer project: server.mjs is a README block written there.
import {readFileSync} from 'node:fs';
import {Redis} from 'ioredis';
import {test as base, cardFrame, expect, fillCardFrame, TEST_CARDS} from 'zuora-cors/testing/playwright';
// @ts-expect-error server.mjs is the README's block, written into the consumer project only.
import {startShop} from './server.mjs';

type Shop = {url: string; cardOrigin: string; close(): Promise<unknown>};

const bundle = readFileSync(new URL('spa.bundle.js', import.meta.url), 'utf8');

const test = base.extend<object, {shop: Shop}>({
	shop: [
		async ({zuoraStub}, use) => {
			const shop: Shop = await startShop({zuoraUrl: zuoraStub.url, clientId: 'demo-client-id', clientSecret: 'demo-client-secret', trustProxy: 0, port: 0, cardPort: 0, allowedHosts: [zuoraStub.url]});
			await use(shop);
			await shop.close();
		},
		{scope: 'worker'},
	],
	baseURL: async ({shop}, use) => use(shop.url),
});

test('the bundled SPA saves a card through the frame of the README server, its limits and tokens in Redis as hashes only', async ({page, zuora, shop}) => {
	const redisUrl = process.env['REDIS_URL'];
	expect(redisUrl, 'the consumer project runs the README server against a real Redis').toBeTruthy();
	// The README's page as served (its session cookie, its CSP), its module script answered with the
	// bundle and its script tag refused. (A page fulfilled by the test would lose its loopback
	// address space, and Chromium would refuse the stub's loopback answers.)
	await page.route('/checkout.js', route => route.fulfill({contentType: 'text/javascript', body: bundle}));
	await page.route('/zuora-cors-frames.iife.min.js', route => route.abort());
	zuora.allowOrigin(shop.cardOrigin); // the frame sends the card
	// The frame asks the shop for the signature (a subframe's request: the page's events see it).
	const signed = page.waitForResponse(response => new URL(response.url()).pathname === '/signature' && response.request().method() === 'POST');

	await page.goto('/');
	const card = TEST_CARDS.visa;
	await fillCardFrame(page.locator('#card'), card);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.getByRole('status')).toHaveText('Visa ending 1111 saved.');
	expect(zuora.paymentMethods()).toMatchObject([{accountKey: 'A00000042', last4: '1111'}]);
	// Locked after the save: a second click saves no second card.
	await expect(cardFrame(page.locator('#card')).locator('input[autocomplete="cc-number"]')).toBeDisabled();
	expect(await page.evaluate(() => 'ZuoraCors' in globalThis), 'no script-tag global: the bundle did it').toBe(false);

	const {token} = (await (await signed).json()) as {token: string};
	const session = (await page.context().cookies()).find(cookie => cookie.name === 'sid')?.value;
	expect(token).toMatch(/^\w{16,}$/);
	expect(session).toMatch(/^\w{32}$/);
	const redis = new Redis(String(redisUrl));
	try {
		const keys = await redis.keys('*');
		const values = await Promise.all(keys.map(async key => ((await redis.type(key)) === 'string' ? redis.get(key) : '')));
		expect(keys.some(key => key.startsWith('zuora-cors:tokens:'))).toBe(true);
		expect(keys.some(key => key.startsWith('zuora-cors:credit-card:'))).toBe(true);
		for (const text of [...keys, ...values]) {
			for (const secret of [token, String(session), 'A00000042', card.creditCardNumber]) {
				expect(String(text)).not.toContain(secret);
			}
		}
	} finally {
		redis.disconnect();
	}
});
