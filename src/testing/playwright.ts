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
import {test as base, type PlaywrightTestArgs, type PlaywrightTestOptions, type PlaywrightWorkerArgs, type PlaywrightWorkerOptions, type TestType} from '@playwright/test';
import {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from './index.js';

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

export {expect} from '@playwright/test';
export {DECLINE_TEST_CARDS, TEST_CARDS, type CustomFault, type FaultMode, type StoredAccount, type StoredPaymentMethod, type TestCard, type ZuoraStub, type ZuoraStubOptions} from './index.js';
