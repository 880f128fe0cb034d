// Issues 18 item 4 and 21 item 5 (proof), in the browser: a card POST whose outcome is unknown (its
// answer lost after Zuora saved the card, a reset or a hang before Zuora saw it, a 502 in front of
// it; Zuora still at work when the page first asks: generated from a fixed seed, each late fault
// with Zuora's create held inside and beyond the window) ends, on the shopper's path (submit, and
// the retry the page offers), with exactly one payment method on the account and the right last
// message. The page is the demo's card form bound with `reconcileUrl` (the demo backend's
// `/reconcile`, zuora-cors/server's createReconcileHandler), with the default 90 s settle window
// run on the page's clock (`page.clock`), never waited for.
import type {Page} from '@playwright/test';
import fc from 'fast-check';
import type {CustomFault, FaultMode, ZuoraStub} from 'zuora-cors/testing';
import {awaitQuestionTimer, CARD, cardBody, creates, expect, pauseClock, RECONCILE_GAPS, recordQuestionTimers, test} from './fixtures.js';

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
	await recordQuestionTimers(page);
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

/** The default schedule's gaps (fixtures' RECONCILE_GAPS): questions at 2, 6, 14, 30, 62 and 90 s after the outcome became unknown. */
const GAPS = RECONCILE_GAPS;

/** Questions `from` to `to` (0-based), each on the page's clock: none a millisecond early, each seen at Zuora's card list before the next. */
async function askQuestions(page: Page, stub: ZuoraStub, from: number, to: number) {
	for (let index = from; index < to; index++) {
		await awaitQuestionTimer(page, index);
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

/**
 * The first copy of the card POST, sent from here with the page's own prefetched pair: the
 * browser's own re-send of a POST whose answer was lost goes on the same token, so the page's
 * click then meets the spent token (90000011) while this copy is processed (or held) at Zuora.
 */
async function sendFirstCopy(stub: ZuoraStub, origin: string, pair: {signature: string; token: string}) {
	return fetch(stub.url + CREDIT_CARDS, {
		method: 'POST',
		headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json', origin},
		body: JSON.stringify(cardBody()),
	});
}

test('90000011 after the first copy was processed: the found method is answered, no re-sign, no second method', async ({page, demo}) => {
	const {stub} = demo;
	await openCheckout(page, stub, demo.merchant.url);
	// The first copy of the POST, processed at Zuora with the page's own prefetched pair (as when
	// the browser's copy of a POST whose answer was lost follows it on the same token).
	const pair = await page.evaluate(async () => (window as unknown as Binding).checkout.prefetch());
	const first = await sendFirstCopy(stub, demo.merchant.origin, pair);
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

/**
 * Late faults: Zuora goes on with the card after the page lost sight of it (the model of
 * src/exactly-once.property.test.ts, in the browser):
 * - `answerLost`: processed, then the connection dropped (held, the page's timeout comes first);
 * - `copy`: the browser's own re-send: the first copy (`sendFirstCopy`) at Zuora, the page's meets
 *   the spent token (90000011);
 * - `drop`: the connection dropped at once while Zuora goes on (the engine may re-send it itself);
 * - `timeout`: Zuora slower than the page's timeout.
 */
const LATE_FAULTS = ['answerLost', 'copy', 'drop', 'timeout'] as const;
type LateFault = (typeof LATE_FAULTS)[number];
/** The last question, at the window's end: its answer alone may say "not found". */
const LAST = GAPS.length - 1;
/**
 * Zuora's create, held: `inside` the window, it saves the card `ms` after the page's question
 * `after` (1 to 5, so the next question finds it); `beyond` the window, Zuora's own limit ends it
 * (`gatewayTimeout`, nothing saved) `ms` after question 5, before the last: the premise the window
 * stands on (no request outlives it).
 */
type LateHold = {kind: 'inside'; after: number; ms: number} | {kind: 'beyond'; ms: number};

/** The generator's seed: the same eight cases on every run and in both engines. */
const SEED = 18_004;
const insideHold = fc.integer({min: 1, max: LAST}).chain(after => fc.record({kind: fc.constant('inside' as const), after: fc.constant(after), ms: fc.integer({min: 0, max: GAPS[after]! - 2})}));
const beyondHold = fc.record({kind: fc.constant('beyond' as const), ms: fc.integer({min: 0, max: GAPS[LAST]! - 2})});
/** For each late fault, one create held inside the window and one beyond it. */
const LATE_CASES: ReadonlyArray<{fault: LateFault; hold: LateHold}> = fc
	.sample(fc.array(fc.tuple(insideHold, beyondHold), {minLength: LATE_FAULTS.length, maxLength: LATE_FAULTS.length}), {seed: SEED, numRuns: 1})[0]!
	.flatMap(([inside, beyond], index) => [inside, beyond].map(hold => ({fault: LATE_FAULTS[index]!, hold})));

/** Milliseconds after the outcome became unknown at which the page asks question `index` (0-based). */
const questionAt = (index: number) => GAPS.slice(0, index + 1).reduce((sum, gap) => sum + gap, 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

function lateTitle(fault: LateFault, hold: LateHold) {
	const after = hold.kind === 'inside' ? hold.after : LAST;
	const at = seconds(questionAt(after - 1) + hold.ms);
	return hold.kind === 'inside'
		? `generated (seed ${SEED}): ${fault}, Zuora saves ${at} into the window (after question ${after} of ${GAPS.length}): checking until the next question finds it, "saved", one method, never sent again`
		: `generated (seed ${SEED}): ${fault}, Zuora held beyond the window (its own limit ends it ${at} in, before the last question): checking for 90 s, then the truth, one method`;
}

/** Escapes texts for one anchored alternative. */
const oneOf = (...texts: string[]) => new RegExp(`^(${texts.map(text => text.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)).join('|')})$`);

/**
 * One generated checkout: the card POST meets its late fault while Zuora's create is held, the
 * page checks on its clock, and Zuora ends the create as `hold` says. Checked throughout: the
 * form stays "checking" (locked, number and code gone) until the truth, nothing is sent again
 * before the window's end, never two methods, never "saved" for a card not on the account, never
 * "not saved" while a create may still save it; the retry the page invites saves exactly one.
 */
async function lateCheckout(page: Page, demo: {stub: ZuoraStub; merchant: {url: string; origin: string}}, fault: LateFault, hold: LateHold) {
	const {stub} = demo;
	await openCheckout(page, stub, demo.merchant.url);
	// The pair prefetched on the first interaction with the form.
	await expect.poll(() => stub.tokens().issued).toBe(1);
	const pair = fault === 'copy' ? await page.evaluate(async () => (window as unknown as Binding).checkout.prefetch()) : undefined;
	await pauseClock(page);
	const release = stub.holdCreates();
	try {
		const first = pair && sendFirstCopy(stub, demo.merchant.origin, pair);
		if (first) {
			// The first copy is held at Zuora before the page's click: the click's copy must meet its spent token.
			await expect.poll(() => stub.heldCreates()).toBe(1);
		}

		if (fault === 'answerLost' || fault === 'drop') {
			stub.failNext(1, fault);
		}

		const issued = stub.tokens().issued;
		await saveButton(page).click();
		// The first copy is held at Zuora (the page's own, or for `copy` the one sent from here).
		await expect.poll(() => stub.heldCreates()).toBe(1);
		if (fault === 'answerLost' || fault === 'timeout') {
			// The POST is parked at Zuora: the page's timeout, on its clock, ends the wait.
			await page.clock.runFor(TIMEOUT);
		}

		await expectChecking(page);
		const token = creates(stub)[0]!.token;
		const after = hold.kind === 'inside' ? hold.after : LAST;
		await askQuestions(page, stub, 0, after);
		// Zuora ends the create `ms` into the wait before the next question (the page has set its timer).
		await awaitQuestionTimer(page, after);
		await page.clock.runFor(hold.ms);
		release(hold.kind === 'inside' ? 'process' : 'gatewayTimeout');
		await expect.poll(() => stub.heldCreates()).toBe(0);
		await first;
		await expect.poll(() => stub.paymentMethods().length).toBe(hold.kind === 'inside' ? 1 : 0);
		// The page does not know yet: still checking, and nothing was sent again or re-signed.
		await expectChecking(page);
		await page.clock.runFor(GAPS[after]! - hold.ms - 1);
		expect(listings(stub)).toHaveLength(after);
		expect(stub.tokens().issued).toBe(issued);
		expect(creates(stub).every(post => post.token === token)).toBe(true);
		// The copy that met the spent token: ours for `copy`, the engine's own re-send for `drop` (if it made one).
		const metSpentToken = creates(stub).length === 2;
		if (fault !== 'drop') {
			expect(metSpentToken).toBe(fault === 'copy');
		}

		await page.clock.runFor(1);
		await expect.poll(() => listings(stub).length).toBe(after + 1);
		await (hold.kind === 'inside' ? expectFound(page, stub, {issued, token, metSpentToken}) : expectTruthAfterWindow(page, stub, {issued, token, metSpentToken}));
	} finally {
		// A failed check leaves nothing held for the worker's next test.
		release('gatewayTimeout');
	}
}

type Sent = {issued: number; token: string | null; metSpentToken: boolean};

/** Inside the window: the question after Zuora saved the card finds it: "saved", the one method, no re-sign. */
async function expectFound(page: Page, stub: ZuoraStub, {issued, token, metSpentToken}: Sent) {
	test.info().annotations.push({type: 'path', description: metSpentToken ? 'a copy met 90000011; found by the next question: saved' : 'found by the next question: saved'});
	await expectSavedOnce(page, stub);
	expect(stub.tokens().issued).toBe(issued);
	expect(creates(stub).map(post => post.token)).toEqual(metSpentToken ? [token, token] : [token]);
}

/**
 * Beyond the window: Zuora's own limit ended the create, so the question at the window's end
 * finds nothing. After a 90000011 the one re-sign goes now (never earlier) and saves; otherwise
 * "not saved", the form opens, and the retry it invites saves exactly one.
 */
async function expectTruthAfterWindow(page: Page, stub: ZuoraStub, {issued, token, metSpentToken}: Sent) {
	await expect(status(page)).toHaveText(oneOf(SAVED, NOT_SAVED));
	const saved = (await status(page).textContent()) === SAVED;
	expect(saved).toBe(metSpentToken);
	if (saved) {
		test.info().annotations.push({type: 'path', description: "a copy met 90000011: the one re-sign at the window's end saved it"});
		expect(stub.tokens().issued).toBe(issued + 1);
		const posts = creates(stub).map(post => post.token);
		expect(posts).toHaveLength(3);
		expect(posts.slice(0, 2)).toEqual([token, token]);
		expect(posts[2]).not.toBe(token);
	} else {
		test.info().annotations.push({type: 'path', description: "not saved at the window's end, then the retry"});
		// Every create of the card has ended at Zuora with nothing saved: "not saved" is the truth.
		expect([stub.heldCreates(), stub.paymentMethods().length]).toEqual([0, 0]);
		await expect(page.locator('#error')).toHaveAttribute('data-kind', 'not-saved');
		await expect(saveButton(page)).toBeEnabled();
		await expect(page.getByLabel('Card number')).toHaveValue('');
		await page.getByLabel('Card number').fill(CARD.number);
		await page.getByLabel('Security code').fill(CARD.cvv);
		// The retry, double-clicked: one fresh signature, one more POST.
		await saveButton(page).dblclick();
		await expect.poll(() => stub.tokens().issued).toBe(issued + 1);
		await expect.poll(() => creates(stub).length).toBe(2);
	}

	await expectSavedOnce(page, stub);
	expect(listings(stub)).toHaveLength(GAPS.length);
}

test.describe('Zuora still at work when the page first asks: checking until known, never sent again', () => {
	for (const {fault, hold} of LATE_CASES) {
		test(lateTitle(fault, hold), async ({page, demo}) => {
			await lateCheckout(page, demo, fault, hold);
		});
	}

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
