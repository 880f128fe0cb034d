import {creates, expect, fillCard, test} from './fixtures.js';

// demo/spa is bundled by rollup from the `npm pack` tarball installed into a throwaway app, so
// this proves the package as published (exports map, ESM build, ky as a real dependency).
test('the SPA built from the npm tarball saves a card', async ({page, demo, consoleLines}, testInfo) => {
	await page.goto(`${demo.merchant.url}/spa/`);
	await fillCard(page);
	await page.locator('#submit').click();

	const result = page.locator('#result');
	await expect(result).toHaveText(/^[0-9a-f]{32}$/);
	const id = await result.textContent();
	expect(demo.stub.paymentMethods().map(method => method.id)).toEqual([id]);
	expect(creates(demo.stub)[0]!.cookie).toMatch(/demo_session=/);
	expect(consoleLines).toEqual([]);
	await page.screenshot({path: testInfo.outputPath('spa-success.png'), fullPage: true});
});

test('the SPA shows a decline from Zuora', async ({page, demo}) => {
	await page.goto(`${demo.merchant.url}/spa/`);
	await fillCard(page, {number: '4000000000009995'});
	await page.locator('#submit').click();
	await expect(page.locator('#error')).toHaveAttribute('data-kind', 'zuora');
	await expect(page.locator('#error')).toContainText('insufficient');
	expect(demo.stub.paymentMethods()).toHaveLength(0);
});
