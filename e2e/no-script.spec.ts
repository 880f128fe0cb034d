// No script, no leak (issue 9, item 6): with the library's bundle blocked (failed SRI, a CDN
// outage) or late, a shopper who types a card and presses Enter or clicks "Save card" must send
// it nowhere: no request of any origin carries it, no navigation puts it in a URL or the history.
// Every demo page, and the markup the README recommends, is tried.
import {readFileSync} from 'node:fs';
import type {Page, Route} from '@playwright/test';
import {CARD, expect, test, withoutOrigin} from './fixtures.js';

/** Card values by Zuora field name, forced in even where the control is disabled. */
const VALUES: Record<string, string> = {
	'cardHolderInfo.cardHolderName': CARD.name,
	creditCardNumber: CARD.number,
	expirationMonth: CARD.month,
	expirationYear: CARD.year,
	securityCode: CARD.cvv,
};

/** The shopper-grade form's names: one expiry field. */
const SHOPPER_VALUES: Record<string, string> = {
	'cardHolderInfo.cardHolderName': CARD.name,
	creditCardNumber: CARD.number,
	expiry: `${CARD.month} / ${CARD.year.slice(-2)}`,
	securityCode: CARD.cvv,
};

/** Every demo page with card controls, the bundle that binds it, and its control names. */
const PAGES = [
	{name: 'shopper-grade card form', path: '/card.html', bundle: '**/dist/zuora-cors.iife.min.js', values: SHOPPER_VALUES, number: 'creditCardNumber'},
	{name: 'developer form (every Zuora field)', path: '/developer.html', bundle: '**/dist/zuora-cors.iife.min.js', values: VALUES, number: 'creditCardNumber'},
	{
		name: 'create-account page (Create Account body names)',
		path: '/account.html',
		bundle: '**/dist/zuora-cors.iife.min.js',
		values: {cardHolderName: CARD.name, cardNumber: CARD.number, expirationMonth: CARD.month, expirationYear: CARD.year, securityCode: CARD.cvv, firstName: 'Ada', lastName: 'Lovelace'},
		number: 'cardNumber',
	},
	{name: 'SPA (rollup)', path: '/spa/', bundle: '**/spa/app.js', values: VALUES, number: 'creditCardNumber'},
	{name: 'Vite app', path: '/vite/', bundle: '**/vite/assets/*.js', values: VALUES, number: 'creditCardNumber'},
] as const;

/** Every request and every navigation of the page, as text to look for card data in. */
function watch(page: Page) {
	const seen: string[] = [];
	// Without the origin: a random port may hold the security code's digits (all origins here are 127.0.0.1).
	page.on('request', request => seen.push(`${request.method()} ${withoutOrigin(request.url())} ${request.postData() ?? ''}`));
	page.on('framenavigated', frame => seen.push(`navigated ${withoutOrigin(frame.url())}`));
	return seen;
}

/** Types the card as far as the page lets a shopper (forcing values where it does not), then tries every way to submit. */
async function tryToSubmit(page: Page, {values, number: numberName}: {values: Record<string, string>; number: string}, {bundleHeld = false} = {}) {
	await page.evaluate(values => {
		for (const [name, value] of Object.entries(values)) {
			const control = document.querySelector<HTMLInputElement>(`[name="${name}"]`);
			if (control) {
				control.value = value;
			}
		}
	}, values);
	// Typing where the control lets the shopper; a disabled one refuses focus and keys.
	const number = page.locator(`[name="${numberName}"]`);
	if (await number.isEnabled()) {
		await number.fill(CARD.number);
	}

	await number.evaluate(element => {
		(element as HTMLInputElement).focus();
	});
	await page.keyboard.press('Enter');
	await page
		.locator('button[type=submit]')
		.first()
		.click({force: true, timeout: 2000})
		.catch(() => undefined);
	await page.locator('[name="securityCode"]').evaluate(element => {
		(element as HTMLInputElement).focus();
	});
	await page.keyboard.press('Enter');
	// A native submit starts its navigation at once; with the bundle held the page never goes
	// idle, so give it a moment instead (a leak would show up in `seen`, not slip past a timer).
	await (bundleHeld ? page.waitForTimeout(750) : page.waitForLoadState('networkidle'));
}

async function expectNoLeak(page: Page, seen: string[], url: string, historyLength: number) {
	const everything = seen.join('\n');
	for (const secret of [CARD.number, CARD.cvv, CARD.number.slice(-4), encodeURIComponent(CARD.name), CARD.name.replace(' ', '+')]) {
		expect(everything).not.toContain(secret);
	}

	expect(page.url()).toBe(url);
	expect(await page.evaluate(() => history.length)).toBe(historyLength);
}

for (const target of PAGES) {
	test.describe(target.name, () => {
		test('every card control and the submit button carry `disabled` in the markup', async ({page, demo}) => {
			await page.route(target.bundle, async route => route.abort('blockedbyclient'));
			await page.goto(new URL(target.path, demo.merchant.url).href);
			// As the server sent them (no script ran: the bundle is blocked): each control disabled on its own,
			// not only through the fieldset, so a control the parser moves out of it stays disabled.
			const controls = await page
				.locator('form[id] :is(input, select, textarea, button)')
				.evaluateAll(elements => elements.map(element => `${element.getAttribute('name') ?? element.id}:${element.hasAttribute('disabled')}`));
			expect(controls.length).toBeGreaterThanOrEqual(4);
			expect(controls.filter(control => control.endsWith(':false'))).toEqual([]);
		});

		test('bundle blocked: Enter and the submit button send the card nowhere', async ({page, demo}) => {
			await page.route(target.bundle, async route => route.abort('blockedbyclient'));
			const seen = watch(page);
			const url = new URL(target.path, demo.merchant.url).href;
			await page.goto(url);
			const historyLength = await page.evaluate(() => history.length);
			seen.length = 0;
			await tryToSubmit(page, target);
			await expectNoLeak(page, seen, url, historyLength);
			// Without the library the card controls stay disabled, and the page says why.
			await expect(page.locator(`[name="${target.number}"]`)).toBeDisabled();
			await expect(page.locator('.card-unavailable')).toBeVisible();
		});

		test('bundle late: a submit before it arrives sends nothing; once it arrives the form works', async ({page, demo}) => {
			let release: () => void = () => undefined;
			const arrived = new Promise<void>(resolve => {
				release = resolve;
			});
			const held: Route[] = [];
			await page.route(target.bundle, async route => {
				held.push(route);
				await arrived;
				await route.continue();
			});
			const seen = watch(page);
			const url = new URL(target.path, demo.merchant.url).href;
			// Deferred and module scripts hold DOMContentLoaded back: wait for the form itself.
			await page.goto(url, {waitUntil: 'commit'});
			await expect.poll(() => held.length).toBeGreaterThan(0);
			await page.locator('button[type=submit]').first().waitFor({state: 'attached'});
			const historyLength = await page.evaluate(() => history.length);
			seen.length = 0;
			await tryToSubmit(page, target, {bundleHeld: true});
			await expectNoLeak(page, seen, url, historyLength);

			release();
			// The library binds: the shopper can now type the card, and the note is gone.
			await expect(page.locator(`[name="${target.number}"]`)).toBeEnabled();
			await expect(page.locator('.card-unavailable')).toBeHidden();
		});
	});
}

test('framed checkout (/), frames bundle blocked: no card control exists in the page, the button stays disabled and the page says why', async ({page, demo}) => {
	await page.route('**/dist/zuora-cors-frames.iife.min.js', async route => route.abort('blockedbyclient'));
	const seen = watch(page);
	await page.goto(demo.merchant.url);
	seen.length = 0;
	// The card controls live only in the frame; without the bundle no frame is made, so there is nothing to type a card into.
	await expect(page.locator('input:not([name="email"]):not([type="checkbox"]), iframe')).toHaveCount(0);
	await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
	await expect(page.locator('.card-unavailable')).toBeVisible();
	await page.getByLabel('Email for the receipt').fill('ada@example.com');
	await page.keyboard.press('Enter');
	expect(seen.filter(line => !line.startsWith('GET '))).toEqual([]);
	expect(page.url()).toBe(`${demo.merchant.url}/`);
});

test("the checkout page forbids any native form submission (CSP form-action 'none')", async ({page, demo}) => {
	const response = await page.goto(demo.merchant.url);
	expect(response?.headers()['content-security-policy']).toContain("form-action 'none'");
	for (const path of ['/card.html', '/developer.html', '/account.html', '/spa/', '/vite/']) {
		const other = await page.goto(new URL(path, demo.merchant.url).href);
		expect(other?.headers()['content-security-policy']).toContain("form-action 'none'");
	}
});

test("the README's recommended markup, without the CSP and without the library, sends the card nowhere", async ({page, demo}) => {
	const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
	// The card form of the README's page (its ```html block may be a whole page around the form).
	const markup = /```html\n(?:(?!```)[\s\S])*?(<form[^>]*>(?:(?!```)[\s\S])*?data-zuora-cors-fields[\s\S]*?<\/form>)/.exec(readme)?.[1];
	expect(markup, 'README has a ```html block with the recommended <form>').toBeDefined();
	const url = new URL('/readme-markup.html', demo.merchant.url).href;
	// Served without any CSP: the markup alone must hold the card back.
	await page.route(url, async route =>
		route.fulfill({
			contentType: 'text/html',
			body: `<!doctype html><html lang="en"><head><title>README markup</title><script src="/dist/zuora-cors.iife.min.js"></script></head><body>${markup!}</body></html>`,
		}),
	);
	await page.route('**/dist/zuora-cors.iife.min.js', async route => route.abort('blockedbyclient'));
	const seen = watch(page);
	await page.goto(url);
	const historyLength = await page.evaluate(() => history.length);
	seen.length = 0;
	await tryToSubmit(page, {values: VALUES, number: 'creditCardNumber'});
	await expectNoLeak(page, seen, url, historyLength);
});
