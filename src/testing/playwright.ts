/**
 * `zuora-cors/testing/playwright`: the stub Zuora as a Playwright fixture, for a merchant's own
 * browser tests. `@playwright/test` is an optional peer dependency, imported only here, so
 * `zuora-cors/testing` itself never needs it.
 *
 * Each worker starts one stub (`zuoraStub`, closed when the worker ends); each test gets it as
 * `zuora`, reset first (no payment methods, accounts, logged requests, tokens, latency or faults
 * left from an earlier test) and with the origin of `baseURL`, when set, allowed by CORS.
 *
 * @example
 * import {test, expect, TEST_CARDS} from 'zuora-cors/testing/playwright';
 *
 * test('saves a card', async ({page, zuora}) => {
 *   // your backend signs `${zuora.url}/v1/payment-methods/credit-cards` (see the README)
 *   await page.goto('/checkout');
 *   await page.fill('[name=creditCardNumber]', TEST_CARDS.visa.creditCardNumber);
 *   // ...
 *   expect(zuora.paymentMethods()).toHaveLength(1);
 * });
 *
 * test('shows a busy Zuora', async ({page, zuora}) => {
 *   zuora.failNext(1, 'unavailable'); // 503 from Zuora on the next card request
 * });
 *
 * test('recovers a lost answer', async ({page, zuora}) => {
 *   zuora.failNext(1, 'answerLost'); // the card is saved, the page never hears back
 *   // ... submit; your reconcile endpoint finds the card; then:
 *   expect(zuora.paymentMethods()).toHaveLength(1);
 * });
 */
import {
	test as base,
	type FrameLocator,
	type Locator,
	type PlaywrightTestArgs,
	type PlaywrightTestOptions,
	type PlaywrightWorkerArgs,
	type PlaywrightWorkerOptions,
	type TestType,
} from '@playwright/test';
import {startZuoraStub, type TestCard, type ZuoraStub, type ZuoraStubOptions} from './index.js';

/** The per-test fixtures. */
export type ZuoraTestFixtures = {
	/** The worker's stub, reset before this test, with `baseURL`'s origin (when set) allowed by CORS. */
	zuora: ZuoraStub;
};

/** The per-worker fixtures. */
export type ZuoraWorkerFixtures = {
	/**
	 * Options of the worker's stub (`test.use({zuoraStubOptions: {...}})` in a file or a
	 * project). A fixed `port` needs one worker; by default each worker's stub takes a free port.
	 */
	zuoraStubOptions: ZuoraStubOptions;
	/** The worker's stub, not reset between tests (depend on it to start your backend once per worker). */
	zuoraStub: ZuoraStub;
};

/** Playwright's `test` with the stub Zuora fixtures. */
export const test: TestType<PlaywrightTestArgs & PlaywrightTestOptions & ZuoraTestFixtures, PlaywrightWorkerArgs & PlaywrightWorkerOptions & ZuoraWorkerFixtures> = base.extend<
	ZuoraTestFixtures,
	ZuoraWorkerFixtures
>({
	zuoraStubOptions: [{}, {scope: 'worker', option: true}],
	zuoraStub: [
		async ({zuoraStubOptions}, use) => {
			const stub = await startZuoraStub(zuoraStubOptions);
			try {
				await use(stub);
			} finally {
				await stub.close();
			}
		},
		{scope: 'worker'},
	],
	zuora: async ({zuoraStub, baseURL}, use) => {
		zuoraStub.reset();
		if (baseURL) {
			zuoraStub.allowOrigin(new URL(baseURL).origin);
		}

		await use(zuoraStub);
	},
});

/** What `fillCardFrame` enters: a `TestCard` (`TEST_CARDS.visa`), or the same fields of your own card. */
export type CardFrameValues = Pick<TestCard, 'creditCardNumber' | 'expirationMonth' | 'expirationYear' | 'securityCode'> & {
	/** Left empty when absent. */
	readonly cardHolderInfo?: {readonly cardHolderName?: string};
};

/**
 * The card frame `mountCardFields` put in `container` (the element you mounted it in), to look
 * inside it: `cardFrame(page.locator('#card')).locator('[aria-invalid="true"]')`.
 */
export function cardFrame(container: Locator): FrameLocator {
	return container.frameLocator('iframe');
}

/**
 * Fills the card frame of `zuora-cors/frames` in `container` as a shopper would, each field
 * found by its `autocomplete` token (`cc-number`, `cc-exp`, `cc-csc`, `cc-name`), so it works
 * in every locale and with your own label texts; the expiry is entered as `MM / YY`. It waits
 * for the frame to connect (its fields stay disabled until then). Your page cannot do this
 * itself: the frame is another origin, which is the point. In your Zuora stub, allow the card
 * origin too (`zuora.allowOrigin('http://127.0.0.1:3002')`): the frame, not your page, sends the card.
 *
 * @example
 * import {test, expect, fillCardFrame, TEST_CARDS} from 'zuora-cors/testing/playwright';
 *
 * test('saves a card through the frame', async ({page, zuora}) => {
 *   await page.goto('/checkout');
 *   await fillCardFrame(page.locator('#card'), TEST_CARDS.visa);
 *   await page.getByRole('button', {name: 'Save card'}).click();
 *   await expect(page.locator('#result')).toContainText('Card saved');
 *   expect(zuora.paymentMethods()).toHaveLength(1);
 * });
 */
export async function fillCardFrame(container: Locator, card: CardFrameValues): Promise<FrameLocator> {
	const frame = cardFrame(container);
	const field = (token: string) => frame.locator(`input[autocomplete="${token}"]`);
	await field('cc-number').fill(card.creditCardNumber);
	await field('cc-exp').fill(`${card.expirationMonth.padStart(2, '0')} / ${card.expirationYear.slice(-2)}`);
	await field('cc-csc').fill(card.securityCode);
	await field('cc-name').fill(card.cardHolderInfo?.cardHolderName ?? '');
	return frame;
}

export {expect} from '@playwright/test';
export {DECLINE_TEST_CARDS, TEST_CARDS, type CustomFault, type FaultMode, type StoredAccount, type StoredPaymentMethod, type TestCard, type ZuoraStub, type ZuoraStubOptions} from './index.js';
