// @vitest-environment happy-dom
import {afterEach, describe, expect, it} from 'vitest';
import {boundNames, scan} from './fields.js';
import {createView, ERROR_ATTRIBUTE, STATUS_ATTRIBUTE} from './view.js';

function setUp(html = '') {
	document.body.innerHTML = `<form><fieldset data-zuora-cors-fields><input name="creditCardNumber" aria-describedby="hint"><input name="securityCode" placeholder="CVC"><input name="expiry" autocomplete="off"></fieldset>${html}</form>`;
	const form = document.querySelector('form')!;
	return {form, controls: scan(form, boundNames(form, []))};
}

afterEach(() => {
	document.body.innerHTML = '';
	document.head.innerHTML = '';
});

describe('createView', () => {
	it("ties each error to its control, focuses the first in the form's order, and restore() puts the page back", () => {
		const {form, controls} = setUp();
		const before = document.body.innerHTML;
		const view = createView(form, undefined);
		view.showErrors({securityCode: {message: 'Code?'}, creditCardNumber: {message: 'Number?'}}, controls);
		const number = controls.get('creditCardNumber')![0]!;
		const slot = form.querySelector(`[${ERROR_ATTRIBUTE}="creditCardNumber"]`)!;
		expect(slot.textContent).toBe('Number?');
		expect(slot.getAttribute('role')).toBe('alert');
		expect(number.getAttribute('aria-invalid')).toBe('true');
		expect(number.getAttribute('aria-describedby')).toBe(`hint ${slot.id}`);
		expect(document.activeElement).toBe(number);
		view.showErrors({}, controls);
		expect(number.hasAttribute('aria-invalid')).toBe(false);
		expect(slot.textContent).toBe('');
		view.restore();
		expect(document.body.innerHTML).toBe(before);
	});

	it("the status region: the page's, else one it adds; its text set and cleared", () => {
		const {form} = setUp('<p id="status" role="status"></p>');
		const page = document.querySelector<HTMLElement>('#status')!;
		const view = createView(form, page);
		view.setStatus('Your card was saved.', true);
		expect(page.textContent).toBe('Your card was saved.');
		expect(form.querySelector(`[${STATUS_ATTRIBUTE}]`)).toBeNull();
		view.setStatus('');
		expect(page.textContent).toBe('');

		const own = createView(form, undefined);
		own.setStatus('Declined.', true);
		expect(form.querySelector(`[${STATUS_ATTRIBUTE}]`)?.outerHTML).toBe(`<p ${STATUS_ATTRIBUTE}="" role="status">Declined.</p>`);
		own.restore();
		expect(form.querySelector(`[${STATUS_ATTRIBUTE}]`)).toBeNull();
	});

	it("hints and the brand keep the page's own values", () => {
		const {form, controls} = setUp();
		const view = createView(form, undefined);
		view.addHints(controls);
		view.showBrand('AmericanExpress', controls.get('securityCode')!);
		const [number, code, expiry] = [...form.querySelectorAll('input')];
		expect([number!.getAttribute('autocomplete'), number!.getAttribute('inputmode'), number!.getAttribute('spellcheck')]).toEqual(['cc-number', 'numeric', 'false']);
		expect(expiry!.getAttribute('autocomplete')).toBe('off');
		expect([form.getAttribute('data-zuora-cors-brand'), code!.getAttribute('maxlength'), code!.getAttribute('placeholder')]).toEqual(['AmericanExpress', '4', 'CVC']);
		view.showBrand(undefined, controls.get('securityCode')!);
		expect([form.hasAttribute('data-zuora-cors-brand'), code!.hasAttribute('maxlength')]).toEqual([false, false]);
	});

	it('one credentialed preconnect, none when the page has one, removed by restore()', () => {
		const {form} = setUp();
		const view = createView(form, undefined);
		view.preconnect('https://rest.zuora.com');
		view.preconnect('https://rest.zuora.com');
		expect(document.head.innerHTML).toBe('<link rel="preconnect" href="https://rest.zuora.com" crossorigin="use-credentials">');
		view.restore();
		expect(document.head.innerHTML).toBe('');
	});

	it('an injected control named after, append or lastElementChild steers nothing', () => {
		const {form, controls} = setUp('<input name="after"><input name="append"><input name="lastElementChild">');
		const view = createView(form, undefined);
		view.showErrors({creditCardNumber: {message: 'Number?'}}, controls);
		expect(form.querySelector(`[${ERROR_ATTRIBUTE}]`)?.previousElementSibling).toBe(controls.get('creditCardNumber')![0]);
		expect(form.querySelector(`[${STATUS_ATTRIBUTE}]`)?.parentElement).toBe(form);
	});
});
