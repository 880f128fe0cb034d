// Issues 18 item 4 and 21 item 5 (proof), in the browser: a card POST whose outcome is unknown (its
// answer lost after Zuora saved the card, a reset or a hang before Zuora saw it, a 502 in front of
// it; Zuora still at work when the page first asks) ends, on the shopper's path (submit, and the
// retry the page offers), with exactly one payment method on the account and the right last
// message. The page is the demo's card form bound with `reconcileUrl` (the demo backend's
// `/reconcile`, zuora-cors/server's createReconcileHandler), with the default 90 s settle window
// run on the page's clock (`page.clock`), never waited for.
import type {Page} from '@playwright/test';
import type {CustomFault, FaultMode, ZuoraStub} from 'zuora-cors/testing';
import {CARD, creates, expect, test} from './fixtures.js';

type Binding = {checkout: {destroy(): void; submit(): Promise<unknown>; prefetch(): Promise<{signature: string; token: string}>}; ZuoraCors: typeof import('../src/index.js')};

const SAVED = 'Your card was saved.';
const CHECKING = 'Checking whether your card was saved…';
const NOT_SAVED = 'Your card was not saved. Please try again.';
const CREDIT_CARDS = '/v1/payment-methods/credit-cards';
/** The card POST's timeout: on the page's clock, so it fires only when a test moves that clock past it. */
const TIMEOUT = 20_000;

test.describe.configure({timeout: 60_000});

/**
 * The demo's card form, bound with `reconcileUrl` (and the default grace period before asking it).
 * Rebound rather than configured by the page's markup; the account is the one the backend signed
 * (its signature answer carries it), not a form field.
 */
async function openCheckout(page: Page, stub: ZuoraStub, merchantUrl: string) {
	// Installed before the page's scripts run, flowing in real time: only the hang test jumps it.
	await page.clock.install();
	await page.goto(`${merchantUrl}/card.html`);
	await page.evaluate(
		({url, timeout}) => {
			const w = window as unknown as Binding;
			w.checkout.destroy();
			w.checkout = w.ZuoraCors.bindForm(document.querySelector<HTMLFormElement>('#card-form')!, {
				signatureUrl: '/signature',
				signatureOptions: {method: 'POST'},
				reconcileUrl: '/reconcile',
				// bindForm needs the Zuora URL up front (it preconnects to its origin); the signed uri must equal it.
				url,
				allowedHosts: [new URL(url).origin],
				timeout,
			}) as unknown as Binding['checkout'];
		},
		{url: stub.url + CREDIT_CARDS, timeout: TIMEOUT},
	);
	await page.getByLabel('Name on card').fill(CARD.name);
	await page.getByLabel('Card number').fill(CARD.number);
	await page.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(2)}`);
	await page.getByLabel('Security code').fill(CARD.cvv);
}

const saveButton = (page: Page) => page.getByRole('button', {name: 'Save card'});
/** The library's status region in the form: the shopper's last message. */
const status = (page: Page) => page.locator('[data-zuora-cors-status]');
/** The backend's calls to Zuora's list of the account's cards (one per reconcile). */
const listings = (stub: ZuoraStub) => stub.requests().filter(request => request.method === 'GET' && request.path.startsWith(`${CREDIT_CARDS}/accounts/`));

/** The default schedule's gaps: the questions to /reconcile at 2, 6, 14, 30, 62 and 90 s after the outcome became unknown. */
const GAPS = [2000, 4000, 8000, 16_000, 32_000, 28_000];

/** The page's clock stops: from now on only the test moves it. */
async function pauseClock(page: Page) {
	await page.clock.pauseAt(Date.now() + 1000);
}

/** Questions `from` to `to` (0-based), each on the page's clock: none a millisecond early, each seen at Zuora's card list before the next. */
async function askQuestions(page: Page, stub: ZuoraStub, from: number, to: number) {
	for (let index = from; index < to; index++) {
		await expect(status(page)).toHaveText(CHECKING);
		await page.clock.runFor(GAPS[index]! - 1);
		expect(listings(stub)).toHaveLength(index);
		await page.clock.runFor(1);
		await expect.poll(() => listings(stub).length).toBe(index + 1);
	}
}

/** The unknown state: locked, the number and code gone from the page, the status says it is checking. */
async function expectChecking(page: Page) {
	await expect(status(page)).toHaveText(CHECKING);
	await expect(saveButton(page)).toBeDisabled();
	await expect(page.getByLabel('Card number')).toBeDisabled();
	await expect(page.getByLabel('Card number')).toHaveValue('');
	await expect(page.getByLabel('Security code')).toHaveValue('');
}

/** After "saved": exactly one method on the account, the page shows its id, and the form is locked (a further submit sends nothing). */
async function expectSavedOnce(page: Page, stub: ZuoraStub, saved = SAVED) {
	await expect(status(page)).toHaveText(saved);
	const methods = stub.paymentMethods();
	expect(methods.map(method => [method.accountKey, method.last4])).toEqual([['A00000001', CARD.number.slice(-4)]]);
	await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', methods[0]!.id);
	await expect(saveButton(page)).toBeDisabled();
	const posts = creates(stub).length;
	const again = await page.evaluate(async () =>
		(window as unknown as Binding).checkout.submit().then(
			() => 'sent',
			(error: {kind: string}) => error.kind,
		),
	);
	expect(again).toBe('validation');
	expect(creates(stub)).toHaveLength(posts);
	expect(stub.paymentMethods()).toHaveLength(1);
}

test('answer lost after Zuora saved the card: the reconcile endpoint finds it, "saved", one method, no re-sign', async ({page, demo}) => {
	const {stub} = demo;
	await openCheckout(page, stub, demo.merchant.url);
	// The bodies the page hands to fetch for /reconcile (Firefox's WebDriver BiDi shows no request bodies to Playwright).
	await page.evaluate(() => {
		const w = window as unknown as {reconcileBodies: unknown[]};
		const send = window.fetch;
		w.reconcileBodies = [];
		window.fetch = async (input, init) => {
			if (String(input).endsWith('/reconcile')) {
				w.reconcileBodies.push(init?.body);
			}

			return send(input, init);
		};
	});
	stub.failNext(1, 'answerLost');
	// The pair prefetched on the first interaction with the form: the only one this checkout needs.
	await expect.poll(() => stub.tokens().issued).toBe(1);
	// A double click: the second click sends nothing more (bindForm has one submission in flight).
	await saveButton(page).dblclick();
	await expectSavedOnce(page, stub);
	// Either path the engine takes ends here: the lost answer reported as a network error, or the
	// browser's own copy of the POST on a dropped keep-alive connection meeting the spent token
	// (90000011), which is asked about before any re-sign. Never a second signature.
	const posts = creates(stub);
	expect(posts.length === 1 || (posts.length === 2 && posts[1]!.token === posts[0]!.token)).toBe(true);
	test.info().annotations.push({type: 'path', description: posts.length === 2 ? "the browser's copy met the spent token (90000011)" : 'the lost answer seen as a network error'});
	expect(stub.tokens().issued).toBe(1);
	expect(listings(stub)).toHaveLength(1);
	// What reached the merchant backend: the token used, the brand, the last four, the expiry. No card data.
	const reconcileBodies = await page.evaluate(() => (window as unknown as {reconcileBodies: string[]}).reconcileBodies.map(body => JSON.parse(body) as unknown));
	expect(reconcileBodies).toEqual([{token: posts[0]!.token, creditCardType: 'Visa', lastFour: CARD.number.slice(-4), expirationMonth: Number(CARD.month), expirationYear: Number(CARD.year)}]);
});

/** Faults that fire before Zuora processes the card: nothing saved, and the page must say so. */
const BEFORE_PROCESSING: ReadonlyArray<[string, FaultMode | CustomFault]> = [
	['a connection reset', 'reset'],
	['no answer in time (hang)', 'hang'],
	['a 502 from a gateway in front of Zuora', {status: 502, body: {message: 'Bad Gateway'}}],
];

for (const [name, fault] of BEFORE_PROCESSING) {
	test(`${name} before Zuora saw the card: "not saved, try again", the retry saves exactly one`, async ({page, demo}) => {
		const {stub} = demo;
		await openCheckout(page, stub, demo.merchant.url);
		await pauseClock(page);
		stub.failNext(1, fault);
		await saveButton(page).click();
		if (fault === 'hang') {
			// The POST is parked at the stub; then the page's clock runs past the timeout (no wall-clock wait).
			await expect.poll(() => creates(stub).length).toBe(1);
			await page.clock.runFor(TIMEOUT);
		}

		await expect(status(page)).toHaveText(new RegExp(`^(${SAVED}|${CHECKING})$`));
		if ((await status(page).textContent()) === CHECKING) {
			// Zuora may still be at work: "not saved" only from the question at the window's end.
			await expectChecking(page);
			await askQuestions(page, stub, 0, GAPS.length);
		}

		await expect(status(page)).toHaveText(/^Your card was (saved|not saved\. Please try again)\.$/);
		if ((await status(page).textContent()) === SAVED) {
			// Saved without the shopper's retry: only when the engine re-sent the POST itself after a
			// reset on a reused connection (the copy, not faulted, was processed).
			expect(fault).toBe('reset');
			expect(creates(stub)).toHaveLength(2);
			test.info().annotations.push({type: 'path', description: 'the browser re-sent the reset POST itself'});
		} else {
			test.info().annotations.push({type: 'path', description: 'not saved, then the retry'});
			// Checked with the backend: nothing on the account, the page invites a retry and allows it.
			await expect(status(page)).toHaveText(NOT_SAVED);
			expect(stub.paymentMethods()).toHaveLength(0);
			expect(listings(stub)).toHaveLength(GAPS.length);
			await expect(page.locator('#error')).toHaveAttribute('data-message', 'card_not_saved_try_again');
			await expect(page.locator('#error')).toHaveAttribute('data-kind', 'not-saved');
			await expect(saveButton(page)).toBeEnabled();
			const issued = stub.tokens().issued;
			// The number and code left the page while it checked: the shopper types them again.
			await page.getByLabel('Card number').fill(CARD.number);
			await page.getByLabel('Security code').fill(CARD.cvv);
			// The retry, double-clicked: one fresh signature (prefetched as the shopper typed).
			await saveButton(page).dblclick();
			await expect.poll(() => stub.tokens().issued).toBe(issued + 1);
		}

		await expectSavedOnce(page, stub);
	});
}

test('90000011 after the first copy was processed: the found method is answered, no re-sign, no second method', async ({page, demo}) => {
	const {stub} = demo;
	await openCheckout(page, stub, demo.merchant.url);
	// The first copy of the POST, processed at Zuora with the page's own prefetched pair (as when
	// the browser's copy of a POST whose answer was lost follows it on the same token).
	const pair = await page.evaluate(async () => (window as unknown as Binding).checkout.prefetch());
	const first = await fetch(stub.url + CREDIT_CARDS, {
		method: 'POST',
		headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json', origin: demo.merchant.origin},
		body: JSON.stringify({
			accountKey: 'A00000001',
			creditCardType: 'Visa',
			creditCardNumber: CARD.number,
			expirationMonth: Number(CARD.month),
			expirationYear: Number(CARD.year),
			securityCode: CARD.cvv,
			cardHolderInfo: {cardHolderName: CARD.name},
		}),
	});
	const {paymentMethodId} = (await first.json()) as {paymentMethodId: string};
	expect(stub.paymentMethods().map(method => method.id)).toEqual([paymentMethodId]);
	const issued = stub.tokens().issued;

	await saveButton(page).click();
	await expectSavedOnce(page, stub);
	expect(stub.paymentMethods().map(method => method.id)).toEqual([paymentMethodId]);
	// The page's copy met the spent token and asked the backend before any re-sign.
	expect(creates(stub).map(post => post.token)).toEqual([pair.token, pair.token]);
	expect(stub.tokens().issued).toBe(issued);
	expect(listings(stub)).toHaveLength(1);
});

test.describe('Zuora still at work when the page first asks: checking until known, never sent again', () => {
	test('Zuora slower than the timeout, done after question 3: checking, then "saved", one method, one token', async ({page, demo}) => {
		const {stub} = demo;
		await openCheckout(page, stub, demo.merchant.url);
		await pauseClock(page);
		const release = stub.holdCreates();
		await saveButton(page).click();
		await expect.poll(() => stub.heldCreates()).toBe(1);
		await page.clock.runFor(TIMEOUT);
		await expectChecking(page);
		await askQuestions(page, stub, 0, 3);
		// Zuora saves it now: after the page's third question.
		release();
		await expect.poll(() => stub.paymentMethods().length).toBe(1);
		await askQuestions(page, stub, 3, 4);
		await expectSavedOnce(page, stub);
		expect([creates(stub).length, stub.tokens().issued, listings(stub).length]).toEqual([1, 1, 4]);
	});

	test('a dropped connection, Zuora held beyond the window: checking for 90 s, then the truth (not saved, or the one re-sign), one method', async ({page, demo}) => {
		const {stub} = demo;
		await openCheckout(page, stub, demo.merchant.url);
		await pauseClock(page);
		const release = stub.holdCreates();
		stub.failNext(1, 'drop');
		await saveButton(page).click();
		await expectChecking(page);
		await askQuestions(page, stub, 0, 5);
		// Zuora's own limit ends it without a card, before the question at the window's end.
		release('gatewayTimeout');
		await expect.poll(() => stub.heldCreates()).toBe(0);
		expect(stub.paymentMethods()).toHaveLength(0);
		await page.clock.runFor(GAPS[5]! - 1);
		await expect(status(page)).toHaveText(CHECKING);
		await page.clock.runFor(1);
		await expect(status(page)).toHaveText(new RegExp(`^(${SAVED}|${NOT_SAVED.replace('.', '\\.')})$`));
		if ((await status(page).textContent()) === SAVED) {
			// The browser re-sent the dropped POST itself; its copy met the spent token (90000011): after
			// the window, with no card found, the one re-sign saved it.
			test.info().annotations.push({type: 'path', description: "the browser's copy met 90000011: re-signed after the window"});
			expect(creates(stub).length).toBe(3);
		} else {
			test.info().annotations.push({type: 'path', description: 'not saved after the window, then the retry'});
			await expect(saveButton(page)).toBeEnabled();
			await expect(page.getByLabel('Card number')).toHaveValue('');
			await page.getByLabel('Card number').fill(CARD.number);
			await page.getByLabel('Security code').fill(CARD.cvv);
			await saveButton(page).click();
		}

		await expectSavedOnce(page, stub);
		expect(listings(stub)).toHaveLength(6);
	});

	test('the browser\'s copy met 90000011 while the first copy was still at Zuora, done after question 2: "saved", never re-signed', async ({page, demo}) => {
		const {stub} = demo;
		await openCheckout(page, stub, demo.merchant.url);
		const pair = await page.evaluate(async () => (window as unknown as Binding).checkout.prefetch());
		await pauseClock(page);
		const release = stub.holdCreates();
		// The first copy, sent with the page's own pair, held at Zuora (its answer never comes back).
		const first = fetch(stub.url + CREDIT_CARDS, {
			method: 'POST',
			headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json', origin: demo.merchant.origin},
			body: JSON.stringify({
				accountKey: 'A00000001',
				creditCardType: 'Visa',
				creditCardNumber: CARD.number,
				expirationMonth: Number(CARD.month),
				expirationYear: Number(CARD.year),
				securityCode: CARD.cvv,
			}),
		});
		await expect.poll(() => stub.heldCreates()).toBe(1);
		const issued = stub.tokens().issued;
		await saveButton(page).click();
		await expectChecking(page);
		await askQuestions(page, stub, 0, 2);
		release();
		await first;
		await askQuestions(page, stub, 2, 3);
		await expectSavedOnce(page, stub);
		expect(creates(stub).map(post => post.token)).toEqual([pair.token, pair.token]);
		expect(stub.tokens().issued).toBe(issued);
	});

	test("the demo's own checkout passes reconcileUrl: a lost answer is checked, then saved", async ({page, demo}) => {
		const {stub} = demo;
		await page.clock.install();
		await page.goto(`${demo.merchant.url}/card.html`);
		await page.getByLabel('Name on card').fill(CARD.name);
		await page.getByLabel('Card number').fill(CARD.number);
		await page.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(2)}`);
		await page.getByLabel('Security code').fill(CARD.cvv);
		await pauseClock(page);
		stub.failNext(1, 'answerLost');
		await saveButton(page).click();
		await expectChecking(page);
		await page.clock.runFor(GAPS[0]!);
		// The demo names the saved card (its messages.card_saved).
		await expectSavedOnce(page, stub, 'Visa ending 1111 saved.');
		expect(listings(stub)).toHaveLength(1);
	});
});
