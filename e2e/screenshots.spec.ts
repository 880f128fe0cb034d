import {CARD, expect, test} from './fixtures.js';

// The README's pictures of the card form (demo/pages/card.html), taken by the suite so they
// stay current: `npx playwright test -c e2e e2e/screenshots.spec.ts --project chromium` rewrites
// demo/screenshots/*.png. One engine only: the PNGs are committed, and fonts differ by engine.
test('screenshots of the card form: empty, formatted with a brand, errors, saved', async ({page, demo}, testInfo) => {
	test.skip(testInfo.project.name !== 'chromium', 'pictures from one engine');
	await page.setViewportSize({width: 560, height: 720});
	await page.goto(`${demo.merchant.url}/card.html`);
	await expect(page.locator('fieldset')).toBeEnabled();
	const main = page.locator('main');
	const shoot = async (name: string) => {
		// The caret blinks: hidden so a picture depends on the form only.
		await page.addStyleTag({content: '* { caret-color: transparent !important; }'}).catch(() => undefined);
		await main.screenshot({path: `demo/screenshots/${name}.png`, animations: 'disabled'});
	};

	await shoot('empty');

	await page.getByLabel('Name on card').fill(CARD.name);
	await page.getByLabel('Card number').pressSequentially('378282246310005');
	await page.getByLabel('Expiry date').pressSequentially('1231');
	await expect(page.locator('form')).toHaveAttribute('data-zuora-cors-brand', 'AmericanExpress');
	await expect(page.getByLabel('Card number')).toHaveValue('3782 822463 10005');
	await shoot('formatted');

	await page.getByLabel('Card number').fill('4111 1111 1111 1112');
	await page.getByLabel('Expiry date').fill('13 / 20');
	await page.getByLabel('Security code').fill('12');
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText('The card number is not valid. Check it for typos.');
	await expect(page.locator('[data-zuora-cors-error-for="expiry"]')).toHaveText('Enter the expiry date as MM / YY.');
	await page.locator('h1').click();
	await shoot('errors');

	await page.getByLabel('Card number').fill(CARD.number);
	await page.getByLabel('Expiry date').fill('1231');
	await page.getByLabel('Security code').fill(CARD.cvv);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
	await expect(page.locator('#result')).toHaveText('Next: Add another card');
	await page.locator('h1').click();
	await shoot('success');
});
