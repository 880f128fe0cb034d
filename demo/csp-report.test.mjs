// The CSP report log in-process (issue 21 part 4): whatever a report says, a logged line has no
// run of 6+ digits (any separators, any encoding a browser or an attacker uses), no control
// character and at most LINE_LIMIT characters; and the token buckets, with an injected clock,
// bound the lines per client and overall. The endpoint over a socket: merchant-server.test.mjs.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {CSP_REPORT_LIMITS, createReportLimiter, describeCspReport, LINE_LIMIT} from './csp-report.mjs';

/** A run of 6+ digits with anything but letters between, read as the masker reads (decoded, NFKC). */
const DIGIT_RUN = /\p{Nd}(?:[^\p{L}\p{Nd}]*\p{Nd}){5,}/u;
const readAsMasker = (/** @type {string} */ text) => {
	let decoded = text.normalize('NFKC');
	try {
		decoded = decodeURIComponent(decoded);
	} catch {}

	return decoded.normalize('NFKC');
};

/** Decimal digits as a browser or an attacker may write them: ASCII, full-width, Arabic-Indic, Devanagari, percent-escaped. */
const digitForms = fc.constantFrom(
	(/** @type {number} */ d) => String(d),
	d => String.fromCodePoint(0xff_10 + d),
	d => String.fromCodePoint(0x06_60 + d),
	d => String.fromCodePoint(0x09_66 + d),
	d => `%3${d}`,
);
/** What may stand between digits: nothing, spaces, punctuation, escapes, control characters, newlines. */
const separator = fc.oneof(
	fc.constantFrom('', ' ', '-', '.', '/', ':', '+', '%20', '%C2%A0', '\u00A0', '\t', '\n', '\r\n', '\u2028', '%0A', '"', '\\'),
	fc.string({unit: fc.constantFrom(' ', '-', '_', '=', '&', '#', '*'), maxLength: 4}),
);
/** A secret: 6 to 19 digits, each written in some form, with generated separators. */
const secret = fc.tuple(fc.array(fc.integer({min: 0, max: 9}), {minLength: 6, maxLength: 19}), digitForms, separator).map(([digits, form, between]) => digits.map(form).join(between));
/** A field: any text around the secret (control characters and lone surrogates included). */
const field = fc
	.tuple(fc.string({maxLength: 40, unit: 'binary'}), secret, fc.string({maxLength: 40, unit: 'binary'}), fc.constantFrom('', 'https://h.example/', 'https://h.example/p?card='))
	.map(([before, hidden, after, prefix]) => `${prefix}${before}${hidden}${after}`);

describe('CSP report lines', () => {
	test('generated reports: no line holds a run of 6+ digits, a control character, or more than LINE_LIMIT characters', () => {
		const names = ['effectiveDirective', 'effective-directive', 'violated-directive', 'blockedURL', 'blocked-uri', 'documentURL', 'document-uri'];
		fc.assert(
			fc.property(fc.array(field, {minLength: 1, maxLength: 7}), fc.boolean(), (fields, reportingApi) => {
				const body = Object.fromEntries(fields.map((text, index) => [names[index], text]));
				const text = JSON.stringify(reportingApi ? Array.from({length: 12}, () => ({type: 'csp-violation', body})) : {'csp-report': body});
				const lines = describeCspReport(text);
				// At most 10 violations a report.
				expect(lines).toHaveLength(reportingApi ? 10 : 1);
				for (const line of lines) {
					expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);
					expect(line).not.toMatch(/\p{C}/u);
					expect(readAsMasker(line)).not.toMatch(DIGIT_RUN);
				}
			}),
			{seed: 21_042, numRuns: 400},
		);
	});

	test('what stays readable: the directive, a host name, a path, runs of 5 digits', () => {
		const [line] = describeCspReport(
			JSON.stringify({'csp-report': {'effective-directive': 'form-action', 'blocked-uri': 'https://evil.example/4111', 'document-uri': 'https://shop.example:8443/checkout/12345?n=4111111111111111'}}),
		);
		expect(line).toBe('form-action https://evil.example https://shop.example:8443/checkout/12345');
		// A host's address and port together are 6+ digits: masked too (the price of the class).
		expect(describeCspReport(JSON.stringify({'csp-report': {'effective-directive': 'x', 'document-uri': 'http://127.0.0.1:4000/'}}))).toEqual(['x  http://[redacted]/']);
		expect(describeCspReport(JSON.stringify({'csp-report': {'effective-directive': 'a\nmerchant: forged line', 'blocked-uri': '\u001b[31m'}}))).toEqual(['a?merchant: forged line ?[31m ']);
	});
});

describe('CSP report rate limits', () => {
	const clock = () => {
		let time = 5_000_000;
		return {now: () => time, advance: (/** @type {number} */ ms) => (time += ms)};
	};
	const takeMany = (/** @type {ReturnType<typeof createReportLimiter>} */ limiter, /** @type {string} */ address, /** @type {number} */ count) =>
		Array.from({length: count}, () => limiter.take(address)).filter(Boolean).length;

	test('per client: 10 lines at once, then one every 6 s; another client is not held back; an IPv6 /64 is one client', () => {
		const {now, advance} = clock();
		const limiter = createReportLimiter({now});
		expect(CSP_REPORT_LIMITS.client).toEqual({capacity: 10, everyMs: 6000});
		expect(takeMany(limiter, '198.51.100.7', 50)).toBe(10);
		expect(takeMany(limiter, '198.51.100.8', 50)).toBe(10);
		advance(5999);
		expect(limiter.take('198.51.100.7')).toBe(false);
		advance(1);
		expect(takeMany(limiter, '198.51.100.7', 5)).toBe(1);
		// Rotating addresses inside one /64 buys nothing.
		expect(Array.from({length: 30}, (_, index) => limiter.take(`2001:db8:1:2::${index.toString(16)}`)).filter(Boolean)).toHaveLength(10);
	});

	test('overall: 60 lines at once from any number of clients, then one a second', () => {
		const {now, advance} = clock();
		const limiter = createReportLimiter({now});
		const addresses = Array.from({length: 200}, (_, index) => `203.0.${index >> 8}.${index & 0xff}`);
		expect(addresses.filter(address => limiter.take(address))).toHaveLength(60);
		advance(1000);
		expect(addresses.filter(address => limiter.take(address))).toHaveLength(1);
		advance(60_000);
		expect(addresses.filter(address => limiter.take(address))).toHaveLength(60);
	});

	test('the client buckets held are bounded (10,000): a sweep of addresses does not grow memory', () => {
		const {now, advance} = clock();
		const limiter = createReportLimiter({now});
		for (let index = 0; index < 30_000; index++) {
			limiter.take(`10.${index >> 16}.${(index >> 8) & 0xff}.${index & 0xff}`);
			advance(1);
		}

		expect(limiter.clients()).toBe(10_000);
	});
});
