import fc from 'fast-check';

/** The zero of ten Unicode digit sets: ASCII, full-width, Arabic-Indic, Devanagari, Thai, mathematical… */
export const ZEROS = [0x30, 0xff_10, 0x6_60, 0x6_f0, 0x9_66, 0x9_e6, 0xe_50, 0x1_d7_ce, 0x1_d7_d8, 0x1_d7_f6];
const SEPARATORS = ['', ' ', '  ', '.', '-', '\u00A0', '\t', '\u2009', '\u202F', '+', '/', ' . '];

/**
 * A secret's digits written any way a reader could still read them: each digit in any Unicode
 * digit set, plain, percent-encoded or as a character reference, followed by any separator.
 * `ascii`: only what a header value can hold (ASCII digits and separators).
 */
export function encodedSecret(secret: string, ascii = false) {
	const digit = (value: string) =>
		fc.tuple(fc.constantFrom(...(ascii ? [0x30] : ZEROS)), fc.constantFrom('plain', 'percent', 'entity')).map(([zero, how]) => {
			const char = String.fromCodePoint(zero + Number(value));
			return how === 'percent' ? encodeURIComponent(char === value ? `%3${value}` : char).replace('%253', '%3') : how === 'entity' ? `&#${char.codePointAt(0)!};` : char;
		});
	return fc.tuple(...[...secret].map(value => fc.tuple(digit(value), fc.constantFrom(...(ascii ? SEPARATORS.filter(separator => /^[\x20-\x7E]*$/.test(separator)) : SEPARATORS))))).map(parts =>
		parts
			.map(([value, separator]) => value + separator)
			.join('')
			.trim(),
	);
}
