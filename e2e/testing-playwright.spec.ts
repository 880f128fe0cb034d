// `zuora-cors/testing/playwright` as a merchant uses it with the card frame: its own stub fixture
// (`zuora`), the demo's shop and card origin pointed at it, and `fillCardFrame` entering a test
// card in the frame of the checkout at / (the built package, as a merchant imports it).
import {cardFrame, expect, test as base, fillCardFrame, TEST_CARDS} from 'zuora-cors/testing/playwright';
import {type CardFrameServer, startCardFrameServer} from '../demo/card-frame-server.mjs';
import {type MerchantServer, startMerchant} from './fixtures.js';

const test = base.extend<{shop: {merchant: MerchantServer; card: CardFrameServer}}, {shopServer: {merchant: MerchantServer; card: CardFrameServer}}>({
	// The shop and its card origin start once per worker, pointed at the worker's stub.
	shopServer: [
		async ({zuoraStub}, use) => {
			const card = await startCardFrameServer();
			const merchant = await startMerchant(zuoraStub.url, {frameOrigin: card.origin});
			card.serve({shopOrigin: merchant.origin, zuoraBaseUrl: zuoraStub.url});
			await use({merchant, card});
			await Promise.all([merchant.close(), card.close()]);
		},
		{scope: 'worker'},
	],
	// The fixture allows baseURL's origin at the stub; the card origin, which sends the card, is the test's to allow.
	shop: async ({shopServer, zuora}, use) => {
		zuora.allowOrigin(shopServer.card.origin);
		await use(shopServer);
	},
	baseURL: async ({shopServer}, use) => use(shopServer.merchant.url),
});

test('fillCardFrame enters a test card in the frame; the frame saves it, with its name', async ({page, zuora, shop}) => {
	await page.goto('/');
	const frame = await fillCardFrame(page.locator('#card-fields'), TEST_CARDS.amex);
	// What the frame made of it: the number grouped as Amex is, the expiry as MM / YY.
	await expect(frame.locator('input[autocomplete="cc-number"]')).toHaveValue('3782 822463 10005');
	await expect(frame.locator('input[autocomplete="cc-exp"]')).toHaveValue(`12 / ${TEST_CARDS.amex.expirationYear.slice(-2)}`);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(frame.getByRole('status')).toHaveText('American Express ending 0005 saved.');
	await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', /^[0-9a-f]{32}$/);
	expect(zuora.paymentMethods()).toEqual([
		expect.objectContaining({creditCardType: 'AmericanExpress', last4: '0005', expirationMonth: 12, expirationYear: Number(TEST_CARDS.amex.expirationYear), cardHolderName: 'Test Shopper'}),
	]);
	// The card went from the frame's origin, never the page's.
	const cardRequests = zuora.requests().filter(request => request.method === 'POST' && request.path === '/v1/payment-methods/credit-cards');
	expect(cardRequests.map(request => request.origin)).toEqual([shop.card.origin]);
});

test('a decline test card: the frame shows the decline, cardFrame reads it, nothing is saved', async ({page, zuora, shop}) => {
	// `shop` allows the card origin at the stub for this test itself, whichever test ran before it in the worker.
	await page.goto('/');
	await fillCardFrame(page.locator('#card-fields'), TEST_CARDS.declined);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#error')).toHaveText('Your card was not saved.');
	await expect(cardFrame(page.locator('#card-fields')).locator('[role="status"], [aria-live]').first()).toContainText('declined');
	expect(zuora.paymentMethods()).toEqual([]);
	const cardRequests = zuora.requests().filter(request => request.method === 'POST' && request.path === '/v1/payment-methods/credit-cards');
	expect(cardRequests.map(request => request.origin)).toEqual([shop.card.origin]);
});
