import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {cardNotSent, maskSecrets, redactCardNumbers, ZuoraCorsError} from './errors.js';
import {invalidOption} from './options.js';
import {encodedSecret} from './secret-encodings.test-util.js';
import {zuoraUrl} from './zuora-url.js';
import {ZUORA_BASE_URLS} from './zuora.js';

describe('ZuoraCorsError', () => {
	it('is an Error with a fixed name and every field in its JSON', () => {
		const error = new ZuoraCorsError('POST https://rest.zuora.com/v1/x answered success: false', {
			kind: 'zuora',
			stage: 'request',
			status: 200,
			reasons: [{code: 90_000_011, message: 'Invalid token.'}],
			processId: 'P1',
			cause: new Error('inner'),
		});
		expect(error).toBeInstanceOf(Error);
		expect(String(error)).toBe('ZuoraCorsError: POST https://rest.zuora.com/v1/x answered success: false');
		expect(JSON.parse(JSON.stringify(error))).toEqual({
			name: 'ZuoraCorsError',
			message: 'POST https://rest.zuora.com/v1/x answered success: false',
			kind: 'zuora',
			stage: 'request',
			code: 90_000_011,
			reasons: [{code: 90_000_011, message: 'Invalid token.'}],
			status: 200,
			retryable: true,
			processId: 'P1',
		});
		expect((error.cause as Error).message).toBe('inner');
	});

	it.each([
		['zuora', 'request', undefined, 90_000_011, true],
		['zuora', 'request', undefined, '90000011', true],
		['zuora', 'request', undefined, 53_100_320, false],
		['http', 'request', 429, undefined, true],
		['http', 'request', 503, undefined, true],
		['http', 'request', 500, undefined, false],
		['http', 'request', 504, undefined, false],
		['http', 'signature', 500, undefined, true],
		['http', 'signature', 404, undefined, false],
		['network', 'signature', undefined, undefined, true],
		['network', 'request', undefined, undefined, false],
		['timeout', 'signature', undefined, undefined, true],
		['timeout', 'request', undefined, undefined, false],
		['invalid-response', 'signature', 200, undefined, false],
		['validation', 'request', undefined, undefined, false],
		['aborted', 'request', undefined, undefined, false],
		// Contract 3: a checkout not set up fails again, at either stage, whatever the status.
		['setup', 'signature', 500, 'SETUP_ERROR', false],
		['setup', 'signature', 503, 'SETUP_ERROR', false],
		['setup', 'request', 401, 90_000_012, false],
		// Contract 5: checked with the backend, nothing was saved; sending again is safe.
		['not-saved', 'request', undefined, undefined, true],
	] as const)('%s at %s (status %s, code %s) is retryable: %s', (kind, stage, status, code, retryable) => {
		const error = new ZuoraCorsError('x', {kind, stage, status, reasons: code === undefined ? [] : [{code, message: ''}]});
		expect(error.retryable).toBe(retryable);
	});

	it('masks anything shaped like a card number, in the message and the reasons', () => {
		const error = new ZuoraCorsError('card 4111111111111111 and 4111 1111 1111 1111', {kind: 'zuora', stage: 'request', reasons: [{code: 1, message: 'number 5555-5555-5555-4444'}]});
		expect(error.message).toBe('card [redacted] and [redacted]');
		expect(error.reasons[0]!.message).toBe('number [redacted]');
		expect(redactCardNumbers('code 90000011, process 1AA4FDFC25059EAD')).toBe('code 90000011, process 1AA4FDFC25059EAD');
	});
});

describe('maskSecrets', () => {
	const number = '4111111111111111';
	it('masks a number cut across texts in any order, and a security code inside a code', () => {
		expect(maskSecrets(['card 41111111', '11111111', 'ok'], [number])).toEqual(['card [redacted]', '[redacted]', 'ok']);
		expect(maskSecrets(['11111111', 'card 41111111'], [number])).toEqual(['[redacted]', 'card [redacted]']);
		expect(maskSecrets(['53100737', 'cvc 7.3.7', '53100020'], [number, '737'])).toEqual(['53100[redacted]', 'cvc [redacted]', '53100020']);
		// 6 digits of the number in a row are masked, 5 are not (a BIN and the last four may be shown).
		expect(maskSecrets(['a 411111 b', 'a 41111 b', '90000011'], [number])).toEqual(['a [redacted] b', 'a 41111 b', '90000011']);
	});

	it('whole: only the secret written whole, the security code as a run of its own', () => {
		expect(maskSecrets(['x4111.1111.1111.1111y', '41111111', 'id 1737', 'cvc %37%33%37'], [number, '737'], true)).toEqual(['x[redacted]y', '41111111', 'id 1737', 'cvc [redacted]']);
	});

	it('leaves no piece of 6 digits or more of the number, wherever the pieces are (generated)', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.integer({min: 1, max: 15}), {minLength: 1, maxLength: 3}), fc.array(fc.nat(4), {minLength: 4, maxLength: 4}), (cuts, slots) => {
				const ends = [0, ...cuts.sort((a, b) => a - b), 16];
				const texts = ['a', 'b', 'c', 'd'];
				for (const [index, start] of ends.slice(0, -1).entries()) {
					texts[slots[index]! % 4] += ` ${number.slice(start, ends[index + 1])}`;
				}

				const masked = maskSecrets(texts, [number]);
				for (const text of masked) {
					for (const run of text.match(/\d+/g) ?? []) {
						expect(run.length < 6 || !number.includes(run), text).toBe(true);
					}
				}

				for (const a of masked) {
					for (const b of masked) {
						// Letters break a run of digits; anything else does not.
						expect((a + b).replace(/\p{L}/gu, 'x').replace(/[^\dx]/g, ''), `${a} ${b}`).not.toContain(number);
					}
				}
			}),
			{numRuns: 500},
		);
	});
});

// Issue 15.6: what masking promises, exactly (the README's Security section says the same).
describe('maskSecrets: exactly the echoes it promises', () => {
	const number = '4111111111111111';
	const cvc = '737';
	it('masks the number and the security code written with any digits, separators but letters, percent-encoding or references (generated)', () => {
		fc.assert(
			fc.property(encodedSecret(number), encodedSecret(cvc), (writtenNumber, writtenCvc) => {
				// The mask runs from the first digit to the last; a separator after the last is kept.
				const tail = (written: string) => /[\s.+/-]*$/.exec(written)![0];
				expect(maskSecrets([`card ${writtenNumber} end`, `cvc ${writtenCvc} end`], [number, cvc])).toEqual([`card [redacted]${tail(writtenNumber)} end`, `cvc [redacted]${tail(writtenCvc)} end`]);
			}),
			{numRuns: 300, seed: 20_261_204},
		);
	});

	it.each([
		['whole, with spaces', 'card 4111 1111 1111 1111', 'card [redacted]'],
		['full-width digits', 'card ４１１１１１１１１１１１１１１１', 'card [redacted]'],
		['percent-encoded', 'card %34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31', 'card [redacted]'],
		['character references', 'card &#52;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;&#49;', 'card [redacted]'],
		['pieces of 8, reordered', 'b 11111111 a 41111111', 'b [redacted] a [redacted]'],
		['6 digits of it', 'bin 411111', 'bin [redacted]'],
		['the security code inside a code', 'E53100737', 'E53100[redacted]'],
	])('masks %s', (_what, text, expected) => {
		expect(maskSecrets([text], [number, cvc])).toEqual([expected]);
	});

	// Not promised, and pinned so the README's words stay true: a server transforming the card
	// like this means to leak it, and already holds it. (An Amex number: its reversed digits share
	// no 6 in a row with it, as those of 4111… would.)
	it.each([
		['base64', 'Mzc4MjgyMjQ2MzEwMDA1'],
		['hex', '1580bb2ea8875'],
		['reversed', 'ref 500013642282873'],
		['letters between its digits', '3a7b8c2d8e2f2g4h6i3j1k0l0m0n5'],
		['pieces of 4, out of order, letters between', 'a 6310 b 3782 c 8224 d 005'],
	])('does not mask %s', (_what, text) => {
		expect(maskSecrets([text], ['378282246310005'])).toEqual([text]);
	});
});

describe('zuoraUrl', () => {
	it("joins the environment's base URL and the path", () => {
		expect(zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')).toBe('https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards');
		expect(zuoraUrl('eu')).toBe('https://rest.eu.zuora.com/v1/payment-methods/credit-cards');
	});

	it('knows the ten REST hosts, all https', () => {
		expect(Object.keys(ZUORA_BASE_URLS)).toHaveLength(10);
		for (const url of Object.values(ZUORA_BASE_URLS)) {
			expect(url).toMatch(/^https:\/\/rest\.([a-z]+\.)*zuora\.com$/);
		}
	});

	it('throws a validation error for an unknown environment or a bad path', () => {
		expect(() => zuoraUrl('mars' as never)).toThrow(
			expect.objectContaining({name: 'ZuoraCorsError', kind: 'validation', fields: {environment: {code: 'option_invalid', message: expect.stringContaining('apisandbox') as string}}}),
		);
		expect(() => zuoraUrl('eu', 'v1/x')).toThrow(expect.objectContaining({kind: 'validation', fields: {path: {code: 'option_invalid', message: 'not_path'}}}));
	});
});

describe('developer messages: one sentence with a code, built by named functions', () => {
	it('invalidOption names the option and its code, in the message and in fields', () => {
		expect(() => invalidOption('signature', 'timeout', 'not_milliseconds')).toThrow(
			expect.objectContaining({
				message: 'Invalid option `timeout` (not_milliseconds)',
				kind: 'validation',
				stage: 'signature',
				fields: {timeout: {code: 'option_invalid', message: 'not_milliseconds'}},
			}),
		);
	});

	it('cardNotSent gives the code and the fields concerned', () => {
		const fields = {creditCardNumber: {code: 'card_number_invalid' as const, message: 'm'}};
		expect(cardNotSent('card_invalid', fields)).toMatchObject({message: 'The card was not sent (card_invalid: creditCardNumber)', kind: 'validation', stage: 'request', fields});
		expect(cardNotSent('form_locked')).toMatchObject({message: 'The card was not sent (form_locked)', fields: undefined});
	});

	// The bundle carries codes, not prose (the prose is src/README.md's "Developer codes" table).
	it('every code the library passes is a snake_case code, optionally with the value that failed', () => {
		const root = fileURLToPath(new URL('.', import.meta.url));
		const files = readdirSync(root, {recursive: true, encoding: 'utf8'}).filter(file => file.endsWith('.ts') && !file.includes('.test') && !file.startsWith('server') && !file.startsWith('testing'));
		const codes = files.flatMap(file => [...readFileSync(join(root, file), 'utf8').matchAll(/(?:invalidOption\([^,]+, [^,]+, |refuse\(|cardNotSent\()(['`])(.*?)\1/g)].map(match => match[2]!));
		expect(codes.length).toBeGreaterThan(30);
		expect(codes.filter(code => !/^[a-z_]+(?:: \$\{.+\})?$/.test(code))).toEqual([]);
	});
});
