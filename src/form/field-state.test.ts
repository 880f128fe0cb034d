// @vitest-environment happy-dom
import {describe, expect, it} from 'vitest';
import {checkCard, fieldChange, formatControl, readSupportedBrands, typingError} from './field-state.js';

const now = {messages: undefined, supportedBrands: undefined, expiry: false};
const visa = {creditCardNumber: '4111111111111111', expirationMonth: '12', expirationYear: '2031', securityCode: '737'};
const amex = {...visa, creditCardNumber: '378282246310005', securityCode: '1234'};

describe('checkCard', () => {
	it("an `expiry` control takes the month's or year's error", () => {
		expect(checkCard({...visa, expirationMonth: '13'}, {...now, expiry: true}).errors).toEqual({expiry: {code: 'expiry_invalid', message: 'Enter the expiry date as MM / YY.'}});
		expect(checkCard({...visa, expirationYear: '2001'}, {...now, expiry: true}).errors['expiry']?.code).toBe('card_expired');
		expect(checkCard({...visa, expirationMonth: '13'}, now).errors['expirationMonth']?.code).toBe('expiry_month_invalid');
	});

	it("a brand outside supportedBrands is a number error naming the accepted ones, in the page's texts", () => {
		const context = {...now, supportedBrands: ['Visa', 'MasterCard'] as const};
		expect(checkCard(visa, context)).toEqual({valid: true, creditCardType: 'Visa', errors: {}});
		expect(checkCard(amex, context)).toEqual({
			valid: false,
			creditCardType: 'AmericanExpress',
			errors: {creditCardNumber: {code: 'card_brand_not_supported', message: 'This card type is not accepted here. Use Visa, Mastercard.', values: {brands: 'Visa, Mastercard'}}},
		});
		expect(checkCard(amex, {...context, messages: {card_brand_not_supported: 'Nur {brands}.'}}).errors['creditCardNumber']?.message).toBe('Nur Visa, Mastercard.');
		// A half-typed number of another brand is that error while typing; other errors wait for the submit.
		const typing = checkCard({creditCardNumber: '3782'}, context).errors['creditCardNumber'];
		expect(typingError('creditCardNumber', typing)?.code).toBe('card_brand_not_supported');
		expect(typingError('creditCardNumber', checkCard({creditCardNumber: '4111'}, context).errors['creditCardNumber'])).toBeUndefined();
	});

	it("supportedBrands: a non-empty array of Zuora's brand names", () => {
		expect(readSupportedBrands(['Visa'])).toEqual(['Visa']);
		expect(readSupportedBrands(undefined)).toBeUndefined();
		for (const bad of [[], ['visa'], 'Visa', [undefined], {0: 'Visa', length: 1}]) {
			expect(() => readSupportedBrands(bad)).toThrow(expect.objectContaining({kind: 'validation', fields: {supportedBrands: expect.objectContaining({code: 'option_invalid'})}}));
		}
	});
});

describe('fieldChange', () => {
	it("complete by the brand's lengths, MM / YY, the code size; never the value", () => {
		expect(fieldChange('creditCardNumber', '4111 1111 1111 1111', 'Visa', undefined)).toEqual({field: 'creditCardNumber', brand: 'Visa', complete: true, valid: true, error: undefined});
		expect(fieldChange('creditCardNumber', '4111 1111', 'Visa', undefined).complete).toBe(false);
		expect(fieldChange('expiry', '12 / 31', undefined, undefined).complete).toBe(true);
		expect(fieldChange('securityCode', '123', 'AmericanExpress', undefined).complete).toBe(false);
		expect(fieldChange('securityCode', '123', undefined, undefined).complete).toBe(true);
		expect(fieldChange('cardHolderInfo.cardHolderName', '', undefined, {code: 'card_number_required', message: 'm'})).toMatchObject({complete: false, valid: false});
	});
});

describe('formatControl', () => {
	it('groups the number and formats the expiry in the control, the caret after the same digit', () => {
		document.body.innerHTML = '<input name="creditCardNumber"><input name="expiry"><input name="securityCode">';
		const [number, expiry, code] = [...document.querySelectorAll('input')];
		const typed = new WeakMap();
		number!.value = '41111';
		number!.setSelectionRange(5, 5);
		formatControl(number!, 'insertText', typed);
		expect([number!.value, number!.selectionStart]).toEqual(['4111 1', 6]);
		expiry!.value = '4';
		expiry!.setSelectionRange(1, 1);
		formatControl(expiry!, 'insertText', typed);
		expect(expiry!.value).toBe('04');
		code!.value = '12 3';
		formatControl(code!, 'insertText', typed);
		expect(code!.value).toBe('12 3');
	});
});
