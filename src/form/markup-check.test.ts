// @vitest-environment happy-dom
import {afterEach, describe, expect, it} from 'vitest';
import {boundNames} from './fields.js';
import {accountForMarkup, resolveForm, setEnabled} from './markup-check.js';

const CONTROLS = '<input name="creditCardNumber" disabled><input name="expiry" disabled><input name="securityCode" disabled><input name="cardHolderInfo.cardHolderName" disabled>';
const FORM = `<form id="card-form"><fieldset disabled data-zuora-cors-fields>${CONTROLS}<input name="cardHolderInfo.email" disabled><button disabled>Save</button><button type="button" disabled>Help</button></fieldset></form>`;

const refused = expect.objectContaining({name: 'ZuoraCorsError', kind: 'validation', stage: 'request', fields: {form: expect.objectContaining({code: 'option_invalid'})}});

function bind(html: string, target: unknown = '#card-form') {
	document.body.innerHTML = html;
	const form = resolveForm(target);
	return accountForMarkup(form, boundNames(form, []));
}

afterEach(() => {
	document.body.innerHTML = '';
});

describe('the form bindForm accounts for', () => {
	it('gives the card controls and the submit button to enable, nothing else', () => {
		const markup = bind(FORM);
		expect(markup.controls.map(control => control.name)).toEqual(['creditCardNumber', 'expiry', 'securityCode', 'cardHolderInfo.cardHolderName']);
		expect(markup.buttons.map(button => button.textContent)).toEqual(['Save']);
		setEnabled(markup, true);
		expect([...document.querySelectorAll(':disabled')].map(element => element.getAttribute('name') ?? element.textContent)).toEqual(['cardHolderInfo.email', 'Help']);
		setEnabled(markup, true, false);
		expect(markup.buttons[0]!.disabled).toBe(true);
		expect(markup.controls.every(control => !control.disabled)).toBe(true);
		setEnabled(markup, false);
		expect(document.querySelectorAll(':enabled')).toHaveLength(0);
	});

	it('refuses a card control outside the fieldset (as the parser leaves one after an injected, unclosed <select> or <table>)', () => {
		for (const name of ['creditCardNumber', 'expiry', 'securityCode', 'cardHolderInfo.cardHolderName']) {
			const html = FORM.replace(`<input name="${name}" disabled>`, '').replace('</form>', `<input name="${name}" disabled></form>`);
			expect(() => bind(html)).toThrow(refused);
			// Outside the form, owned by it through form="…".
			expect(() => bind(`${FORM.replace(`<input name="${name}" disabled>`, '')}<input name="${name}" form="card-form">`)).toThrow(refused);
		}
	});

	it('refuses a form without a card fieldset or without a number control', () => {
		expect(() => bind(`<form id="card-form">${CONTROLS}</form>`)).toThrow(refused);
		expect(() => bind(`<form id="card-form"><fieldset data-zuora-cors-fields>${CONTROLS.replace('name="creditCardNumber"', 'name="x"')}</fieldset></form>`)).toThrow(refused);
	});

	it('refuses a form another element shares its id with, before or after it', () => {
		for (const decoy of ['<div id="card-form"></div>', '<form id="card-form"></form>', '<img id="card-form">']) {
			expect(() => bind(decoy + FORM)).toThrow(refused);
			document.body.innerHTML = FORM + decoy;
			expect(() => resolveForm(document.querySelector('form'))).toThrow(refused);
		}
	});

	it("refuses a detached form, another document's, a selector finding none or several, and what is no form", () => {
		document.body.innerHTML = FORM;
		const form = document.querySelector('form')!;
		form.remove();
		expect(() => resolveForm(form)).toThrow(refused);
		const other = document.implementation.createHTMLDocument('');
		other.body.innerHTML = FORM;
		expect(() => resolveForm(other.querySelector('form'))).toThrow(refused);
		for (const target of ['#none', 'form', null, undefined, 'div', document.body]) {
			document.body.innerHTML = `${FORM}<form></form><div></div>`;
			expect(() => resolveForm(target)).toThrow(refused);
		}
	});

	it('an injected unclosed <form> before the real one: the real controls are owned by the injected form and refused', () => {
		// What the parser builds from `<form action=/collect><select>` before the page's form: the
		// page's <form> tag is dropped, so its id is nowhere and its controls belong to the injected form.
		document.body.innerHTML = '<form action="/collect" id="x"><select></select><fieldset disabled data-zuora-cors-fields><input name="creditCardNumber" disabled></fieldset></form>';
		expect(() => resolveForm('#card-form')).toThrow(refused);
		expect(() => resolveForm(document.getElementById('card-form'))).toThrow(refused);
	});
});
