// Issue 21, low findings: a name put on Object.prototype BEFORE the script-tag bundle loads that
// the load guard (src/load-guard.ts) cannot set aside: the checkout fails closed. (That the
// bundle loads with each of ky's init names polluted before it is src/load-guard.test.ts, in Node.)
import {creates, expect, test} from './fixtures.js';

test('a polluted name the guard cannot set aside (non-configurable) fails closed: a typed error, no ZuoraCors, nothing sent', async ({page, demo}) => {
	const errors: string[] = [];
	page.on('pageerror', error => errors.push(`${error.name}: ${error.message}`));
	await page.addInitScript(() => {
		Object.defineProperty(Object.prototype, 'cache', {value: 7, enumerable: true, configurable: false, writable: true});
	});
	// The in-page form: the page that loads the script-tag bundle (the framed / loads the frames bundle).
	await page.goto(`${demo.merchant.url}/card.html`);
	await expect.poll(() => errors.join('\n')).toContain('ZuoraCorsError: zuora-cors did not load (Object.prototype): nothing was sent');
	expect(await page.evaluate(() => typeof (window as unknown as {ZuoraCors?: unknown}).ZuoraCors)).toBe('undefined');
	await expect(page.getByLabel('Card number')).toBeDisabled();
	expect(creates(demo.stub)).toEqual([]);
});
