import {creates, expect, fillCard, test} from './fixtures.js';

// The consumer apps are built from the `npm pack` tarball installed into a throwaway app
// (`node demo/build-consumers.mjs`), one with rollup, one with Vite, so these prove the package
// as published (exports map, ESM build, ky as a real dependency) under each bundler and the
// pages' strict CSP. Both pages keep one contract: #card-form, #submit, #result, and #error with
// data-kind, data-code and data-stage.
const APPS = [
	{name: 'SPA (rollup, bindForm)', path: '/spa/', slug: 'spa'},
	{name: 'Vite app (Vite, createPaymentMethod)', path: '/vite/', slug: 'vite'},
] as const;

/** The stub's reason code for a gateway decline. */
const DECLINED = '53100099';

for (const app of APPS) {
	test.describe(app.name, () => {
		test('saves a card: its payment method id on the page, exactly one method at Zuora', async ({page, demo, consoleLines}, testInfo) => {
			const reportsBefore = demo.merchant.cspReports().length;
			await page.goto(`${demo.merchant.url}${app.path}`);
			// /style.css comes from the merchant's root, outside the app's base path.
			await expect(page.locator('main')).toHaveCSS('max-width', '448px');
			await fillCard(page);
			await page.locator('#submit').click();

			const result = page.locator('#result');
			await expect(result).toHaveText(/^[0-9a-f]{32}$/);
			const id = await result.textContent();
			expect(demo.stub.paymentMethods().map(method => method.id)).toEqual([id]);
			await expect(result).toHaveAttribute('data-payment-method-id', id!);
			await expect(page.locator('#error')).toBeEmpty();
			expect(creates(demo.stub)).toHaveLength(1);
			expect(creates(demo.stub)[0]!.cookieNames).toContain('demo_session');
			expect(consoleLines).toEqual([]);
			expect(demo.merchant.cspReports().slice(reportsBefore)).toEqual([]);
			await page.screenshot({path: testInfo.outputPath(`${app.slug}-success.png`), fullPage: true});
		});

		test('shows a decline from Zuora and saves nothing', async ({page, demo}) => {
			await page.goto(`${demo.merchant.url}${app.path}`);
			// The generic decline card: the data-code check below must not depend on the random processId
			// (masking treats 6 digits of the card anywhere in the error as an echo; 4000 0000 0000 9995
			// shares 000099 with 53100099, and digits of a processId next to the code can complete such a run).
			await fillCard(page, {number: '4000000000000002'});
			await page.locator('#submit').click();

			const error = page.locator('#error');
			await expect(error).toHaveAttribute('data-kind', 'zuora');
			await expect(error).toHaveAttribute('data-stage', 'request');
			await expect(error).toHaveAttribute('data-code', DECLINED);
			await expect(error).toHaveText('Your card was declined. Please use another card or contact your bank.');
			await expect(page.locator('#result')).toBeEmpty();
			expect(creates(demo.stub)).toHaveLength(1);
			expect(demo.stub.paymentMethods()).toHaveLength(0);
		});

		test("refuses an invalid card before sending it, with the field's message", async ({page, demo}) => {
			await page.goto(`${demo.merchant.url}${app.path}`);
			await fillCard(page, {number: '4111111111111112'});
			await page.locator('#submit').click();

			const error = page.locator('#error');
			await expect(error).toHaveAttribute('data-kind', 'validation');
			await expect(error).toHaveAttribute('data-stage', 'request');
			await expect(error).not.toHaveAttribute('data-code');
			// describeError: the first invalid field's message.
			await expect(error).toHaveText('The card number is not valid. Check it for typos.');
			await expect(page.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText('The card number is not valid. Check it for typos.');
			await expect(page.getByLabel('Card number')).toHaveAttribute('aria-invalid', 'true');
			expect(creates(demo.stub)).toHaveLength(0);
			expect(demo.stub.paymentMethods()).toHaveLength(0);
		});
	});
}
