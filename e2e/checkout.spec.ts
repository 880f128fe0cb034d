import type {Page} from '@playwright/test';
import {CARD, creates, expect, fillCard, pauseClock, runSettleWindow, test} from './fixtures.js';

/** Binds the page's form again, with the page's configuration (/config.js) and `options` on top. */
async function rebind(page: Page, options: Record<string, unknown>) {
	await page.evaluate(options => {
		type Demo = {card: {signatureUrl: string; url: string; allowedHosts: string[]}; accountKey: string};
		const {
			checkout,
			ZuoraCors,
			zuoraCorsDemo: {card, accountKey},
		} = window as unknown as {checkout: {destroy(): void}; ZuoraCors: typeof import('../src/index.js'); zuoraCorsDemo: Demo};
		checkout.destroy();
		const form = document.querySelector('form')!;
		(window as unknown as {checkout: unknown}).checkout = ZuoraCors.bindForm(form, {...card, signatureOptions: {method: 'POST'}, fields: {accountKey}, ...options});
	}, options);
}

test.describe('script-tag checkout', () => {
	test('saves a card: one payment method, sent with the session cookie', async ({page, demo, consoleLines}, testInfo) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();

		const result = page.locator('#result');
		// One message naming the card, a next step, no internal id in the text (developer details keep it).
		await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
		await expect(result).toHaveText('Next: Add another card');
		const id = await result.getAttribute('data-payment-method-id');
		await expect(page.locator('#payment-method-id')).toHaveText(id!);
		expect(id).toMatch(/^[0-9a-f]{32}$/);

		const methods = demo.stub.paymentMethods();
		expect(methods).toHaveLength(1);
		expect(methods[0]).toMatchObject({
			id,
			accountKey: 'A00000001',
			creditCardType: 'Visa',
			last4: '1111',
			expirationMonth: 12,
			expirationYear: 2031,
			cardHolderName: 'Ada Lovelace',
			defaultPaymentMethod: true,
		});

		// credentials: 'include' made the browser send the merchant's SameSite=Lax cookie to Zuora.
		const [post] = creates(demo.stub);
		expect(post).toMatchObject({method: 'POST', path: '/v1/payment-methods/credit-cards', origin: demo.merchant.origin, status: 200});
		expect(post!.cookieNames).toContain('demo_session');
		expect(post!.token).toMatch(/^[A-Za-z0-9]{32}$/);
		// Locked after the success until the page calls reset(): a second click never saves a second card.
		await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
		expect(consoleLines).toEqual([]);
		await page.screenshot({path: testInfo.outputPath('success.png'), fullPage: true});
	});

	test('shows field errors and sends nothing when the card is invalid', async ({page, demo}, testInfo) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page, {number: '4111 1111 1111 1112', month: '13', cvv: '12'});
		const requests: string[] = [];
		page.on('request', request => requests.push(request.url()));
		// Let the first-interaction prefetch (no card data, merchant origin) settle before counting.
		await page.waitForLoadState('networkidle');
		requests.length = 0;
		await page.getByRole('button', {name: 'Save card'}).click();

		await expect(page.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText('The card number is not valid. Check it for typos.');
		await expect(page.locator('[data-zuora-cors-error-for="expirationMonth"]')).toHaveText('Enter the expiry month, 1 to 12.');
		await expect(page.locator('[data-zuora-cors-error-for="securityCode"]')).toHaveText('Enter the 3 digit security code.');
		await expect(page.getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.locator('#error')).toHaveAttribute('data-kind', 'validation');
		expect(requests).toEqual([]);
		expect(creates(demo.stub)).toEqual([]);
		await page.screenshot({path: testInfo.outputPath('validation-errors.png'), fullPage: true});

		// Fixing the fields clears their errors on the next submit.
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		await expect(page.locator('[aria-invalid]')).toHaveCount(0);
		// The pair prefetched while typing survived the refused submit and paid for the corrected one.
		expect(demo.stub.tokens()).toEqual({issued: 1, used: 1});
	});

	test("a decline card shows the gateway's reason and creates nothing", async ({page, demo}, testInfo) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page, {number: '4000000000000002'});
		await page.getByRole('button', {name: 'Save card'}).click();
		const error = page.locator('#error');
		// The gateway's `[card_declined/generic_decline]` becomes a sentence without jargon.
		await expect(error).toHaveText('Your card was declined. Please use another card or contact your bank.');
		await expect(error).toHaveAttribute('data-message', 'card_declined');
		await expect(error).toHaveAttribute('data-kind', 'zuora');
		await expect(error).toHaveAttribute('data-code', '53100099');
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
		expect(demo.stub.paymentMethods()).toHaveLength(0);
		await page.screenshot({path: testInfo.outputPath('declined.png'), fullPage: true});
	});
});

/** The wait for the one re-sign after the window: a signature and a card POST (Firefox under load: several seconds). */
const RESIGN_MS = 20_000;

test.describe('token failures', () => {
	test('a token spent elsewhere is replaced once, after the settle window, and the card saved once', async ({page, demo}) => {
		await page.clock.install();
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page);
		// Take the prefetched pair and spend it outside the page, as a replay would.
		const pair = await page.evaluate(async () => (window as unknown as {checkout: {prefetch(): Promise<{signature: string; token: string}>}}).checkout.prefetch());
		const spent = await fetch(`${demo.stub.url}/v1/payment-methods/credit-cards`, {
			method: 'POST',
			headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'},
			body: '{}',
		});
		expect(((await spent.json()) as {success: boolean}).success).toBe(false);

		await pauseClock(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		// The page cannot tell a replay from its own copy that saved the card: it checks over the window first.
		await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Checking whether your card was saved…');
		await runSettleWindow(page, demo.stub);
		// Then a re-sign and a second card POST: two round trips, slow on a loaded machine.
		await expect(page.locator('#result')).toBeVisible({timeout: RESIGN_MS});
		const posts = creates(demo.stub);
		expect(posts.map(post => post.token === pair.token)).toEqual([true, true, false]);
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('an expired prefetched token is replaced once, after the settle window (a copy of the request may have spent it)', async ({page, demo}) => {
		await page.clock.install();
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page);
		await page.waitForLoadState('networkidle');
		await pauseClock(page);
		demo.stub.expireTokens();
		await page.getByRole('button', {name: 'Save card'}).click();
		// 90000011 at the first attempt: no re-sign until the reconcile endpoint has not found the card over the window.
		await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Checking whether your card was saved…');
		expect(creates(demo.stub)).toHaveLength(1);
		await runSettleWindow(page, demo.stub);
		// Then a re-sign and a second card POST: two round trips, slow on a loaded machine.
		await expect(page.locator('#result')).toBeVisible({timeout: RESIGN_MS});
		expect(creates(demo.stub)).toHaveLength(2);
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('makeCorsRequest with a used token fails with 90000011 and creates nothing more', async ({page, demo}) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		const outcome = await page.evaluate(
			async ({zuora, card}) => {
				const {fetchSignature, makeCorsRequest} = (window as unknown as {ZuoraCors: typeof import('../src/index.js')}).ZuoraCors;
				const pair = await fetchSignature('/signature', {method: 'POST'});
				const json = {accountKey: 'A00000001', creditCardType: 'Visa', creditCardNumber: card.number, expirationMonth: 12, expirationYear: 2031, securityCode: card.cvv};
				const first = await makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: pair.signature, token: pair.token, json});
				const second = await makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: pair.signature, token: pair.token, json}).catch(
					(error: unknown) => error as {name: string; kind: string; stage: string; code: number; retryable: boolean; message: string},
				);
				return {first, second: {name: second.name, kind: second.kind, stage: second.stage, code: second.code, retryable: second.retryable, message: second.message}};
			},
			{zuora: `${demo.stub.url}/v1/payment-methods/credit-cards`, card: CARD},
		);
		expect(outcome.first.success).toBe(true);
		expect(outcome.second).toMatchObject({name: 'ZuoraCorsError', kind: 'zuora', stage: 'request', code: 90_000_011, retryable: true});
		expect(outcome.second.message).not.toContain(CARD.number);
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('a tampered accountKey is refused before the card is sent', async ({page, demo}) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await rebind(page, {fields: {accountKey: 'A99999999'}});
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		const error = page.locator('#error');
		// Contract 1: a page value that disagrees with the account the backend signed is refused, nothing sent.
		await expect(error).toHaveAttribute('data-kind', 'validation');
		await expect(error).toHaveAttribute('data-message', 'card_not_sent');
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
		expect(creates(demo.stub)).toHaveLength(0);
		expect(demo.stub.paymentMethods()).toHaveLength(0);
	});

	test("the account shown in the form is not what is sent: the page's configuration decides", async ({page, demo}) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await fillCard(page);
		await page.getByLabel('Account').evaluate((input: HTMLInputElement) => {
			input.value = 'A99999999';
		});
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		expect(demo.stub.paymentMethods()).toMatchObject([{accountKey: 'A00000001'}]);
	});
});

test.describe('Zuora and network faults (bound without reconcileUrl: nobody to ask)', () => {
	for (const {mode, kind, text} of [
		// Both may hide a saved card: the shopper is told the outcome is unknown, not that it failed.
		{mode: 'html500' as const, kind: 'http', text: 'We could not confirm whether your card was saved. Please check your saved cards before trying again.'},
		{mode: 'reset' as const, kind: 'network', text: 'The connection was lost, so we could not confirm whether your card was saved. Please check your saved cards before trying again.'},
	]) {
		test(`${mode}: "${kind}" error, the form locked until reset() (the card may be saved), nothing created, nothing re-sent`, async ({page, demo}, testInfo) => {
			await page.goto(`${demo.merchant.url}/developer.html`);
			await rebind(page, {});
			await fillCard(page);
			demo.stub.failNext(1, mode);
			await page.getByRole('button', {name: 'Save card'}).click();
			const error = page.locator('#error');
			await expect(error).toContainText(text);
			await expect(error).toHaveAttribute('data-kind', kind);
			await expect(error).toHaveAttribute('data-stage', 'request');
			await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
			await expect(page.getByLabel('Card number')).toHaveValue('');
			expect(creates(demo.stub)).toHaveLength(1);
			expect(demo.stub.paymentMethods()).toHaveLength(0);
			await page.screenshot({path: testInfo.outputPath(`${mode}.png`), fullPage: true});
		});
	}

	test('hang: "timeout" after the configured time, the form locked, nothing re-sent', async ({page, demo}) => {
		await page.goto(`${demo.merchant.url}/developer.html`);
		await rebind(page, {timeout: 1500});
		await fillCard(page);
		demo.stub.failNext(1, 'hang');
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
		const error = page.locator('#error');
		await expect(error).toHaveAttribute('data-kind', 'timeout');
		await expect(error).toHaveText('No answer in time, so we could not confirm whether your card was saved. Please check your saved cards before trying again.');
		await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
		expect(creates(demo.stub)).toHaveLength(1);
		expect(demo.stub.paymentMethods()).toHaveLength(0);
	});

	test('a disallowed origin: the browser refuses, the error names the origin to allow', async ({page, demo}) => {
		const stranger = await demo.startMerchant({allowed: false});
		await page.goto(`${stranger.url}/developer.html`);
		await rebind(page, {});
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		const error = page.locator('#error');
		await expect(error).toHaveAttribute('data-kind', 'network');
		const message = await page.evaluate(
			async ({zuora}) => {
				const {makeCorsRequest} = (window as unknown as {ZuoraCors: typeof import('../src/index.js')}).ZuoraCors;
				return makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: 's', token: 't', json: {}}).catch((error_: unknown) => (error_ as Error).message);
			},
			{zuora: `${demo.stub.url}/v1/payment-methods/credit-cards`},
		);
		expect(message).toContain(`no_answer_outcome_unknown (CORS: ${stranger.origin} for`);
		// The preflight was refused, so the card POST never left the browser.
		expect(
			demo.stub
				.requests()
				.filter(request => request.method === 'OPTIONS')
				.every(request => request.status === 403),
		).toBe(true);
		expect(creates(demo.stub)).toHaveLength(0);
	});

	test('a uri that is not CORS-enabled is refused at the signature stage', async ({page, demo}) => {
		const misconfigured = await demo.startMerchant({creditCardsPath: '/v1/payment-methods'});
		await page.goto(`${misconfigured.url}/developer.html`);
		await fillCard(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		const error = page.locator('#error');
		// Zuora's reason ("This API is not CORS enabled.") is for the developer; the shopper learns the card was not sent.
		await expect(error).toHaveText('The payment could not be started. Your card was not saved. Please try again later or contact us.');
		await expect(error).toHaveAttribute('data-message', 'checkout_unavailable');
		await expect(error).toHaveAttribute('data-stage', 'signature');
		await expect(error).toHaveAttribute('data-code', 'SETUP_ERROR'); // the server's answer to a setup error (contract 3); it logs Zuora's 90000010
		expect(creates(demo.stub)).toHaveLength(0);
	});
});

test('Create Account through makeCorsRequest, with the account name signed', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	const create = async (name: string) =>
		page.evaluate(
			async ({zuora, name, card}) => {
				const {fetchSignature, makeCorsRequest} = (window as unknown as {ZuoraCors: typeof import('../src/index.js')}).ZuoraCors;
				const pair = await fetchSignature('/signature/account', {method: 'POST'});
				const json = {
					name,
					currency: 'USD',
					billToContact: {firstName: 'Ada', lastName: 'Lovelace', country: 'US'},
					creditCard: {cardType: 'Visa', cardNumber: card.number, expirationMonth: 12, expirationYear: 2031, securityCode: card.cvv},
				};
				return makeCorsRequest({url: zuora, allowedHosts: [new URL(zuora).origin], signature: pair.signature, token: pair.token, json}).then(
					result => ({ok: true as const, result}),
					(error: unknown) => ({ok: false as const, code: (error as {code: number}).code}),
				);
			},
			{zuora: `${demo.stub.url}/v1/accounts`, name, card: CARD},
		);

	const created = await create('Demo Shopper');
	expect(created).toMatchObject({ok: true, result: {success: true, accountNumber: 'A00000001'}});
	expect(demo.stub.accounts()).toHaveLength(1);
	// The backend signed 'Demo Shopper': another name in the body breaks the signature.
	expect(await create('Someone Else')).toEqual({ok: false, code: 90_000_012});
	expect(demo.stub.accounts()).toHaveLength(1);
});

/** Fills the card frame of the checkout at / (its own labels, in its own document). */
async function fillFrame(page: Page) {
	const frame = page.frameLocator('#card-fields iframe');
	await frame.getByLabel('Name on card').fill(CARD.name);
	await frame.getByLabel('Card number').fill(CARD.number);
	await frame.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(-2)}`);
	await frame.getByLabel('Security code').fill(CARD.cvv);
}

test.describe('the page a newcomer sees (/)', () => {
	test("is the framed checkout: the card in a frame of the card origin, the developer's details in a collapsed panel", async ({page, demo}) => {
		await page.goto(demo.merchant.url);
		// No card control in the page itself: they are in the frame, served by the card origin.
		await expect(page.locator('[autocomplete^="cc-"], [name="creditCardNumber"], [name="securityCode"]')).toHaveCount(0);
		const iframe = page.locator('#card-fields iframe');
		await expect(iframe).toHaveAttribute('src', `${demo.cardFrame.origin}/`);
		await expect(iframe).toHaveAttribute('title', 'Card details');
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
		const frame = page.frameLocator('#card-fields iframe');
		await frame.getByLabel('Card number').fill('4111');
		await expect(frame.locator('form')).toHaveAttribute('data-zuora-cors-brand', 'Visa');

		const details = page.locator('details.developer');
		await expect(details).not.toHaveAttribute('open');
		await expect(details.getByText(`${demo.cardFrame.origin}/`)).toBeHidden();
		await details.locator('summary').click();
		await expect(details.getByText(`${demo.cardFrame.origin}/`)).toBeVisible();
		await expect(details.getByText(`${demo.stub.url}/v1/payment-methods/credit-cards`)).toBeVisible();
		await expect(details.getByText('A00000001')).toBeVisible();

		await fillFrame(page);
		await page.getByLabel('Email for the receipt').fill('ada@example.com');
		await page.getByRole('button', {name: 'Save card'}).click();
		// One message names the card (the frame's status), no internal id; the page offers the next step.
		await expect(page.frameLocator('#card-fields iframe').getByRole('status')).toHaveText('Visa ending 1111 saved.');
		await expect(page.locator('#result')).toHaveText('Next: Add another card');
		// The account is the backend's (its signature answer), never the page's.
		expect(demo.stub.paymentMethods()).toMatchObject([{accountKey: 'A00000001', creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031}]);
	});

	test('on a phone, the saved state fits its box; its next step unlocks the form for another card', async ({page, demo}) => {
		await page.setViewportSize({width: 320, height: 640});
		await page.goto(demo.merchant.url);
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
		await fillFrame(page);
		await page.getByRole('button', {name: 'Save card'}).click();
		const result = page.locator('#result');
		await expect(result).toHaveText('Next: Add another card');
		await expect(result).not.toContainText(/[0-9a-f]{32}/);
		const box = await result.evaluate(element => ({
			scroll: element.scrollWidth,
			client: element.clientWidth,
			right: element.getBoundingClientRect().right,
			page: document.documentElement.clientWidth,
			pageScroll: document.documentElement.scrollWidth,
		}));
		expect(box.scroll).toBeLessThanOrEqual(box.client);
		expect(box.right).toBeLessThanOrEqual(box.page);
		expect(box.pageScroll).toBeLessThanOrEqual(box.page);
		await result.getByRole('button', {name: 'Add another card'}).click();
		await expect(result).toBeHidden();
		const frame = page.frameLocator('#card-fields iframe');
		await expect(frame.getByLabel('Card number')).toBeFocused();
		await expect(frame.getByLabel('Card number')).toBeEnabled();
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
	});
});

test('the in-page form (/card.html) is the shopper-grade one: one expiry field, the brand shown as the number is typed', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/card.html`);
	// No account field, no card-type list.
	await expect(page.locator('[name="accountKey"], [name="creditCardType"], [name="expirationMonth"]')).toHaveCount(0);
	await expect(page.getByLabel('Expiry date')).toHaveAttribute('placeholder', 'MM / YY');
	await page.getByLabel('Card number').fill('4111');
	await expect(page.locator('#card-form')).toHaveAttribute('data-zuora-cors-brand', 'Visa');
	await page.getByLabel('Name on card').fill(CARD.name);
	await page.getByLabel('Card number').fill(CARD.number);
	await page.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(-2)}`);
	await page.getByLabel('Security code').fill(CARD.cvv);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
	await expect(page.locator('#result')).toHaveText('Next: Add another card');
	expect(demo.stub.paymentMethods()).toMatchObject([{accountKey: 'A00000001', creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031}]);
});
