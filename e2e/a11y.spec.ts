import {AxeBuilder} from '@axe-core/playwright';
import type {Page} from '@playwright/test';
import {CARD, expect, fillCard, test} from './fixtures.js';

// axe-core on every demo page, in both engines: as loaded, with field errors after an empty
// submit, with a declined card's message, and with the saved card. The consumer apps need
// `node demo/build-consumers.mjs` first.
const PAGES = [
	{name: 'shopper-grade checkout', path: '/'},
	{name: 'shopper-grade card form', path: '/card.html'},
	{name: 'developer form (every Zuora field)', path: '/developer.html'},
	{name: 'SPA (bindForm)', path: '/spa/'},
	{name: 'Vite app (createPaymentMethod)', path: '/vite/'},
] as const;

/**
 * A time limit that follows the work: an axe run takes seconds in Firefox over WebDriver BiDi
 * (3-4 s idle on the 2-core CI machine, and 4-5 times that at a load average of 10-15, where the
 * suite's flat 30 s failed every Firefox test here), so each test gets the suite's 30 s for its
 * pages and clicks plus this much per axe run it makes.
 */
const AXE_RUN_MS = 20_000;

/** `runs`: the axe runs the test makes. */
function allowAxeRuns(runs: number): void {
	test.setTimeout(30_000 + runs * AXE_RUN_MS);
}

/** Every WCAG 2.x A/AA rule and axe's best practices; the result lists each violation with its nodes. */
async function violations(page: Page) {
	const {violations: found} = await new AxeBuilder({page}).analyze();
	return found.map(({id, impact, nodes}) => `${id} (${impact}): ${nodes.map(node => node.target.join(' ')).join(', ')}`);
}

async function fill(page: Page, path: string, number = CARD.number) {
	if (path === '/' || path === '/card.html') {
		await page.getByLabel('Name on card').fill(CARD.name);
		await page.getByLabel('Card number').fill(number);
		await page.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(2)}`);
		await page.getByLabel('Security code').fill(CARD.cvv);
	} else {
		await fillCard(page, {number});
	}
}

for (const {name, path} of PAGES) {
	test.describe(name, () => {
		test('no violations as loaded and with field errors', async ({page, demo}) => {
			allowAxeRuns(2);
			await page.goto(`${demo.merchant.url}${path}`);
			await expect(page.locator('fieldset')).toBeEnabled();
			expect(await violations(page)).toEqual([]);
			await page.getByRole('button', {name: 'Save card'}).click();
			await expect(page.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText('Enter the card number.');
			await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
			expect(await violations(page)).toEqual([]);
		});

		test('no violations with a decline and with the saved card', async ({page, demo}) => {
			allowAxeRuns(2);
			await page.goto(`${demo.merchant.url}${path}`);
			await fill(page, path, '4000000000009995');
			await page.getByRole('button', {name: 'Save card'}).click();
			await expect(page.locator('#error')).toHaveText('Your card was declined for insufficient funds. Please use another card.');
			expect(await violations(page)).toEqual([]);

			await fill(page, path);
			await page.getByRole('button', {name: 'Save card'}).click();
			await expect(page.locator('#result')).toHaveText(/[0-9a-f]{32}$/);
			await expect(page.locator('#error')).toBeHidden();
			expect(await violations(page)).toEqual([]);
		});
	});
}

test('create-account page: no violations as loaded, with an error and with the account created', async ({page, demo}) => {
	allowAxeRuns(3);
	await page.goto(`${demo.merchant.url}/account.html`);
	await expect(page.locator('fieldset')).toBeEnabled();
	expect(await violations(page)).toEqual([]);
	await page.getByRole('button', {name: 'Create account'}).click();
	await expect(page.locator('#account-error')).toHaveAttribute('data-kind', 'validation');
	expect(await violations(page)).toEqual([]);
	await page.getByLabel('First name').fill('Ada');
	await page.getByLabel('Last name').fill('Lovelace');
	await page.getByLabel('Name on card').fill(CARD.name);
	await page.getByLabel('Card number').fill(CARD.number);
	await page.getByLabel('Month').fill(CARD.month);
	await page.getByLabel('Year').fill(CARD.year);
	await page.getByLabel('Security code').fill(CARD.cvv);
	await page.getByRole('button', {name: 'Create account'}).click();
	await expect(page.locator('#account-result')).toHaveText(/^Account A\d{8} created\.$/);
	expect(await violations(page)).toEqual([]);
});

test('the checker is live: an unlabeled field is reported', async ({page, demo}) => {
	allowAxeRuns(1);
	await page.goto(`${demo.merchant.url}/card.html`);
	// The page runs under Trusted Types: built with createElement, not HTML.
	await page.locator('fieldset').evaluate(fieldset => {
		fieldset.append(Object.assign(document.createElement('input'), {name: 'nickname'}));
	});
	expect(await violations(page)).toEqual(['label (critical): input[name="nickname"]']);
});
