// The merchant's own browser test, run inside the temporary consumer project (.ci/consumer-project.mjs)
// with the fixture of the INSTALLED package: one stub Zuora per worker, reset before each test.
import {test as base, expect, TEST_CARDS, type TestCard} from 'zuora-cors/testing/playwright';
import {startShop} from './shop.mjs';

type Shop = Awaited<ReturnType<typeof startShop>>;

const test = base.extend<{shop: Shop}, {shopServer: Shop}>({
	// The shop starts once per worker, pointed at the worker's stub.
	shopServer: [
		async ({zuoraStub}, use) => {
			const shop = await startShop({zuoraUrl: zuoraStub.url});
			await use(shop);
			await shop.close();
		},
		{scope: 'worker'},
	],
	shop: async ({shopServer}, use) => {
		shopServer.signatureRequests.length = 0;
		await use(shopServer);
	},
	// The fixture allows baseURL's origin at the stub (CORS), so the page is served from there.
	baseURL: async ({shopServer}, use) => use(shopServer.url),
});

const CARD_PATH = '/v1/payment-methods/credit-cards';

async function saveCard(page: import('@playwright/test').Page, card: TestCard) {
	await page.goto('/');
	await page.getByLabel('Card number').fill(card.creditCardNumber);
	await page.getByLabel('Month').fill(card.expirationMonth);
	await page.getByLabel('Year').fill(card.expirationYear);
	await page.getByLabel('Security code').fill(card.securityCode);
	await page.getByLabel('Name on card').fill(card.cardHolderInfo.cardHolderName);
	await page.getByRole('button', {name: 'Save card'}).click();
}

test("saves a test card through the library, the shop's signature endpoint and the stub", async ({page, zuora, shop}) => {
	await saveCard(page, TEST_CARDS.visa);
	await expect(page.locator('#result')).toHaveText(/^Saved [\da-f]{32}$/);
	const saved = zuora.paymentMethods();
	expect(saved).toEqual([
		expect.objectContaining({
			accountKey: 'A00000042',
			creditCardType: 'Visa',
			last4: '1111',
			expirationMonth: 12,
			expirationYear: Number(TEST_CARDS.visa.expirationYear),
			cardHolderName: 'Test Shopper',
		}),
	]);
	await expect(page.locator('#result')).toHaveText(`Saved ${saved[0]!.id}`);
	// The browser called the stub itself, from the shop's origin, with a pair the shop's endpoint got issued.
	const cardRequests = zuora.requests().filter(request => request.path === CARD_PATH && request.method === 'POST');
	expect(cardRequests).toEqual([expect.objectContaining({origin: shop.url, status: 200})]);
	expect(cardRequests[0]!.token).toMatch(/\S/);
	expect(zuora.tokens()).toEqual({issued: 1, used: 1});
	// The shop saw signature requests (POST, same origin) and never the card.
	expect(shop.signatureRequests.length).toBeGreaterThan(0);
	for (const request of shop.signatureRequests) {
		expect(request.startsWith('POST /signature ')).toBe(true);
		expect(request).not.toContain(TEST_CARDS.visa.creditCardNumber);
	}
});

test("a decline test card shows Zuora's decline and saves nothing (the stub was reset for this test)", async ({page, zuora}) => {
	await saveCard(page, TEST_CARDS.declined);
	await expect(page.locator('#result')).toHaveText('Failed: zuora request 200 53100099 false');
	expect(zuora.paymentMethods()).toEqual([]);
	expect(zuora.tokens()).toEqual({issued: 1, used: 1});
});

test('a fault control makes Zuora answer 503 once: a retryable http error, nothing saved, no token spent', async ({page, zuora}) => {
	zuora.failNext(1, 'unavailable');
	await saveCard(page, TEST_CARDS.mastercard);
	await expect(page.locator('#result')).toHaveText('Failed: http request 503 50000061 true');
	expect(zuora.paymentMethods()).toEqual([]);
	expect(zuora.tokens()).toEqual({issued: 1, used: 0});
	expect(
		zuora
			.requests()
			.filter(request => request.path === CARD_PATH && request.method === 'POST')
			.map(request => request.status),
	).toEqual([503]);
});
