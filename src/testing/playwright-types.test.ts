// Type tests of `zuora-cors/testing/playwright`, run by .ci/check-package.mjs against the BUILT
// declarations (dist/testing/playwright.d.ts through package.json exports), with Node types and
// no DOM lib. vitest collects this file too: the runtime test below checks the exports' values.
import {type FrameLocator, type Locator, expect as playwrightExpect, type TestType} from '@playwright/test';
import {expectTypeOf, it, expect} from 'vitest';
import {startZuoraStub, TEST_CARDS as testingCards, type ZuoraStub} from 'zuora-cors/testing';
import {type CardFrameValues, cardFrame, DECLINE_TEST_CARDS, expect as fixtureExpect, fillCardFrame, test, TEST_CARDS, type TestCard, type ZuoraStubOptions} from 'zuora-cors/testing/playwright';

it("exports the fixture, Playwright's expect and the test cards from zuora-cors/testing/playwright", () => {
	expect(fixtureExpect).toBe(playwrightExpect);
	expect(TEST_CARDS).toBe(testingCards);
	expect(typeof test.extend).toBe('function');
	expect([...DECLINE_TEST_CARDS.keys()]).toEqual(
		[TEST_CARDS.declined, TEST_CARDS.declinedInsufficientFunds, TEST_CARDS.declinedExpiredCard, TEST_CARDS.declinedIncorrectCvc].map(card => card.creditCardNumber),
	);
	expectTypeOf(startZuoraStub).returns.resolves.toEqualTypeOf<ZuoraStub>();
	expectTypeOf(TEST_CARDS.visa).toEqualTypeOf<TestCard>();
	// The fixtures a test receives: `zuora` (per test), `zuoraStub` and `zuoraStubOptions` (per worker), with Playwright's own.
	type Arguments = typeof test extends TestType<infer TestArguments, infer WorkerArguments> ? TestArguments & WorkerArguments : never;
	expectTypeOf<Arguments['zuora']>().toEqualTypeOf<ZuoraStub>();
	expectTypeOf<Arguments['zuoraStub']>().toEqualTypeOf<ZuoraStub>();
	expectTypeOf<Arguments['zuoraStubOptions']>().toEqualTypeOf<ZuoraStubOptions>();
	expectTypeOf<Arguments>().toHaveProperty('baseURL');
	expectTypeOf(test.use).toBeCallableWith({zuoraStubOptions: {requireCardHolderName: true}});
	// @ts-expect-error a stub option has its type
	expectTypeOf(test.use).toBeCallableWith({zuoraStubOptions: {port: '3001'}});
	// Read-only in the types and frozen at run time (ES modules are strict: the write throws).
	expect(() => {
		// @ts-expect-error the test cards are read-only
		TEST_CARDS.visa.creditCardNumber = '4242424242424242';
	}).toThrow(TypeError);
});

it('exports fillCardFrame and cardFrame: a container locator in, the frame locator out; a test card is what it fills', () => {
	expect(typeof fillCardFrame).toBe('function');
	expect(typeof cardFrame).toBe('function');
	expectTypeOf(fillCardFrame).parameters.toEqualTypeOf<[Locator, CardFrameValues]>();
	expectTypeOf(fillCardFrame).returns.resolves.toEqualTypeOf<FrameLocator>();
	expectTypeOf(cardFrame).parameters.toEqualTypeOf<[Locator]>();
	expectTypeOf(cardFrame).returns.toEqualTypeOf<FrameLocator>();
	expectTypeOf(TEST_CARDS.visa).toExtend<CardFrameValues>();
	// @ts-expect-error the number is required
	expectTypeOf({expirationMonth: '12', expirationYear: '2031', securityCode: '123'}).toExtend<CardFrameValues>();
});
