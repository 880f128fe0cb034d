import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {formatField, type FormattedField} from './card-format.js';

/** What the browser does to the control before bindForm sees the input event. */
function insert([value, caret, digits]: FormattedField, text: string, expiry = false, end = caret): FormattedField {
	return formatField(expiry, value.slice(0, caret) + text + value.slice(end), caret + text.length, digits);
}

function backspace([value, caret, digits]: FormattedField, expiry = false): FormattedField {
	return formatField(expiry, value.slice(0, caret - 1) + value.slice(caret), caret - 1, digits, -1);
}

function del([value, caret, digits]: FormattedField, expiry = false): FormattedField {
	return formatField(expiry, value.slice(0, caret) + value.slice(caret + 1), caret, digits, 1);
}

const empty: FormattedField = ['', 0, ''];
const typeAll = (keys: string, expiry = false) => [...keys].reduce<FormattedField>((state, key) => insert(state, key, expiry), empty);
/** The state with the caret moved to `caret`. */
const at = ([value, , digits]: FormattedField, caret: number): FormattedField => [value, caret, digits];

describe('formatField: card number', () => {
	it.each([
		['4111111111111111', '4111 1111 1111 1111'],
		['5555555555554444', '5555 5555 5555 4444'],
		['378282246310005', '3782 822463 10005'],
		['30569309025904', '3056 930902 5904'],
		['3056930902590400', '3056 9309 0259 0400'],
		['6011111111111117', '6011 1111 1111 1117'],
		['3530111333300000', '3530 1113 3330 0000'],
	])('typed key by key, %s reads %s with the caret at the end after every key', (digits, shown) => {
		let state = empty;
		for (const [index, key] of [...digits].entries()) {
			state = insert(state, key);
			expect(state[1]).toBe(state[0].length);
			expect(state[2]).toBe(digits.slice(0, index + 1));
		}

		expect(state).toEqual([shown, shown.length, digits]);
	});

	it("cuts the number at its brand's longest length: 16, American Express 15, unknown 16", () => {
		expect(typeAll('41111111111111119')).toEqual(['4111 1111 1111 1111', 19, '4111111111111111']);
		expect(typeAll('3782822463100059')).toEqual(['3782 822463 10005', 17, '378282246310005']);
		expect(typeAll('99999999999999999')).toEqual(['9999 9999 9999 9999', 19, '9999999999999999']);
	});

	it('drops letters and other characters typed in', () => {
		expect(typeAll('41a1-1 x')).toEqual(['4111', 4, '4111']);
	});

	it('Backspace right after a space removes the digit before the space, caret before it', () => {
		const state = at(typeAll('41111111'), 5);
		expect(state[0]).toBe('4111 1111');
		expect(backspace(state)).toEqual(['4111 111', 3, '4111111']);
	});

	it('Delete right before a space removes the digit after it, caret stays', () => {
		const state = at(typeAll('41112222'), 4);
		expect(del(state)).toEqual(['4111 222', 4, '4111222']);
	});

	it('Backspace after a digit removes that digit and regroups the rest', () => {
		const state = at(typeAll('4111222233334444'), 7);
		expect(backspace(state)).toEqual(['4111 2223 3334 444', 6, '411122233334444']);
	});

	it('pasting with spaces or dashes keeps the digits, grouped, caret after the paste', () => {
		expect(insert(empty, '4111-1111-1111-1111')).toEqual(['4111 1111 1111 1111', 19, '4111111111111111']);
		expect(insert(empty, ' 3782 822463 10005 ')).toEqual(['3782 822463 10005', 17, '378282246310005']);
		// Pasted in the middle: the caret follows the last pasted digit.
		expect(insert(at(typeAll('41111111'), 5), '22-33')).toEqual(['4111 2233 1111', 9, '411122331111']);
	});

	it('a digit typed in the middle stays before the caret, even where a space moves', () => {
		// Caret after "4111" at the space: the new digit joins the second group.
		expect(insert(at(typeAll('41111111'), 4), '9')).toEqual(['4111 9111 1', 6, '411191111']);
		expect(insert(at(typeAll('41111111'), 2), '9')).toEqual(['4191 1111 1', 3, '419111111']);
	});

	it('a brand change regroups: 3 in front of a Visa number turns it into 4-6-5', () => {
		expect(insert(at(typeAll('4282246310005'), 0), '37')).toEqual(['3742 822463 10005', 2, '374282246310005']);
	});

	it('replacing a selection replaces its digits', () => {
		expect(insert(at(typeAll('4111222233334444'), 5), '9', false, 9)).toEqual(['4111 9333 3444 4', 6, '4111933334444']);
	});

	// Class: any edit at any caret in any number keeps the digits in order, moves the caret to
	// right after the same digit, and groups as the brand says.
	const number = fc.stringMatching(/^\d{0,16}$/);
	const grouped = /^(\d{1,4})( \d{1,4}){0,3}$|^\d{4} \d{1,6}( \d{1,5})?$/;
	const digitsBefore = (value: string, caret: number) => value.slice(0, caret).replace(/\D/g, '').length;

	it('property: typing a digit anywhere inserts it there, the caret right after it', () => {
		fc.assert(
			fc.property(number, fc.nat(), fc.integer({min: 0, max: 9}), (digits, where, key) => {
				const start = formatField(false, digits, digits.length);
				const caret = where % (start[0].length + 1);
				const [value, next, result] = insert(at(start, caret), String(key));
				const index = digitsBefore(start[0], caret);
				const expected = (start[2].slice(0, index) + key + start[2].slice(index)).slice(0, result.length);
				expect(result).toBe(expected);
				expect(value.replace(/ /g, '')).toBe(result);
				expect(value === '' || grouped.test(value)).toBe(true);
				expect(digitsBefore(value, next)).toBe(Math.min(index + 1, result.length));
				expect(value[next - 1]).toMatch(/\d/);
			}),
		);
	});

	it('property: Backspace anywhere removes exactly the digit before the caret (across a space)', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^\d{1,16}$/), fc.nat(), (digits, where) => {
				const start = formatField(false, digits, digits.length);
				const caret = 1 + (where % start[0].length);
				const [value, next, result] = backspace(at(start, caret));
				const index = digitsBefore(start[0], caret) - 1;
				expect(result).toBe((start[2].slice(0, index) + start[2].slice(index + 1)).slice(0, result.length));
				expect(value.replace(/ /g, '')).toBe(result);
				expect(digitsBefore(value, next)).toBe(index);
				expect(value[next - 1] ?? '0').toMatch(/\d/);
			}),
		);
	});

	it('property: Delete anywhere removes exactly the digit after the caret (across a space)', () => {
		fc.assert(
			fc.property(fc.stringMatching(/^\d{1,16}$/), fc.nat(), (digits, where) => {
				const start = formatField(false, digits, digits.length);
				const caret = where % start[0].length;
				const [value, next, result] = del(at(start, caret));
				const index = digitsBefore(start[0], caret);
				expect(result).toBe((start[2].slice(0, index) + start[2].slice(index + 1)).slice(0, result.length));
				expect(digitsBefore(value, next)).toBe(index);
			}),
		);
	});

	it('property: pasting digits mixed with spaces and dashes sends the digits only', () => {
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...'0123456789 -'), {maxLength: 30}), keys => {
				const pasted = keys.join('');
				const [value, caret, digits] = insert(empty, pasted);
				const typed = pasted.replace(/\D/g, '');
				expect(typed.startsWith(digits)).toBe(true);
				expect(digits.length).toBe(Math.min(typed.length, digits.length));
				expect(value.replace(/ /g, '')).toBe(digits);
				expect(caret).toBe(value.length);
			}),
		);
	});
});

describe('formatField: MM / YY expiry', () => {
	it('types 1231 as 12 / 31, caret at the end after each key', () => {
		const states: FormattedField[] = [];
		for (const key of '1231') {
			states.push(insert(states.at(-1) ?? empty, key, true));
		}
		expect(states).toEqual([
			['1', 1, '1'],
			['12', 2, '12'],
			['12 / 3', 6, '123'],
			['12 / 31', 7, '1231'],
		]);
	});

	it('reads a first digit 2-9 as the month: 4 becomes 04', () => {
		expect(typeAll('4', true)).toEqual(['04', 2, '04']);
		expect(typeAll('431', true)).toEqual(['04 / 31', 7, '0431']);
	});

	it('takes an autofilled or pasted four-digit year as YY', () => {
		expect(insert(empty, '12/2031', true)).toEqual(['12 / 31', 7, '1231']);
		expect(insert(empty, '07 / 2029', true)).toEqual(['07 / 29', 7, '0729']);
	});

	it('stops at four digits', () => {
		expect(typeAll('123456', true)).toEqual(['12 / 34', 7, '1234']);
	});

	it('Backspace over " / " removes the month\'s last digit', () => {
		const state = at(typeAll('1231', true), 5);
		expect(state[0]).toBe('12 / 31');
		expect(backspace(state, true)).toEqual(['13 / 1', 1, '131']);
		expect(backspace(typeAll('123', true), true)).toEqual(['12', 2, '12']);
	});
});
