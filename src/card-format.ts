/**
 * Formatting of the card number and the `MM / YY` expiry as a shopper types: pure caret math, no
 * DOM, so every edit (typing, Backspace/Delete over a space, paste, a change in the middle) is
 * unit-tested here and bindForm only applies the result.
 */
import {brandInfo, detectBrand} from './card-rules.js';

/** The control's new text, where its caret goes, and the digits it holds (what Zuora receives). */
export type FormattedField = [value: string, caret: number, digits: string];

/**
 * Reformats a field after an edit. `text` and `caret`: the control's value and caret after the
 * browser applied the edit; `previous`: the digits before it; `deleted`: -1 for Backspace, 1 for
 * Delete. Digits keep their order and the caret stays after the same digit it followed, so a
 * space never traps it: Backspace (Delete) over a space removes the digit before (after) it.
 * The number is grouped by its brand (4-4-4-4, American Express 4-6-5, Diners 4-6-4) and cut at
 * the brand's longest length; the expiry is `MM / YY` (a first digit 2-9 is a month: `4` → `04`,
 * and an autofilled `12/2031` becomes `12 / 31`).
 */
export function formatField(expiry: boolean, text: string, caret: number, previous = '', deleted = 0): FormattedField {
	let digits = text.replace(/\D/g, '');
	let before = text.slice(0, caret).replace(/\D/g, '').length;
	if (deleted && digits === previous) {
		// Only a separator went: the digit beside it goes with it.
		before += deleted < 0 ? -1 : 0;
		digits = digits.slice(0, before) + digits.slice(before + 1);
	}

	if (expiry && /^\d\d\D+20\d\d$/.test(text)) {
		digits = digits.slice(0, 2) + digits.slice(4);
		before = 4;
	}

	if (expiry && /^[2-9]$/.test(digits)) {
		digits = `0${digits}`;
		before++;
	}

	const brand = expiry ? undefined : detectBrand(digits);
	const max = expiry ? 4 : brand ? Math.max(...brandInfo(brand).lengths) : 16;
	digits = digits.slice(0, max);
	const gaps = expiry ? [2] : brand === 'AmericanExpress' || (brand === 'Diners' && digits.length < 15) ? [4, 10] : [4, 8, 12];
	let value = '';
	let at = 0;
	for (let index = 0; index < digits.length; index++) {
		value += (gaps.includes(index) ? (expiry ? ' / ' : ' ') : '') + digits[index];
		if (index < before) {
			at = value.length;
		}
	}

	return [value, at, digits];
}
