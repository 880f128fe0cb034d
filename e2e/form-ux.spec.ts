import type {Locator, Page} from '@playwright/test';
import {CARD, creates, expect, test, withoutOrigin} from './fixtures.js';

// The shopper-grade form (demo/pages/card.html, bound by checkout.js with the script-tag
// bundle): typed with the real keyboard, in both engines.

type Window = {checkout: {destroy(): void}; seen: Array<{type: string; detail: Record<string, unknown>}>; sent: Array<Promise<{url: string; body: string}>>};

async function open(page: Page, demo: {merchant: {url: string}}, path = '/card.html') {
	await page.addInitScript(() => {
		const w = window as unknown as Window;
		w.seen = [];
		w.sent = [];
		for (const type of ['zuora-cors:change', 'zuora-cors:brand']) {
			document.addEventListener(type, event => {
				const {detail} = event as CustomEvent<Record<string, unknown>>;
				// undefined kept visible through serialisation as null.
				w.seen.push({type, detail: JSON.parse(JSON.stringify(detail, (_key, value: unknown) => value ?? null)) as Record<string, unknown>});
			});
		}

		// What the page hands to fetch, bodies included (Firefox BiDi gives no postData).
		const original = window.fetch;
		window.fetch = async (input, init) => {
			const request = new Request(input, init);
			w.sent.push(
				request
					.clone()
					.text()
					.then(body => ({url: request.url, body})),
			);
			return original.call(window, request);
		};
	});
	await page.goto(`${demo.merchant.url}${path}`);
	await expect(page.locator('fieldset')).toBeEnabled();
}

const seen = async (page: Page, type: string) => page.evaluate(type_ => (window as unknown as Window).seen.filter(event => event.type === type_).map(event => event.detail), type);
const caret = async (input: Locator) => input.evaluate((element: HTMLInputElement) => [element.selectionStart, element.selectionEnd]);
const placeCaret = async (input: Locator, at: number) =>
	input.evaluate((element: HTMLInputElement, at_) => {
		element.focus();
		element.setSelectionRange(at_, at_);
	}, at);

test.describe('card number', () => {
	test('is grouped by brand as typed, caret at the end, brand on the form and in one event per change', async ({page, demo}) => {
		await open(page, demo);
		const number = page.getByLabel('Card number');
		const form = page.locator('form');
		await number.click();
		await page.keyboard.type('41111');
		await expect(number).toHaveValue('4111 1');
		expect(await caret(number)).toEqual([6, 6]);
		await page.keyboard.type('11111111111');
		await expect(number).toHaveValue('4111 1111 1111 1111');
		expect(await caret(number)).toEqual([19, 19]);
		await expect(form).toHaveAttribute('data-zuora-cors-brand', 'Visa');
		await expect(page.getByLabel('Security code')).toHaveAttribute('maxlength', '3');
		await expect(page.getByLabel('Security code')).toHaveAttribute('placeholder', '•••');
		// A 17th digit is not taken.
		await page.keyboard.type('9');
		await expect(number).toHaveValue('4111 1111 1111 1111');

		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.type('378282246310005');
		await expect(number).toHaveValue('3782 822463 10005');
		await expect(form).toHaveAttribute('data-zuora-cors-brand', 'AmericanExpress');
		await expect(page.getByLabel('Security code')).toHaveAttribute('maxlength', '4');
		await expect(page.getByLabel('Security code')).toHaveAttribute('placeholder', '••••');

		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.type('3056930902590');
		await expect(number).toHaveValue('3056 930902 590');
		await page.keyboard.type('4');
		await expect(number).toHaveValue('3056 930902 5904');
		await expect(form).toHaveAttribute('data-zuora-cors-brand', 'Diners');

		// "3" alone is no brand yet: the attribute goes, the page's own security code attributes come back.
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.type('3');
		await expect(form).not.toHaveAttribute('data-zuora-cors-brand');
		await expect(page.getByLabel('Security code')).not.toHaveAttribute('maxlength');
		await expect(page.getByLabel('Security code')).not.toHaveAttribute('placeholder');
		expect(await seen(page, 'zuora-cors:brand')).toEqual([{brand: 'Visa'}, {brand: null}, {brand: 'AmericanExpress'}, {brand: null}, {brand: 'Diners'}, {brand: null}]);
	});

	test('Backspace over a space removes the digit before it, Delete the digit after it; the caret stays beside them', async ({page, demo}) => {
		await open(page, demo);
		const number = page.getByLabel('Card number');
		await number.click();
		await page.keyboard.type('41112222');
		await expect(number).toHaveValue('4111 2222');
		await placeCaret(number, 5);
		await page.keyboard.press('Backspace');
		await expect(number).toHaveValue('4112 222');
		expect(await caret(number)).toEqual([3, 3]);

		await placeCaret(number, 4);
		await page.keyboard.press('Delete');
		await expect(number).toHaveValue('4112 22');
		expect(await caret(number)).toEqual([4, 4]);

		// Plain Backspace at the end, over the group boundary.
		await placeCaret(number, 7);
		await page.keyboard.press('Backspace');
		await page.keyboard.press('Backspace');
		await expect(number).toHaveValue('4112');
		await page.keyboard.press('Backspace');
		await expect(number).toHaveValue('411');
		expect(await caret(number)).toEqual([3, 3]);
	});

	test('a digit typed in the middle stays where it was typed, the caret after it, across a space', async ({page, demo}) => {
		await open(page, demo);
		const number = page.getByLabel('Card number');
		await number.click();
		await page.keyboard.type('411111111111');
		await placeCaret(number, 2);
		await page.keyboard.type('9');
		await expect(number).toHaveValue('4191 1111 1111 1');
		expect(await caret(number)).toEqual([3, 3]);
		await page.keyboard.type('8');
		await expect(number).toHaveValue('4198 1111 1111 11');
		expect(await caret(number)).toEqual([4, 4]);
		await page.keyboard.type('7');
		await expect(number).toHaveValue('4198 7111 1111 111');
		expect(await caret(number)).toEqual([6, 6]);
		await page.keyboard.press('ArrowLeft');
		await page.keyboard.press('Backspace');
		await expect(number).toHaveValue('4197 1111 1111 11');
		expect(await caret(number)).toEqual([3, 3]);
	});

	test('a number inserted at once with spaces and dashes (as pasted) keeps its digits; Zuora gets digits only', async ({page, demo}) => {
		await open(page, demo);
		const number = page.getByLabel('Card number');
		await page.getByLabel('Name on card').fill(CARD.name);
		await number.click();
		await page.keyboard.insertText('4111-1111 1111-1111');
		await expect(number).toHaveValue('4111 1111 1111 1111');
		expect(await caret(number)).toEqual([19, 19]);
		// Pasted in the middle: the caret follows the last pasted digit.
		await placeCaret(number, 5);
		await page.keyboard.insertText('22 33');
		await expect(number).toHaveValue('4111 2233 1111 1111');
		expect(await caret(number)).toEqual([9, 9]);
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.insertText(` ${CARD.number.replace(/(\d{4})/g, '$1-')} `);
		await expect(number).toHaveValue('4111 1111 1111 1111');

		await page.getByLabel('Expiry date').pressSequentially('1231');
		await page.getByLabel('Security code').pressSequentially(CARD.cvv);
		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toBeVisible();
		const sent = await page.evaluate(async () => Promise.all((window as unknown as Window).sent));
		const toZuora = sent.filter(request => request.url.startsWith(demo.stub.url));
		expect(toZuora).toHaveLength(1);
		expect(JSON.parse(toZuora[0]!.body)).toMatchObject({creditCardType: 'Visa', creditCardNumber: CARD.number, expirationMonth: 12, expirationYear: 2031, securityCode: CARD.cvv});
		// Formatting never put a value in a URL, nor anything of the card into the merchant's requests.
		for (const {url, body} of sent) {
			// Without the origin: a random port may hold these digits.
			expect(withoutOrigin(url)).not.toMatch(/4111|1231|737/);
			if (!url.startsWith(demo.stub.url)) {
				expect(body).not.toMatch(/4111|737/);
			}
		}

		expect(page.url()).toBe(`${demo.merchant.url}/card.html`);
		expect(creates(demo.stub)).toHaveLength(1);
		expect(demo.stub.paymentMethods().map(({creditCardType, last4, expirationMonth, expirationYear}) => ({creditCardType, last4, expirationMonth, expirationYear}))).toEqual([
			{creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031},
		]);
	});
});

test.describe('expiry control', () => {
	test('is formatted as MM / YY as typed and deleted; a first digit 2-9 is the month', async ({page, demo}) => {
		await open(page, demo);
		const expiry = page.getByLabel('Expiry date');
		await expiry.click();
		await page.keyboard.type('12');
		await expect(expiry).toHaveValue('12');
		await page.keyboard.type('3');
		await expect(expiry).toHaveValue('12 / 3');
		expect(await caret(expiry)).toEqual([6, 6]);
		await page.keyboard.type('19');
		await expect(expiry).toHaveValue('12 / 31');
		await page.keyboard.press('Backspace');
		await page.keyboard.press('Backspace');
		await expect(expiry).toHaveValue('12');
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.type('4');
		await expect(expiry).toHaveValue('04');
		expect(await caret(expiry)).toEqual([2, 2]);
		// Digits past YY are not taken; a year written in full after a separator is read as YY.
		await page.keyboard.insertText('203');
		await expect(expiry).toHaveValue('04 / 20');
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.insertText('04/2031');
		await expect(expiry).toHaveValue('04 / 31');
		await page.keyboard.press('ControlOrMeta+A');
		await page.keyboard.insertText('07/2029');
		await expect(expiry).toHaveValue('07 / 29');
		await expect(expiry).toHaveAttribute('autocomplete', 'cc-exp');
	});

	test('fills expirationMonth and expirationYear; a wrong or past date is its own error, tied to it and focused', async ({page, demo}) => {
		await open(page, demo);
		await page.getByLabel('Name on card').fill(CARD.name);
		await page.getByLabel('Card number').pressSequentially(CARD.number);
		await page.getByLabel('Security code').pressSequentially(CARD.cvv);
		const expiry = page.getByLabel('Expiry date');
		const button = page.getByRole('button', {name: 'Save card'});
		const slot = page.locator('[data-zuora-cors-error-for="expiry"]');
		for (const [typed, message] of [
			['13 / 30', 'Enter the expiry date as MM / YY.'],
			['12 / 3', 'Enter the expiry date as MM / YY.'],
			['01 / 20', 'The card has expired.'],
		] as const) {
			await expiry.fill(typed);
			await button.click();
			await expect(slot).toHaveText(message);
			await expect(expiry).toBeFocused();
			await expect(expiry).toHaveAttribute('aria-invalid', 'true');
			await expect(expiry).toHaveAttribute('aria-describedby', (await slot.getAttribute('id'))!);
			await expect(page.locator('#error')).toHaveText(message);
			await expect(page.locator('#error')).toHaveAttribute('data-kind', 'validation');
		}

		// No month or year slot: the expiry control holds both.
		await expect(page.locator('[data-zuora-cors-error-for^="expiration"]')).toHaveCount(0);
		expect(creates(demo.stub)).toHaveLength(0);
		await expiry.fill('');
		await expiry.pressSequentially('0930');
		await button.click();
		await expect(page.locator('#result')).toBeVisible();
		await expect(slot).toBeEmpty();
		await expect(expiry).not.toHaveAttribute('aria-invalid');
		expect(demo.stub.paymentMethods().map(({expirationMonth, expirationYear}) => [expirationMonth, expirationYear])).toEqual([[9, 2030]]);
	});
});

test('a second expiry control refuses the submission like any repeated Zuora field, sending nothing', async ({page, demo}) => {
	await open(page, demo);
	await page.getByLabel('Name on card').fill(CARD.name);
	await page.getByLabel('Card number').pressSequentially(CARD.number);
	await page.getByLabel('Expiry date').pressSequentially('1231');
	await page.getByLabel('Security code').pressSequentially(CARD.cvv);
	await page.locator('fieldset').evaluate(fieldset => {
		fieldset.append(Object.assign(document.createElement('input'), {type: 'hidden', name: 'expiry', value: '01 / 40'}));
	});
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#error')).toHaveAttribute('data-kind', 'validation');
	await expect(page.locator('[data-zuora-cors-error-for="expiry"]')).toHaveText('This field appears more than once on the page. Reload the page and try again.');
	expect(creates(demo.stub)).toHaveLength(0);
	expect(demo.stub.tokens()).toEqual({issued: 1, used: 0});
});

test('a change event per input: field, brand, complete, valid and the error, never the value', async ({page, demo}) => {
	await open(page, demo);
	await page.getByLabel('Card number').pressSequentially('4111111111111112');
	await page.getByLabel('Security code').pressSequentially('12');
	await page.getByLabel('Expiry date').pressSequentially('1230');
	const changes = await seen(page, 'zuora-cors:change');
	expect(changes).toHaveLength(16 + 2 + 4);
	expect(changes[0]).toEqual({
		field: 'creditCardNumber',
		brand: 'Visa',
		complete: false,
		valid: false,
		error: {code: 'card_number_length_invalid', message: 'The card number has the wrong number of digits for Visa.', values: {brand: 'Visa'}},
	});
	expect(changes[15]).toEqual({
		field: 'creditCardNumber',
		brand: 'Visa',
		complete: true,
		valid: false,
		error: {code: 'card_number_invalid', message: 'The card number is not valid. Check it for typos.'},
	});
	expect(changes[17]).toEqual({
		field: 'securityCode',
		brand: 'Visa',
		complete: false,
		valid: false,
		error: {code: 'security_code_invalid', message: 'Enter the 3 digit security code.', values: {size: 3}},
	});
	expect(changes[21]).toEqual({field: 'expiry', brand: 'Visa', complete: true, valid: true, error: null});
	expect(JSON.stringify(changes)).not.toMatch(/411111|1230|"12"/);

	await page.getByLabel('Card number').focus();
	await page.keyboard.press('End');
	await page.keyboard.press('Backspace');
	await page.keyboard.press('1');
	expect((await seen(page, 'zuora-cors:change')).at(-1)).toEqual({field: 'creditCardNumber', brand: 'Visa', complete: true, valid: true, error: null});
	await page.getByLabel('Security code').focus();
	await page.keyboard.press('End');
	await page.keyboard.press('3');
	expect((await seen(page, 'zuora-cors:change')).at(-1)).toEqual({field: 'securityCode', brand: 'Visa', complete: true, valid: true, error: null});
});

test("sets autocomplete, inputmode and spellcheck the page left out, keeps the page's own, and destroy() removes its own", async ({page, demo}) => {
	await open(page, demo);
	const attributes = async () =>
		page
			.locator('input[name]:not([type=hidden]):not([type=checkbox])')
			.evaluateAll(elements => elements.map(element => [element.getAttribute('name'), element.getAttribute('autocomplete'), element.getAttribute('inputmode'), element.getAttribute('spellcheck')]));
	expect(await attributes()).toEqual([
		['cardHolderInfo.cardHolderName', 'cc-name', null, 'false'],
		['creditCardNumber', 'cc-number', 'numeric', 'false'],
		['expiry', 'cc-exp', 'numeric', 'false'],
		['securityCode', 'cc-csc', 'numeric', 'false'],
	]);
	await page.getByLabel('Card number').pressSequentially('3782');
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.getByLabel('Card number')).toHaveAttribute('aria-describedby', /^zuora-cors-error-\d+$/);
	await page.evaluate(() => {
		(window as unknown as Window).checkout.destroy();
	});
	expect(await attributes()).toEqual([
		['cardHolderInfo.cardHolderName', null, null, null],
		['creditCardNumber', null, null, null],
		['expiry', null, null, null],
		['securityCode', null, null, null],
	]);
	await expect(page.locator('form')).not.toHaveAttribute('data-zuora-cors-brand');
	await expect(page.locator('[aria-describedby], [maxlength="4"][name="securityCode"], [placeholder="••••"]')).toHaveCount(0);

	// The classic page sets its own: they stay.
	await open(page, demo, '/developer.html');
	await expect(page.getByLabel('Card number')).toHaveAttribute('autocomplete', 'cc-number');
	await expect(page.getByLabel('Month')).toHaveAttribute('autocomplete', 'cc-exp-month');
	await expect(page.getByLabel('Card number')).toHaveAttribute('spellcheck', 'false');
	await expect(page.getByLabel('Name on card')).not.toHaveAttribute('inputmode');
});

test("on submit, focus moves to the first invalid field in the form's order, its error tied to it", async ({page, demo}) => {
	await open(page, demo, '/developer.html');
	await page.getByLabel('Security code').fill('12');
	await page.getByRole('button', {name: 'Save card'}).click();
	const number = page.getByLabel('Card number');
	await expect(number).toBeFocused();
	const described = await number.getAttribute('aria-describedby');
	await expect(page.locator(`#${described}`)).toHaveText('Enter the card number.');
	await expect(number).toHaveAccessibleDescription('Enter the card number.');
	await number.pressSequentially(CARD.number);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.getByLabel('Month')).toBeFocused();
	await expect(page.getByLabel('Month')).toHaveAccessibleDescription('Enter the expiry month, 1 to 12.');
});

test.describe('a shopper never waits in silence', () => {
	const BUSY = 'The payment service is busy. Please try again in a moment.';
	async function fillShopper(page: Page, number = CARD.number) {
		await page.getByLabel('Name on card').fill(CARD.name);
		await page.getByLabel('Card number').fill(number);
		await page.getByLabel('Expiry date').fill(`${CARD.month}${CARD.year.slice(-2)}`);
		await page.getByLabel('Security code').fill(CARD.cvv);
	}

	test('a backend that never answers: busy from the click, "still working" after 4 s, the busy message at the 10 s deadline, focused', async ({page, demo}) => {
		// Flowing in real time; the test jumps it (no wall-clock wait).
		await page.clock.install();
		// The signature endpoint hangs (a store that does not answer): the prefetch and the fresh request alike.
		await page.route(`${demo.merchant.url}/signature`, () => undefined);
		await open(page, demo);
		await fillShopper(page);
		const form = page.locator('form');
		const status = page.locator('[data-zuora-cors-status]');
		const button = page.getByRole('button', {name: 'Save card'});
		await button.click();
		await expect(form).toHaveAttribute('aria-busy', 'true');
		await expect(button).toBeDisabled();
		await expect(status).toHaveText('');
		await page.clock.runFor(4000);
		await expect(status).toHaveText('Still working on it. Please wait.');
		await expect(form).toHaveAttribute('aria-busy', 'true');
		await page.clock.runFor(6000);
		await expect(status).toHaveText(BUSY);
		await expect(status).toBeFocused();
		await expect(form).not.toHaveAttribute('aria-busy');
		await expect(button).toBeEnabled();
		await expect(page.locator('#error')).toHaveAttribute('data-stage', 'signature');
		expect(creates(demo.stub)).toHaveLength(0);
	});

	test('after a decline that names no field, focus lands on the status message, not the page body', async ({page, demo}) => {
		await open(page, demo);
		await fillShopper(page, '4000000000000002');
		await page.getByRole('button', {name: 'Save card'}).click();
		const status = page.locator('[data-zuora-cors-status]');
		await expect(status).toHaveText('Your card was declined. Please use another card or contact your bank.');
		await expect(status).toBeFocused();
	});
});
