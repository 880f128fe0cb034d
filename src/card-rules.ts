/**
 * Card rules shared by the browser library (`card.ts`) and the stub Zuora (`testing/`): pure,
 * DOM-free, reading only `ZUORA_CARD_BRANDS`, so the two can never disagree about a card.
 */
import {ZUORA_CARD_BRANDS, type CardBrandInfo, type ZuoraCardBrand} from './zuora.js';

/** Zuora's six brand names, in table order. */
export const CARD_BRAND_NAMES = Object.keys(ZUORA_CARD_BRANDS) as ZuoraCardBrand[];

/** The table row of a brand. */
export function brandInfo(brand: ZuoraCardBrand): CardBrandInfo {
	return ZUORA_CARD_BRANDS[brand];
}

/** The brand whose BIN prefix the digits start with; Zuora's six never overlap. */
export function detectBrand(digits: string): ZuoraCardBrand | undefined {
	return CARD_BRAND_NAMES.find(brand =>
		brandInfo(brand).patterns.some(pattern => {
			const [low, high] = typeof pattern === 'number' ? [pattern, pattern] : pattern;
			const prefix = Number(digits.slice(0, String(low).length));
			return prefix >= low && prefix <= high;
		}),
	);
}

/** The Luhn (mod 10) check of a digit string. */
export function luhn(digits: string): boolean {
	let sum = 0;
	for (let index = 0; index < digits.length; index++) {
		let digit = Number(digits[digits.length - 1 - index]);
		if (index % 2 === 1) {
			digit *= 2;
			if (digit > 9) {
				digit -= 9;
			}
		}

		sum += digit;
	}

	return sum % 10 === 0;
}
