import creditCardType from 'credit-card-type';
import {describe, expect, it} from 'vitest';
import {normalizeCreditCard, validateCreditCard, type CreditCardInput} from './card.js';
import {MAX_CARD_DIGITS, ZUORA_CARD_BRANDS} from './zuora.js';

// Checked against the same moment every time: 15 November 2026.
const now = new Date(2026, 10, 15);
const valid = {expirationMonth: '12', expirationYear: '2030'};
const check = (card: CreditCardInput) => validateCreditCard({...valid, ...card}, {now});
/** A field error as validateCreditCard reports it. */
const fieldError = (code: string, message: string, values?: Record<string, string | number>) => ({code, message, ...(values && {values})});

describe('validateCreditCard: brands Zuora accepts', () => {
	it.each([
		['4111111111111111', 'Visa', '123'],
		['4242 4242 4242 4242', 'Visa', '123'],
		['5555555555554444', 'MasterCard', '123'],
		['2223003122003222', 'MasterCard', '123'],
		['378282246310005', 'AmericanExpress', '1234'],
		['3714-496353-98431', 'AmericanExpress', '1234'],
		['6011111111111117', 'Discover', '123'],
		['6445644564456445', 'Discover', '123'],
		['3530111333300000', 'JCB', '123'],
		['3566002020360505', 'JCB', '123'],
		['30569309025904', 'Diners', '123'],
		['38520000023237', 'Diners', '123'],
	])('%s is %s', (creditCardNumber, brand, securityCode) => {
		expect(check({creditCardNumber, securityCode})).toEqual({valid: true, creditCardType: brand, errors: {}});
	});

	it.each([
		['6200000000000005', 'UnionPay'],
		['6759649826438453', 'Maestro'],
		['2200000000000004', 'Mir'],
	])('%s (%s) is refused as a brand Zuora does not take', creditCardNumber => {
		expect(check({creditCardNumber}).errors).toEqual({
			creditCardNumber: fieldError('card_brand_not_accepted', 'This card type is not accepted. Use Visa, Mastercard, American Express, Discover, JCB or Diners Club.'),
		});
	});
});

describe('validateCreditCard: number', () => {
	it.each([
		[undefined, fieldError('card_number_required', 'Enter the card number.')],
		['', fieldError('card_number_required', 'Enter the card number.')],
		['4111 1111 1111 111a', fieldError('card_number_not_digits', 'The card number can only contain digits.')],
		['4111111111111112', fieldError('card_number_invalid', 'The card number is not valid. Check it for typos.')],
		['4222222222222', fieldError('card_number_length_invalid', 'The card number has the wrong number of digits for Visa.', {brand: 'Visa'})],
		// Visa issues 19-digit cards, but Zuora takes at most 16 digits.
		['4111111111111111113', fieldError('card_number_length_invalid', 'The card number has the wrong number of digits for Visa.', {brand: 'Visa'})],
		['3782822463100056', fieldError('card_number_length_invalid', 'The card number has the wrong number of digits for American Express.', {brand: 'American Express'})],
		['601111111111111', fieldError('card_number_length_invalid', 'The card number has the wrong number of digits for Discover.', {brand: 'Discover'})],
	])('%j: %o', (creditCardNumber, error) => {
		expect(check({creditCardNumber}).errors).toEqual({creditCardNumber: error});
	});

	it('accepts the number as a JavaScript number', () => {
		expect(check({creditCardNumber: 4_111_111_111_111_111}).valid).toBe(true);
	});
});

describe('validateCreditCard: type', () => {
	it.each(['visa', 'VISA', 'Visa'])('reads %j as Visa', creditCardType => {
		expect(check({creditCardNumber: '4111111111111111', creditCardType})).toMatchObject({valid: true, creditCardType: 'Visa'});
	});

	it.each([
		['amex', 'AmericanExpress'],
		['American Express', 'AmericanExpress'],
		['Diners Club', 'Diners'],
		['mastercard', 'MasterCard'],
	])('reads the alias %j as %s', (creditCardType, brand) => {
		expect(check({creditCardType}).creditCardType).toBe(brand);
	});

	it('refuses a type that does not match the number', () => {
		expect(check({creditCardNumber: '5555555555554444', creditCardType: 'Visa'}).errors).toEqual({
			creditCardType: fieldError('card_type_mismatch', 'The card number is not a Visa number.', {brand: 'Visa'}),
		});
	});

	it('refuses a brand Zuora does not know', () => {
		expect(check({creditCardNumber: '4111111111111111', creditCardType: 'Maestro'}).errors).toEqual({
			creditCardType: fieldError('card_type_invalid', 'Choose one of: Visa, Mastercard, American Express, Discover, JCB, Diners Club.'),
		});
	});
});

describe('validateCreditCard: expiry, at the edge of the current month', () => {
	it.each([
		['11', '2026', {}],
		['12', '2026', {}],
		['1', '2027', {}],
		['11', '26', {}],
		[11, 2026, {}],
		['10', '2026', {expirationMonth: fieldError('card_expired', 'The card has expired.')}],
		['12', '2025', {expirationYear: fieldError('card_expired', 'The card has expired.')}],
		['0', '2030', {expirationMonth: fieldError('expiry_month_invalid', 'Enter the expiry month, 1 to 12.')}],
		['13', '2030', {expirationMonth: fieldError('expiry_month_invalid', 'Enter the expiry month, 1 to 12.')}],
		['ab', '2030', {expirationMonth: fieldError('expiry_month_invalid', 'Enter the expiry month, 1 to 12.')}],
		['12', '203', {expirationYear: fieldError('expiry_year_invalid', 'Enter the expiry year with four digits.')}],
		['12', '', {expirationYear: fieldError('expiry_year_invalid', 'Enter the expiry year with four digits.')}],
	])('%j/%j', (expirationMonth, expirationYear, errors) => {
		expect(validateCreditCard({creditCardNumber: '4111111111111111', expirationMonth, expirationYear}, {now}).errors).toEqual(errors);
	});

	it('uses the real clock by default', () => {
		const today = new Date();
		expect(validateCreditCard({creditCardNumber: '4111111111111111', expirationMonth: today.getMonth() + 1, expirationYear: today.getFullYear()}).valid).toBe(true);
	});
});

describe('validateCreditCard: security code and the rest', () => {
	it.each([
		['4111111111111111', '1234', fieldError('security_code_invalid', 'Enter the 3 digit security code.', {size: 3})],
		['4111111111111111', '12', fieldError('security_code_invalid', 'Enter the 3 digit security code.', {size: 3})],
		['4111111111111111', '12a', fieldError('security_code_invalid', 'Enter the 3 digit security code.', {size: 3})],
		['378282246310005', '123', fieldError('security_code_invalid_front', 'Enter the 4 digit security code printed on the front of the card.', {size: 4})],
		// No brand known (the number is not one of Zuora's six): either length.
		['6200000000000005', '12', fieldError('security_code_invalid_any', 'Enter the 3 or 4 digit security code.')],
	])('%s with code %j: %o', (creditCardNumber, securityCode, error) => {
		expect(check({creditCardNumber, securityCode}).errors['securityCode']).toEqual(error);
	});

	it('leaves an absent security code to Zuora (it is optional there)', () => {
		expect(check({creditCardNumber: '4111111111111111'}).valid).toBe(true);
	});

	it('checks defaultPaymentMethod and the card holder name', () => {
		expect(check({creditCardNumber: '4111111111111111', defaultPaymentMethod: 'maybe', cardHolderInfo: {cardHolderName: 'x'.repeat(51)}}).errors).toEqual({
			defaultPaymentMethod: fieldError('default_payment_method_invalid', 'Must be true or false.'),
			'cardHolderInfo.cardHolderName': fieldError('card_holder_name_too_long', 'Enter the name on the card, at most 50 characters.'),
		});
	});

	it('never repeats the number or the code in a message', () => {
		const numbers = ['4111111111111112', '4222222222222', '378282246310005', '6200000000000005', '4111 1111 1111 111a'];
		for (const creditCardNumber of numbers) {
			const {errors} = validateCreditCard({creditCardNumber, securityCode: '98765', creditCardType: 'Visa', expirationMonth: '1', expirationYear: '2020'}, {now});
			const text = JSON.stringify(errors);
			expect(text).not.toContain(creditCardNumber.replace(/\D/g, '').slice(0, 6));
			expect(text).not.toContain('98765');
		}
	});

	it('survives input that is not an object', () => {
		expect(validateCreditCard(null as never, {now}).valid).toBe(false);
	});
});

describe('normalizeCreditCard', () => {
	it("gives Zuora digits, numbers and booleans, in the sample's key order, keeping other fields", () => {
		const card = normalizeCreditCard(
			{
				cardHolderInfo: {cardHolderName: 'Ada Lovelace'},
				defaultPaymentMethod: 'on',
				securityCode: ' 123 ',
				expirationYear: '31',
				expirationMonth: '04',
				creditCardNumber: '4111 1111-1111 1111',
				accountKey: 'A00000001',
			},
			'Visa',
		);
		expect(JSON.stringify(card)).toBe(
			'{"accountKey":"A00000001","creditCardType":"Visa","creditCardNumber":"4111111111111111","expirationMonth":4,"expirationYear":2031,"securityCode":"123","defaultPaymentMethod":true,"cardHolderInfo":{"cardHolderName":"Ada Lovelace"}}',
		);
	});
});

describe('the brand table', () => {
	it.each(Object.entries(ZUORA_CARD_BRANDS))("%s matches Braintree's credit-card-type, cut at Zuora's 16 digits", (_brand, info) => {
		const upstream = creditCardType.getTypeInfo(info.id);
		expect({niceType: info.niceType, patterns: info.patterns, lengths: info.lengths, securityCodeSize: info.securityCodeSize}).toEqual({
			niceType: upstream.niceType,
			patterns: upstream.patterns,
			lengths: upstream.lengths.filter(length => length <= MAX_CARD_DIGITS),
			securityCodeSize: upstream.code.size,
		});
	});

	it('sends cards of other brands that share a Visa or Mastercard BIN as that brand, for the gateway to decide', () => {
		// Zuora's creditCardType has no Elo: a co-badged Elo card can only be submitted as Visa.
		expect(check({creditCardNumber: '4011780000000004'}).creditCardType).toBe('Visa');
	});
});
