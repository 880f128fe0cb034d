import type {Page} from '@playwright/test';
import {TEST_CARDS} from 'zuora-cors/testing';
import {CARD, creates, expect, fillCard, test, withoutOrigin} from './fixtures.js';

type Window = {checkout: {submit(): Promise<{paymentMethodId: string}>; reset(): void; destroy(): void}; ZuoraCors: typeof import('../src/index.js')};

/** Replaces the page's binding with one made with these options. */
async function rebind(page: Page, options: Record<string, unknown>) {
	await page.evaluate(options_ => {
		const w = window as unknown as Window;
		w.checkout.destroy();
		const form = document.querySelector('form')!;
		w.checkout = w.ZuoraCors.bindForm(form, {
			signatureUrl: '/signature',
			signatureOptions: {method: 'POST'},
			url: (window as unknown as {zuoraCorsDemo: {card: {url: string}}}).zuoraCorsDemo.card.url,
			allowedHosts: [new URL((window as unknown as {zuoraCorsDemo: {card: {url: string}}}).zuoraCorsDemo.card.url).origin],
			formFields: ['accountKey', 'defaultPaymentMethod'],
			...options_,
		});
	}, options);
}

const signatures = (demo: {stub: {tokens(): {issued: number}}}) => demo.stub.tokens().issued;

test('prefetches exactly one signature on the first interaction, none at page load', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await page.waitForLoadState('networkidle');
	expect(signatures(demo)).toBe(0);

	await page.getByLabel('Name on card').click();
	await expect.poll(() => signatures(demo)).toBe(1);
	await fillCard(page);
	await page.waitForLoadState('networkidle');
	expect(signatures(demo)).toBe(1);

	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toBeVisible();
	// The click used the prefetched pair: no signature fetched after it.
	expect(signatures(demo)).toBe(1);
	expect(creates(demo.stub)).toHaveLength(1);
});

test('replaces a prefetched pair older than signatureMaxAge', async ({page, demo}) => {
	// The page's clock, paused, not a wall-clock sleep: the pair ages exactly as far as the test says.
	await page.clock.install({time: new Date('2030-01-01T00:00:00Z')});
	await page.goto(`${demo.merchant.url}/developer.html`);
	await page.clock.pauseAt(new Date('2030-01-01T01:00:00Z'));
	await rebind(page, {signatureMaxAge: 1500});
	await fillCard(page);
	await expect.poll(() => signatures(demo)).toBe(1);
	await page.clock.fastForward(1400);
	// Still fresh: no second pair.
	await page.getByLabel('Name on card').fill('Ada L.');
	await page.waitForLoadState('networkidle');
	expect(signatures(demo)).toBe(1);
	await page.clock.fastForward(200);
	// The shopper comes back to the form: the stale pair is replaced once.
	await page.getByLabel('Name on card').fill('Ada Lovelace');
	await expect.poll(() => signatures(demo)).toBe(2);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toBeVisible();
	// Only the fresh token was sent to Zuora; the stale one never left the page.
	expect(creates(demo.stub)).toHaveLength(1);
	expect(demo.stub.tokens()).toEqual({issued: 2, used: 1});
});

test('adds one credentialed preconnect to the Zuora origin, removed by destroy()', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	const links = page.locator('link[rel=preconnect]');
	await expect(links).toHaveCount(1);
	await expect(links).toHaveAttribute('href', demo.stub.url);
	await expect(links).toHaveAttribute('crossorigin', 'use-credentials');
	await page.evaluate(() => {
		(window as unknown as Window).checkout.destroy();
	});
	await expect(links).toHaveCount(0);
});

test('busy while in flight; after success the number and code are cleared and the form stays locked until reset()', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await fillCard(page);
	await page.waitForLoadState('networkidle');
	demo.stub.setLatency(800);
	const button = page.getByRole('button', {name: 'Save card'});
	await button.click();
	await expect(button).toBeDisabled();
	await expect(page.locator('form')).toHaveAttribute('aria-busy', 'true');
	await expect(page.locator('#result')).toBeVisible();
	await expect(page.locator('form')).not.toHaveAttribute('aria-busy');
	// Locked: a second click never saves a second card.
	await expect(button).toBeDisabled();
	await expect(page.getByLabel('Card number')).toHaveValue('');
	await expect(page.getByLabel('Security code')).toHaveValue('');
	await expect(page.getByLabel('Card number')).toBeDisabled();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
	await page.locator('form').evaluate((form: HTMLFormElement) => {
		form.requestSubmit();
	});
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
	expect(creates(demo.stub)).toHaveLength(1);

	await page.evaluate(() => {
		(window as unknown as Window).checkout.reset();
	});
	await expect(button).toBeEnabled();
	await expect(page.getByLabel('Card number')).toBeEnabled();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('');
	demo.stub.setLatency(0);
	await fillCard(page);
	await button.click();
	await expect.poll(() => demo.stub.paymentMethods().length).toBe(2);
});

test('after a 429 submit stays off while the wait counts down in the status region; nothing is sent meanwhile', async ({page, demo}) => {
	// Paused: the wait runs exactly as far as the test moves the page's clock.
	await page.clock.install({time: new Date('2030-01-01T00:00:00Z')});
	await page.goto(`${demo.merchant.url}/developer.html`);
	await page.clock.pauseAt(new Date('2030-01-01T01:00:00Z'));
	await rebind(page, {prefetch: false});
	let refused = 0;
	await page.route(
		'**/signature',
		async route => {
			refused++;
			await route.fulfill({status: 429, headers: {'Retry-After': '30', 'Content-Type': 'application/json'}, body: JSON.stringify({success: false, reasons: [{message: 'Too many requests'}]})});
		},
		{times: 1},
	);
	await fillCard(page);
	const button = page.getByRole('button', {name: 'Save card'});
	const status = page.locator('[data-zuora-cors-status]');
	await button.click();
	await expect(status).toHaveText('Too many attempts. Please wait 30 seconds and try again.');
	await expect(status).toBeInViewport();
	await expect(button).toBeDisabled();
	await page.clock.runFor(10_000);
	await expect(status).toHaveText('Too many attempts. Please wait 20 seconds and try again.');
	await page.keyboard.press('Enter');
	await page.locator('form').evaluate((form: HTMLFormElement) => {
		form.requestSubmit();
	});
	await page.clock.runFor(19_000);
	await expect(status).toHaveText('Too many attempts. Please wait 2 seconds and try again.');
	await expect(button).toBeDisabled();
	expect(refused).toBe(1);
	expect(signatures(demo)).toBe(0);
	await page.clock.runFor(1000);
	await expect(button).toBeEnabled();
	await expect(status).toHaveText('');
	await button.click();
	await expect(page.locator('#result')).toBeVisible();
	expect(creates(demo.stub)).toHaveLength(1);
});

test('a decline naming the security code marks it and moves focus to it; the status region is announced in view', async ({page, demo}) => {
	await page.setViewportSize({width: 360, height: 480});
	await page.goto(`${demo.merchant.url}/developer.html`);
	await fillCard(page, {number: TEST_CARDS.declinedIncorrectCvc.creditCardNumber});
	await page.getByRole('button', {name: 'Save card'}).click();
	const code = page.getByLabel('Security code');
	const sentence = 'Your card was declined because the security code is wrong. Please check it and try again.';
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText(sentence);
	await expect(page.locator('[data-zuora-cors-status]')).toBeInViewport();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveAttribute('role', 'status');
	await expect(code).toHaveAttribute('aria-invalid', 'true');
	await expect(code).toBeFocused();
	await expect(page.locator('[data-zuora-cors-error-for="securityCode"]')).toHaveText(sentence);
	// Open for a corrected code, with a fresh signature.
	await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
});

test('supportedBrands: another brand is a field error while typing and on submit, before anything is sent', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await rebind(page, {supportedBrands: ['Visa', 'MasterCard'], prefetch: false});
	const number = page.getByLabel('Card number');
	await number.pressSequentially('3782');
	await expect(number).toHaveAttribute('aria-invalid', 'true');
	const message = 'This card type is not accepted here. Use Visa, Mastercard.';
	await expect(page.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText(message);
	await fillCard(page, {number: '378282246310005', cvv: '1234'});
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#error')).toHaveText(message);
	await expect(number).toBeFocused();
	await number.fill('4111');
	await expect(number).not.toHaveAttribute('aria-invalid');
	expect(signatures(demo)).toBe(0);
	expect(creates(demo.stub)).toHaveLength(0);
});

test('concurrent submits share one submission: a triple click creates one payment method', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await fillCard(page);
	demo.stub.setLatency(300);
	// Three submits in the same tick, past the disabled button: the binding itself must dedupe.
	const ids = await page.evaluate(async () => {
		const form = document.querySelector('form')!;
		const {checkout} = window as unknown as Window;
		form.requestSubmit();
		form.requestSubmit();
		const results = await Promise.all([checkout.submit(), checkout.submit(), checkout.submit()]);
		return results.map(result => result.paymentMethodId);
	});
	expect(new Set(ids).size).toBe(1);
	await expect(page.locator('#result')).toBeVisible();
	expect(demo.stub.paymentMethods()).toHaveLength(1);
	expect(creates(demo.stub)).toHaveLength(1);

	// And through the button, as a shopper would, once the page unlocked the form for another card.
	demo.stub.reset();
	await page.evaluate(() => {
		(window as unknown as Window).checkout.reset();
	});
	await fillCard(page);
	const button = page.getByRole('button', {name: 'Save card'});
	await button.click({clickCount: 3});
	await expect.poll(() => demo.stub.paymentMethods().length).toBe(1);
	// Locked after the success: later clicks have nothing to send.
	await expect(button).toBeDisabled();
	await page.waitForLoadState('networkidle');
	expect(demo.stub.paymentMethods()).toHaveLength(1);
});

test('destroy() leaves no listener behind: no prefetch, no submit interception, no error slots', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await fillCard(page, {number: '4111111111111112'});
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-error-for]')).toHaveCount(1);
	// Let the first-interaction prefetch land before counting.
	await page.waitForLoadState('networkidle');
	await expect.poll(() => signatures(demo)).toBe(1);
	const issued = signatures(demo);

	const intercepted = await page.evaluate(() => {
		(window as unknown as Window).checkout.destroy();
		const form = document.querySelector('form')!;
		let prevented: boolean | undefined;
		// Runs after every listener on the form: was the submit still taken over by the binding?
		window.addEventListener('submit', event => {
			prevented = event.defaultPrevented;
			event.preventDefault();
		});
		form.querySelector('input')!.dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
		form.requestSubmit();
		return prevented;
	});
	expect(intercepted).toBe(false);
	await expect(page.locator('[data-zuora-cors-error-for]')).toHaveCount(0);
	await expect(page.locator('[aria-invalid]')).toHaveCount(0);
	await page.waitForLoadState('networkidle');
	expect(signatures(demo)).toBe(issued);
});

test('card data stays out of the signature request and of every URL', async ({page, demo}) => {
	const seen: string[] = [];
	page.on('request', request => {
		if (!request.url().startsWith(demo.stub.url)) {
			// Without the origin: a random port may hold the security code's digits.
			seen.push(`${withoutOrigin(request.url())} ${request.postData() ?? ''}`);
		}
	});
	await page.goto(`${demo.merchant.url}/developer.html`);
	await fillCard(page);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toBeVisible();
	expect(seen.some(line => line.includes('/signature'))).toBe(true);
	expect(seen.join('\n')).not.toContain(CARD.number);
	expect(seen.join('\n')).not.toContain(CARD.cvv);
});

test("options: selector target, fields, callbacks, prefetch and preconnect off; destroy keeps the page's own marks", async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/developer.html`);
	await page.evaluate(() => {
		const w = window as unknown as Window & {outcomes: string[]; binding: {submit(): Promise<unknown>; destroy(): void}};
		w.checkout.destroy();
		w.outcomes = [];
		const form = document.querySelector('form')!;
		form.querySelector('[name="accountKey"]')!.remove();
		// The page marks a field of its own; the binding must leave that mark alone.
		form.querySelector('[name="cardHolderInfo.cardHolderName"]')!.setAttribute('aria-invalid', 'true');
		w.binding = w.ZuoraCors.bindForm('#card-form', {
			signatureUrl: '/signature',
			signatureOptions: {method: 'POST'},
			url: (window as unknown as {zuoraCorsDemo: {card: {url: string}}}).zuoraCorsDemo.card.url,
			allowedHosts: [new URL((window as unknown as {zuoraCorsDemo: {card: {url: string}}}).zuoraCorsDemo.card.url).origin],
			fields: {accountKey: 'A00000001'},
			prefetch: false,
			preconnect: false,
			onSuccess: result => w.outcomes.push(`success ${result.paymentMethodId.length}`),
			onError: error => w.outcomes.push(`error ${error.kind}`),
		});
	});
	await expect(page.locator('link[rel=preconnect]')).toHaveCount(0);
	await fillCard(page, {cvv: '1'});
	await page.waitForLoadState('networkidle');
	expect(signatures(demo)).toBe(0);

	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-error-for="securityCode"]')).toBeVisible();
	await fillCard(page);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toBeVisible();
	expect(await page.evaluate(() => (window as unknown as {outcomes: string[]}).outcomes)).toEqual(['error validation', 'success 32']);
	expect(demo.stub.paymentMethods()[0]!.accountKey).toBe('A00000001');

	const afterDestroy = await page.evaluate(async () => {
		const {binding} = window as unknown as {binding: {submit(): Promise<unknown>; destroy(): void}};
		binding.destroy();
		return binding.submit().then(
			() => 'submitted',
			(error: {kind: string}) => error.kind,
		);
	});
	expect(afterDestroy).toBe('validation');
	await expect(page.getByLabel('Name on card')).toHaveAttribute('aria-invalid', 'true');
	expect(demo.stub.paymentMethods()).toHaveLength(1);
});
