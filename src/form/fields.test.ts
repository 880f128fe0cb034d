// @vitest-environment happy-dom
import {afterEach, describe, expect, it} from 'vitest';
import {boundNames, CARD_FIELDS, duplicates, OPTIONAL_FIELDS, readCard, readFormFields, readOptionFields, scan} from './fields.js';

function page(html: string): HTMLFormElement {
	document.body.innerHTML = html;
	return document.querySelector('form')!;
}

const card = `<input name="creditCardNumber" value="4111 1111 1111 1111"><input name="expiry" value="12 / 31"><input name="securityCode" value="737"><input name="cardHolderInfo.cardHolderName" value="Ada">`;

afterEach(() => {
	document.body.innerHTML = '';
});

describe('least privilege', () => {
	it('reads only the card by default: every optional Zuora field in the form is ignored', () => {
		const others = OPTIONAL_FIELDS.filter(name => name !== 'creditCardType')
			.map(name => `<input name="${name}" value="x">`)
			.join('');
		const form = page(`<form><fieldset data-zuora-cors-fields>${card}${others}</fieldset></form>`);
		const names = boundNames(form, []);
		expect([...names].sort()).toEqual([...CARD_FIELDS].sort());
		expect(readCard(form, scan(form, names), {})).toEqual({
			creditCardNumber: '4111 1111 1111 1111',
			expirationMonth: '12',
			expirationYear: '31',
			securityCode: '737',
			cardHolderInfo: {cardHolderName: 'Ada'},
		});
	});

	it('reads a declared field; the card-type control only when declared, never because the form has it', () => {
		const form = page(`<form><fieldset data-zuora-cors-fields>${card}<input name="cardHolderInfo.email" value="a@b.c"><input name="cardHolderInfo.zipCode" value="10115"></fieldset></form>`);
		const names = boundNames(form, ['cardHolderInfo.email']);
		expect(names.has('creditCardType')).toBe(false);
		// Injected after bind: ignored.
		form.querySelector('fieldset')!.insertAdjacentHTML('beforeend', '<input name="creditCardType" value="Visa">');
		const read = readCard(form, scan(form, names), {});
		expect(read['creditCardType']).toBeUndefined();
		expect(read.cardHolderInfo).toEqual({cardHolderName: 'Ada', email: 'a@b.c'});
		// Present at bind time but not declared: still ignored (the brand comes from the number).
		expect(boundNames(form, []).has('creditCardType')).toBe(false);
		expect(boundNames(form, ['creditCardType']).has('creditCardType')).toBe(true);
	});

	// A control inside the form but owned by another (form="other") is a browser test: happy-dom ignores `form` on a descendant.
	it('reads no control outside a card fieldset, brought in from outside, or disabled', () => {
		const form = page(
			`<form id="f"><fieldset data-zuora-cors-fields><input name="creditCardNumber" value="4111" disabled></fieldset><input name="expiry" value="12 / 31"></form><input name="cardHolderInfo.cardHolderName" value="x" form="f">`,
		);
		expect(readCard(form, scan(form, boundNames(form, [])), {})).toEqual({});
	});

	it('formFields: only optional Zuora names, in an array', () => {
		expect(readFormFields(['accountKey', 'cardHolderInfo.email'])).toEqual(['accountKey', 'cardHolderInfo.email']);
		expect(readFormFields(undefined)).toEqual([]);
		for (const bad of ['accountKey', ['creditCardNumber'], ['cardHolderInfo.__proto__'], ['toString'], [1], {0: 'accountKey', length: 1}]) {
			expect(() => readFormFields(bad)).toThrow(expect.objectContaining({name: 'ZuoraCorsError', kind: 'validation', fields: {formFields: expect.objectContaining({code: 'option_invalid'})}}));
		}
	});
});

describe('duplicates', () => {
	it('a name given twice, and expiry beside month or year, are repeats; a radio group is not', () => {
		const form = page(
			`<form><fieldset data-zuora-cors-fields>${card}<input name="securityCode"><input name="expirationMonth"></fieldset><input type="radio" name="defaultPaymentMethod" value="true"><input type="radio" name="defaultPaymentMethod" value="false"></form>`,
		);
		expect(duplicates(scan(form, boundNames(form, ['defaultPaymentMethod']))).sort()).toEqual(['expiry', 'securityCode']);
	});
});

describe('the fields option', () => {
	it('copies own strings, numbers and booleans onto a null prototype; refuses anything else', () => {
		const copy = readOptionFields({accountKey: 'A1', defaultPaymentMethod: true, cardHolderInfo: {email: 'a@b.c'}});
		expect(Object.getPrototypeOf(copy)).toBe(null);
		expect({...copy}).toEqual({accountKey: 'A1', defaultPaymentMethod: true, cardHolderInfo: expect.objectContaining({email: 'a@b.c'})});
		for (const bad of [[], new Date(), {accountKey: {}}, {cardHolderInfo: {email: 1}}, JSON.parse('{"__proto__": "x"}'), Object.defineProperty({}, 'accountKey', {get: () => 'A', enumerable: true})]) {
			expect(() => readOptionFields(bad)).toThrow(expect.objectContaining({kind: 'validation'}));
		}
	});

	it("wins over the form's values, cardHolderInfo merged", () => {
		const form = page(`<form><fieldset data-zuora-cors-fields>${card}</fieldset></form>`);
		const read = readCard(form, scan(form, boundNames(form, [])), readOptionFields({securityCode: '999', cardHolderInfo: {email: 'a@b.c'}}));
		expect(read.securityCode).toBe('999');
		expect(read.cardHolderInfo).toEqual({cardHolderName: 'Ada', email: 'a@b.c'});
	});
});
