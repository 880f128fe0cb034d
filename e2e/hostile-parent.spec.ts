// Issue 22 item 4 (proof): a hostile script on the checkout page (an init script on the top page
// only, e2e/hostile-parent.ts) tries every read path while a shopper enters and saves a card.
// Against today's in-page `bindForm` page it must catch the number (the instrument works);
// against the framed checkout it must see no run of 6 digits of the number and no security code.
import type {Page} from '@playwright/test';
import {expect, test} from './fixtures.js';
import {CANARY_CHANNELS, canaryChannels, findCard, installHostileParent, plantCanary} from './hostile-parent.js';

/** A card the stub saves, with no repeated digit runs (a run of 1s could be any timestamp's). */
const SKIMMED = {name: 'Ada Lovelace', number: '4539148803436467', expiry: '1231', securityCode: '582'};
const CANARY = 'canary-hostile-parent';

test.describe.configure({timeout: 60_000});

/** Types the card key by key, as a shopper does (every key event fires), into the labelled fields of `scope`. */
async function typeCard(scope: Pick<Page, 'getByLabel'>) {
	await scope.getByLabel('Name on card').pressSequentially(SKIMMED.name);
	await scope.getByLabel('Card number').pressSequentially(SKIMMED.number);
	await scope.getByLabel('Expiry date').pressSequentially(SKIMMED.expiry);
	await scope.getByLabel('Security code').pressSequentially(SKIMMED.securityCode);
}

test('against the in-page bindForm page, the hostile parent catches the number and the code (the instrument works)', async ({page, demo, browserName}) => {
	const hostile = await installHostileParent(page);
	await page.goto(`${demo.merchant.url}/card.html`);
	await expect(page.locator('fieldset')).toBeEnabled();
	await typeCard(page);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toHaveText(/[0-9a-f]{32}$/);
	await plantCanary(page, CANARY);

	const {loot} = await hostile.report();
	expect(canaryChannels(loot, CANARY)).toEqual(CANARY_CHANNELS);
	// Every path that sees an in-page form: the keys, the input events, the controls' values, the
	// page's own card request as its script sent it, and as the browser did (Firefox over BiDi
	// gives Playwright no request bodies, so there the browser-level record is URLs only).
	const browserBodies = browserName === 'chromium' ? ['network:browser: number', 'network:browser: security code'] : [];
	expect(findCard(loot, SKIMMED)).toEqual(
		expect.arrayContaining([
			'dom:input: number',
			'dom:input: security code',
			'event:input: number',
			'event:input: security code',
			'event:keystrokes: number',
			'event:keystrokes: security code',
			'network:fetch: number',
			'network:fetch: security code',
			...browserBodies,
		]),
	);
	// The matcher discriminates: another card, never entered, is found nowhere.
	expect(findCard(loot, {number: '5555555555554444', securityCode: '901'})).toEqual([]);
	expect(demo.stub.paymentMethods()).toHaveLength(1);
});
