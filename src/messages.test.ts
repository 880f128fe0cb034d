import {readdirSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {validateCreditCard} from './card.js';
import {describeError} from './describe-error.js';
import type {ZuoraCorsError} from './errors.js';
import {ERROR_MESSAGES, FIELD_MESSAGES, FORM_FIELD_MESSAGES, FORM_STATUS_MESSAGES, formatMessage, type MessageCode} from './messages.js';
import {createPaymentMethod} from './payment-method.js';

const ENGLISH: Record<string, string> = {...FIELD_MESSAGES, ...FORM_FIELD_MESSAGES, ...ERROR_MESSAGES, ...FORM_STATUS_MESSAGES};
const CODES = Object.keys(ENGLISH).sort();
const now = new Date(2026, 10, 15);

/** Every locale module in src/locales, found on disk: a new file is checked without editing this test. */
const LOCALES = await Promise.all(
	readdirSync(new URL('locales', import.meta.url))
		.filter(file => file.endsWith('.ts') && !file.includes('.test.'))
		.map(async file => {
			const name = file.replace(/\.ts$/, '');
			const module = (await import(`./locales/${name}.ts`)) as Record<string, Record<string, unknown>>;
			return [name, module[name]!] as const;
		}),
);

const placeholders = (text: string) => [...text.matchAll(/{(\w+)}/g)].map(match => match[1]).sort();

/** What is wrong with a catalogue: missing or unknown codes, empty texts, placeholders that differ from English. */
function catalogueProblems(catalogue: Record<string, unknown>): string[] {
	const problems = CODES.filter(code => !Object.hasOwn(catalogue, code)).map(code => `missing ${code}`);
	for (const [code, text] of Object.entries(catalogue)) {
		if (!Object.hasOwn(ENGLISH, code)) {
			problems.push(`unknown ${code}`);
		} else if (typeof text !== 'string' || text.trim() === '') {
			problems.push(`empty ${code}`);
		} else if (JSON.stringify(placeholders(text)) !== JSON.stringify(placeholders(ENGLISH[code]!))) {
			problems.push(`placeholders of ${code}: ${placeholders(text).join(',')}`);
		}
	}

	return problems;
}

describe('codes', () => {
	it('are stable snake_case names, field and error codes apart', () => {
		for (const code of CODES) {
			expect(code).toMatch(/^[a-z]+(?:_[a-z\d]+)*$/);
		}

		expect([...Object.keys(FIELD_MESSAGES), ...Object.keys(FORM_FIELD_MESSAGES)].filter(code => Object.hasOwn(ERROR_MESSAGES, code))).toEqual([]);
		expect(Object.keys(FIELD_MESSAGES)).toHaveLength(16);
		expect(Object.keys(FORM_FIELD_MESSAGES)).toEqual(['field_repeated', 'expiry_invalid', 'card_brand_not_supported']);
		expect(Object.keys(ERROR_MESSAGES)).toHaveLength(21);
		expect(Object.keys(FORM_STATUS_MESSAGES)).toEqual(['card_saved', 'still_working', 'card_checking']);
	});

	it('English texts use only the {brand}, {brands}, {size}, {seconds} and {minutes} placeholders', () => {
		expect([...new Set(Object.values(ENGLISH).flatMap(text => placeholders(text)))].sort()).toEqual(['brand', 'brands', 'minutes', 'seconds', 'size']);
	});
});

describe('locales', () => {
	it('ships de, es, fr and ja, and English as data', () => {
		expect(LOCALES.map(([name]) => name).sort()).toEqual(['de', 'en', 'es', 'fr', 'ja']);
		expect(LOCALES.find(([name]) => name === 'en')![1]).toEqual(ENGLISH);
	});

	it.each(LOCALES.filter(([name]) => name !== 'en'))("%s has every code, each with a text and English's placeholders", (_name, catalogue) => {
		expect(catalogueProblems(catalogue)).toEqual([]);
		// Translated, not copied.
		const same = CODES.filter(code => catalogue[code] === ENGLISH[code]);
		expect(same).toEqual([]);
	});

	it('the completeness check fails when a code is missing, unknown, empty or loses a placeholder', () => {
		const [, de] = LOCALES.find(([name]) => name === 'de')!;
		const {card_expired: _dropped, ...missing} = de;
		expect(catalogueProblems(missing)).toEqual(['missing card_expired']);
		expect(catalogueProblems({...de, card_expird: 'x'})).toEqual(['unknown card_expird']);
		expect(catalogueProblems({...de, card_expired: ' '})).toEqual(['empty card_expired']);
		expect(catalogueProblems({...de, security_code_invalid: 'Code eingeben.'})).toEqual(['placeholders of security_code_invalid: ']);
	});
});

describe('formatMessage', () => {
	it('fills placeholders, leaves unknown ones as they are', () => {
		expect(formatMessage('x', 'Wait {seconds} s for {brand}, {nothing}.', {seconds: 30, brand: 'Visa'})).toBe('Wait 30 s for Visa, {nothing}.');
	});

	it("takes the page's text by code, only from an own string property", () => {
		expect(formatMessage('card_expired', 'English.', {}, {card_expired: 'Mine.'})).toBe('Mine.');
		const inherited = Object.create({card_expired: 'Inherited.'}) as Record<string, string>;
		expect(formatMessage('card_expired', 'English.', {}, inherited)).toBe('English.');
		expect(formatMessage('card_expired', 'English.', {}, {card_expired: 42} as never)).toBe('English.');
		expect(formatMessage('toString', 'English.', {}, {})).toBe('English.');
		expect(formatMessage('card_expired', 'English.', {}, null as never)).toBe('English.');
	});

	it('ignores a polluted Object.prototype (codes and placeholders alike)', () => {
		const proto = Object.prototype as Record<string, unknown>;
		proto['card_expired'] = 'Polluted.';
		proto['brand'] = 'Polluted';
		try {
			expect(validateCreditCard({creditCardNumber: '4111111111111111', expirationMonth: '1', expirationYear: '2020'}, {now, messages: {}}).errors['expirationYear']!.message).toBe(
				'The card has expired.',
			);
			expect(formatMessage('x', '{brand}', {})).toBe('{brand}');
		} finally {
			delete proto['card_expired'];
			delete proto['brand'];
		}
	});
});

describe('messages option', () => {
	const [, de] = LOCALES.find(([name]) => name === 'de')!;

	it('validateCreditCard: every field code in a locale, placeholders filled, codes unchanged', () => {
		const {errors} = validateCreditCard({creditCardNumber: '4111111111111111', securityCode: '12', expirationMonth: '13', expirationYear: '2020'}, {now, messages: de});
		expect(errors).toEqual({
			expirationMonth: {code: 'expiry_month_invalid', message: 'Geben Sie den Ablaufmonat ein, 1 bis 12.'},
			expirationYear: {code: 'card_expired', message: 'Die Karte ist abgelaufen.'},
			securityCode: {code: 'security_code_invalid', message: 'Geben Sie den 3-stelligen Sicherheitscode ein.', values: {size: 3}},
		});
	});

	it('overrides one text, keeps English for the rest', () => {
		const {errors} = validateCreditCard(
			{creditCardNumber: '378282246310005', securityCode: '1', expirationMonth: '13', expirationYear: '2030'},
			{now, messages: {security_code_invalid_front: 'CID: {size} digits, front.'}},
		);
		expect(errors['securityCode']).toEqual({code: 'security_code_invalid_front', message: 'CID: 4 digits, front.', values: {size: 4}});
		expect(errors['expirationMonth']!.message).toBe('Enter the expiry month, 1 to 12.');
	});

	it('each field code can be produced, and each locale text reaches the shopper with its placeholders filled', () => {
		const cases: Array<[Record<string, unknown>, string, MessageCode]> = [
			[{creditCardType: 'Maestro'}, 'creditCardType', 'card_type_invalid'],
			[{creditCardType: 'Visa', creditCardNumber: '5555555555554444'}, 'creditCardType', 'card_type_mismatch'],
			[{}, 'creditCardNumber', 'card_number_required'],
			[{creditCardNumber: '4111x'}, 'creditCardNumber', 'card_number_not_digits'],
			[{creditCardNumber: '6200000000000005'}, 'creditCardNumber', 'card_brand_not_accepted'],
			[{creditCardType: 'Visa', creditCardNumber: '6200000000000005'}, 'creditCardNumber', 'card_number_brand_invalid'],
			[{creditCardNumber: '41111'}, 'creditCardNumber', 'card_number_length_invalid'],
			[{creditCardNumber: '4111111111111112'}, 'creditCardNumber', 'card_number_invalid'],
			[{expirationMonth: 'x'}, 'expirationMonth', 'expiry_month_invalid'],
			[{expirationYear: '9'}, 'expirationYear', 'expiry_year_invalid'],
			[{expirationYear: '2001'}, 'expirationYear', 'card_expired'],
			[{creditCardNumber: '4111111111111111', securityCode: '1'}, 'securityCode', 'security_code_invalid'],
			[{creditCardNumber: '378282246310005', securityCode: '1'}, 'securityCode', 'security_code_invalid_front'],
			[{creditCardNumber: '', securityCode: '1'}, 'securityCode', 'security_code_invalid_any'],
			[{defaultPaymentMethod: 'perhaps'}, 'defaultPaymentMethod', 'default_payment_method_invalid'],
			[{cardHolderInfo: {cardHolderName: 'x'.repeat(51)}}, 'cardHolderInfo.cardHolderName', 'card_holder_name_too_long'],
		];
		// field_repeated is the form's (two controls for one card field); every other field code is reachable here.
		expect(cases.map(([, , code]) => code).sort()).toEqual(Object.keys(FIELD_MESSAGES).sort());
		for (const [name, catalogue] of [['en', ENGLISH] as const, ...LOCALES]) {
			for (const [card, field, code] of cases) {
				const error = validateCreditCard({expirationMonth: '12', expirationYear: '2030', ...card}, {now, messages: catalogue as never}).errors[field];
				expect([name, error?.code]).toEqual([name, code]);
				expect(error!.message).toBe(formatMessage(code, catalogue[code] as string, error!.values));
				expect(error!.message).not.toMatch(/{\w+}/);
			}
		}
	});

	it("createPaymentMethod: the validation error's fields in the locale, nothing sent", async () => {
		const error = await createPaymentMethod({
			signatureUrl: 'http://127.0.0.1:9/never-called',
			url: 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards',
			card: {creditCardNumber: '4111111111111112', expirationMonth: '12', expirationYear: '2030'},
			messages: de,
		}).catch((error_: unknown) => error_ as ZuoraCorsError);
		expect([error.kind, error.fields]).toEqual(['validation', {creditCardNumber: {code: 'card_number_invalid', message: 'Die Kartennummer ist ungültig. Bitte prüfen Sie sie auf Tippfehler.'}}]);
		expect(describeError(error)).toEqual({code: 'card_number_invalid', field: 'creditCardNumber', message: 'Die Kartennummer ist ungültig. Bitte prüfen Sie sie auf Tippfehler.'});
	});

	it('no field message ever holds the number or the code, in any locale (generated cards)', () => {
		fc.assert(
			fc.property(
				fc.stringMatching(/^[0-9]{12,19}$/),
				fc.stringMatching(/^[0-9]{1,6}$/),
				fc.constantFrom(...LOCALES.map(([, catalogue]) => catalogue), ENGLISH),
				(creditCardNumber, securityCode, messages) => {
					const {errors} = validateCreditCard({creditCardNumber, securityCode: `x${securityCode}`, expirationMonth: '1', expirationYear: '2020'}, {now, messages: messages as never});
					const text = JSON.stringify(errors);
					expect(text).not.toContain(creditCardNumber.slice(0, 12));
					expect(text).not.toContain(`x${securityCode}`);
				},
			),
			{numRuns: 300},
		);
	});
});
