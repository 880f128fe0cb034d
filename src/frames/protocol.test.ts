// The checks both sides of the card frame make of what the page sends: styles (nothing that can
// load something, only listed variants and properties), submit's non-card fields, cosmetic options.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {cosmeticProblem, fieldsProblem, loadingValue, STYLE_PROPERTIES, STYLE_VARIANTS, styleProblem} from './protocol.js';

/** Everything that can make a CSS value load a resource or leave its declaration. */
const LOADERS = [
	'url(',
	'URL(',
	'uRl(',
	'image-set(',
	'-webkit-image-set(',
	'image(',
	'element(',
	'cross-fade(',
	'src(',
	'expression(',
	'@import',
	'@font-face',
	';',
	'{',
	'}',
	'<',
	'\\',
	'/*',
	'!important',
	'\n',
	'\u0000',
];

describe('styles', () => {
	test('a value holding anything that can load something is refused wherever it stands, in any variant and property', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...STYLE_VARIANTS),
				fc.constantFrom(...STYLE_PROPERTIES),
				fc.string({maxLength: 30}),
				fc.constantFrom(...LOADERS),
				fc.string({maxLength: 30}),
				(variant, property, before, loader, after) => {
					const style = {[variant]: {[property]: `${before}${loader}${after}`}};
					expect(loadingValue(style)).toBe(`${variant}.${property}`);
					expect(styleProblem(style)).toBe(`${variant}.${property}`);
				},
			),
			{seed: 22, numRuns: 500},
		);
	});

	test('ordinary values pass', () => {
		const style = {
			base: {color: '#222', fontSize: '16px', fontFamily: 'system-ui, "Segoe UI", sans-serif', padding: '8px 12px', boxShadow: 'rgb(0 0 0 / 10%) 0 1px 2px'},
			invalid: {borderColor: 'hsl(0 80% 40%)'},
		};
		expect(styleProblem(style)).toBeUndefined();
		expect(loadingValue(style)).toBeUndefined();
	});

	test('a variant or property off the lists, a value over 100 characters or not a string is refused (named by our words, never the page text)', () => {
		expect(styleProblem({base: {backgroundImage: 'none'}})).toBe('base.property');
		expect(styleProblem({base: {cursor: 'pointer'}})).toBe('base.property');
		expect(styleProblem({':hover input[value^="4"]': {color: 'red'}})).toBe('style.variant');
		expect(styleProblem({base: {color: 'a'.repeat(101)}})).toBe('base.color');
		expect(styleProblem({base: {color: 1}})).toBe('base.color');
		expect(styleProblem([{}])).toBe('style');
		expect(styleProblem({base: Object.assign(Object.create({color: 'url(x)'}) as object, {})})).toBe('style.variant');
	});
});

describe('submit fields', () => {
	test('only defaultPaymentMethod and cardHolderInfo address and contact strings', () => {
		expect(fieldsProblem({defaultPaymentMethod: true, cardHolderInfo: {email: 'a@b.example', zipCode: '10115'}})).toBeUndefined();
		for (const key of [
			'uri',
			'url',
			'signatureUrl',
			'signature',
			'token',
			'accountKey',
			'zuoraUrl',
			'host',
			'creditCardNumber',
			'securityCode',
			'expirationMonth',
			'expirationYear',
			'creditCardType',
			'numConsecutiveFailures',
			'__proto__',
		]) {
			expect(fieldsProblem(JSON.parse(`{"${key}": "x"}`))).toBe(key);
		}

		expect(fieldsProblem({cardHolderInfo: {cardHolderName: 'Eve'}})).toBe('cardHolderInfo.cardHolderName');
		expect(fieldsProblem({cardHolderInfo: {email: 1}})).toBe('cardHolderInfo.email');
		expect(fieldsProblem({defaultPaymentMethod: 'true'})).toBe('defaultPaymentMethod');
		expect(fieldsProblem('x')).toBe('fields');
	});
});

describe('cosmetic options', () => {
	test('locale, messages and style only', () => {
		expect(cosmeticProblem({locale: 'de', messages: {label_number: 'Nummer'}, style: {base: {color: 'red'}}})).toBeUndefined();
		expect(cosmeticProblem({locale: 'xx'})).toBe('locale');
		expect(cosmeticProblem({signatureUrl: 'https://evil.example'})).toBe('signatureUrl');
		expect(cosmeticProblem({messages: {label_number: 3}})).toBe('messages');
		expect(cosmeticProblem({messages: {'<b>': 'x'}})).toBe('messages');
		expect(cosmeticProblem({style: {base: {color: 'red;background:url(//x)'}}})).toBe('base.color');
	});
});
