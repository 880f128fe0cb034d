import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {describeError} from './describe-error.js';
import {ZuoraCorsError, type ZuoraCorsErrorDetails, type ZuoraCorsErrorKind, type ZuoraCorsStage} from './errors.js';
import {ERROR_MESSAGES} from './messages.js';
import {de} from './locales/de.js';
import {fr} from './locales/fr.js';
import {es} from './locales/es.js';
import {ja} from './locales/ja.js';

const isSetupCode = (code: unknown) => code === 'SETUP_ERROR' || [90_000_010, 90_000_012].includes(Number(code));
const error = (details: ZuoraCorsErrorDetails) => new ZuoraCorsError('developer text', details);
const described = (details: ZuoraCorsErrorDetails) => describeError(error(details));
const reason = (message: string, code: number | string = 53_100_099) => ({code, message});

const CHECKOUT_UNAVAILABLE = 'The payment could not be started. Your card was not saved. Please try again later or contact us.';
const UNKNOWN = 'We could not confirm whether your card was saved. Please check your saved cards before trying again.';

describe('describeError: the card may have left the browser (request stage), no clear answer', () => {
	it('network: lost connection, outcome unknown, never "failed"', () => {
		expect(described({kind: 'network', stage: 'request'})).toEqual({
			code: 'outcome_unknown_connection',
			message: 'The connection was lost, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
		});
	});

	it('timeout: outcome unknown', () => {
		expect(described({kind: 'timeout', stage: 'request'})).toEqual({
			code: 'outcome_unknown_timeout',
			message: 'No answer in time, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
		});
	});

	it.each([500, 502, 504, 409])('http %i: outcome unknown (Zuora may have created the method)', status => {
		expect(described({kind: 'http', stage: 'request', status})).toEqual({code: 'outcome_unknown', message: UNKNOWN});
	});

	it('invalid-response (a 2xx nobody can read, a refused redirect): outcome unknown', () => {
		expect(described({kind: 'invalid-response', stage: 'request', status: 200})).toEqual({code: 'outcome_unknown', message: UNKNOWN});
	});

	it('a kind this version does not know: outcome unknown at the request stage', () => {
		expect(described({kind: 'redirect' as ZuoraCorsErrorKind, stage: 'request'})).toEqual({code: 'outcome_unknown', message: UNKNOWN});
	});

	it('aborted at the request stage: cancelled, outcome unknown', () => {
		expect(described({kind: 'aborted', stage: 'request'})).toEqual({
			code: 'cancelled_outcome_unknown',
			message: 'Cancelled, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
		});
	});
});

describe('describeError: declines without gateway jargon', () => {
	it.each([
		['Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.', 'card_declined', 'Your card was declined. Please use another card or contact your bank.'],
		[
			'Transaction declined.402 - [card_error/card_declined/insufficient_funds] Your card has insufficient funds.',
			'card_declined_insufficient_funds',
			'Your card was declined for insufficient funds. Please use another card.',
		],
		['Transaction declined.402 - [card_error/expired_card/expired_card] Your card has expired.', 'card_declined_expired', 'Your card was declined because it has expired. Please use another card.'],
		['Transaction declined.402 - [card_declined/expired_card] Your card has expired.', 'card_declined_expired', 'Your card was declined because it has expired. Please use another card.'],
		[
			"Transaction declined.402 - [card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect.",
			'card_declined_security_code',
			'Your card was declined because the security code is wrong. Please check it and try again.',
		],
		[
			'Transaction declined.402 - [card_error/incorrect_number/incorrect_number] Your card number is incorrect.',
			'card_declined_number',
			'Your card was declined because the card number is wrong. Please check it and try again.',
		],
		['<b>Transaction declined</b> - do_not_honor', 'card_declined', 'Your card was declined. Please use another card or contact your bank.'],
	])('%s → %s', (message, code, sentence) => {
		const result = described({kind: 'zuora', stage: 'request', status: 200, reasons: [reason(message)]});
		expect(result).toEqual({code, message: sentence});
		expect(result.message).not.toMatch(/\[|_|402|Transaction/);
	});

	it('a decline relayed with a 4xx and reasons reads the same', () => {
		expect(described({kind: 'http', stage: 'request', status: 402, reasons: [reason('[card_error/card_declined/insufficient_funds]')]}).code).toBe('card_declined_insufficient_funds');
	});

	it('a refusal that is not a decline: not saved, no jargon', () => {
		expect(described({kind: 'zuora', stage: 'request', status: 200, reasons: [reason('Invalid parameter value: creditCardType', 53_100_020)]})).toEqual({
			code: 'card_not_saved',
			message: 'Your card was not saved. Please check the details or use another card.',
		});
	});
});

describe('describeError: expired session, too many attempts, service busy', () => {
	it.each([
		[{kind: 'zuora', stage: 'request', status: 200, reasons: [reason('Invalid token.', 90_000_011)]}],
		[{kind: 'zuora', stage: 'request', status: 401, reasons: [reason('this resource is protected, please sign in first', '90000011')]}],
		[{kind: 'http', stage: 'signature', status: 403}],
		[{kind: 'http', stage: 'signature', status: 401}],
	] as Array<[ZuoraCorsErrorDetails]>)('%j → session_expired', details => {
		expect(described(details)).toEqual({code: 'session_expired', message: 'Your session has expired. Please reload the page and try again.'});
	});

	it.each([
		[undefined, 'too_many_attempts', 'Too many attempts. Please wait a moment and try again.'],
		[0, 'too_many_attempts', 'Too many attempts. Please wait a moment and try again.'],
		[1, 'too_many_attempts_seconds', 'Too many attempts. Please wait 2 seconds and try again.'],
		[1500, 'too_many_attempts_seconds', 'Too many attempts. Please wait 2 seconds and try again.'],
		[30_000, 'too_many_attempts_seconds', 'Too many attempts. Please wait 30 seconds and try again.'],
		[30_001, 'too_many_attempts_seconds', 'Too many attempts. Please wait 31 seconds and try again.'],
		[90_000, 'too_many_attempts_seconds', 'Too many attempts. Please wait 90 seconds and try again.'],
		[90_001, 'too_many_attempts_minutes', 'Too many attempts. Please wait 2 minutes and try again.'],
		[600_000, 'too_many_attempts_minutes', 'Too many attempts. Please wait 10 minutes and try again.'],
	])('429 with retryAfter %j ms → %s', (retryAfter, code, message) => {
		for (const stage of ['signature', 'request'] as const) {
			expect(described({kind: 'http', stage, status: 429, retryAfter})).toEqual({code, message});
		}
	});

	it('the wait is never shorter than retryAfter, never "1 second(s)/minute(s)" (generated)', () => {
		fc.assert(
			fc.property(fc.integer({min: 1, max: 86_400_000}), retryAfter => {
				const {message} = described({kind: 'http', stage: 'request', status: 429, retryAfter});
				const [, amount, unit] = /wait (\d+) (seconds|minutes)/.exec(message)!;
				expect(Number(amount) * (unit === 'minutes' ? 60_000 : 1000)).toBeGreaterThanOrEqual(retryAfter);
				expect(Number(amount)).toBeGreaterThanOrEqual(2);
			}),
		);
	});

	it.each([
		[{kind: 'http', stage: 'request', status: 503}],
		[{kind: 'http', stage: 'request', status: 408}],
		[{kind: 'http', stage: 'signature', status: 500}],
		[{kind: 'http', stage: 'signature', status: 502}],
	] as Array<[ZuoraCorsErrorDetails]>)('%j (not processed, retryable) → service_unavailable', details => {
		expect(described(details)).toEqual({code: 'service_unavailable', message: 'The payment service is busy. Please try again in a moment.'});
	});
});

describe('describeError: the card was never sent (signature stage, validation)', () => {
	it.each([
		['network', 'connection_lost', 'We could not connect. Your card was not sent. Please check your connection and try again.'],
		// No pair within the signature stage's deadline: the backend is busy (issue 23).
		['timeout', 'service_unavailable', 'The payment service is busy. Please try again in a moment.'],
		['aborted', 'cancelled', 'Cancelled. Your card was not sent.'],
		['invalid-response', 'checkout_unavailable', CHECKOUT_UNAVAILABLE],
		['zuora', 'checkout_unavailable', CHECKOUT_UNAVAILABLE],
	] as Array<[ZuoraCorsErrorKind, string, string]>)('%s → %s', (kind, code, message) => {
		expect(described({kind, stage: 'signature'})).toEqual({code, message});
	});

	it('a 4xx from the backend other than 401/403/429: checkout_unavailable', () => {
		expect(described({kind: 'http', stage: 'signature', status: 400}).code).toBe('checkout_unavailable');
	});

	it("validation: the first invalid field's code, message and name", () => {
		expect(
			described({
				kind: 'validation',
				stage: 'request',
				fields: {
					creditCardNumber: {code: 'card_number_invalid', message: 'The card number is not valid. Check it for typos.'},
					securityCode: {code: 'security_code_invalid', message: 'Enter the 3 digit security code.', values: {size: 3}},
				},
			}),
		).toEqual({code: 'card_number_invalid', field: 'creditCardNumber', message: 'The card number is not valid. Check it for typos.'});
	});

	it('validation: retranslated by code with its values', () => {
		const failure = error({
			kind: 'validation',
			stage: 'request',
			fields: {securityCode: {code: 'security_code_invalid_front', message: 'Enter the 4 digit security code printed on the front of the card.', values: {size: 4}}},
		});
		expect(describeError(failure, {messages: fr})).toEqual({
			code: 'security_code_invalid_front',
			field: 'securityCode',
			message: 'Saisissez le code de sécurité à 4 chiffres imprimé au recto de la carte.',
		});
		// A partial catalogue keeps the text the field was given.
		expect(describeError(failure, {messages: {}}).message).toBe('Enter the 4 digit security code printed on the front of the card.');
	});

	it("a bad option (the page's fault): card_not_sent, never the developer text", () => {
		expect(described({kind: 'validation', stage: 'request', fields: {url: {code: 'option_invalid', message: 'expected an https URL'}}})).toEqual({
			code: 'card_not_sent',
			message: 'Something went wrong. Your card was not sent. Please try again later.',
		});
	});
});

describe('describeError: every kind × stage × notable status (generated)', () => {
	const kinds: ZuoraCorsErrorKind[] = ['zuora', 'http', 'network', 'timeout', 'invalid-response', 'validation', 'aborted', 'setup', 'not-saved'];
	const stages: ZuoraCorsStage[] = ['signature', 'request'];
	const statuses = [undefined, 200, 400, 401, 402, 403, 404, 408, 409, 422, 425, 429, 500, 502, 503, 504];
	const codes = [undefined, 90_000_011, '90000011', 90_000_010, 90_000_012, '90000012', 'SETUP_ERROR', 53_100_320, 53_100_050, 53_100_061, 53_100_070, 53_100_099, 'SystemError'];
	const messages = [
		'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.',
		'Invalid token.',
		'<p>Something</p> 4111 1111 1111 1111',
		'Payment method not allowed',
	];
	const arbitrary = fc.record({
		kind: fc.constantFrom(...kinds),
		stage: fc.constantFrom(...stages),
		status: fc.constantFrom(...statuses),
		code: fc.constantFrom(...codes),
		message: fc.constantFrom(...messages),
		retryAfter: fc.option(fc.integer({min: 0, max: 10_000_000}), {nil: undefined}),
	});

	it('always a catalogue sentence (never server text), in every locale, and "not sent" only where nothing was sent', () => {
		fc.assert(
			fc.property(arbitrary, ({kind, stage, status, code, message, retryAfter}) => {
				const failure = error({kind, stage, status, retryAfter, reasons: code === undefined ? [] : [reason(message, code)]});
				const {code: sentence, message: text} = describeError(failure);
				expect(Object.hasOwn(ERROR_MESSAGES, sentence)).toBe(true);
				expect(text).not.toMatch(/[[\]<>{}]|\d{5}/);
				if (text.includes('not sent')) {
					expect(stage === 'signature' || kind === 'validation').toBe(true);
				}

				// A card that may have left the browser without a clear refusal is never called failed or saved.
				const unclear =
					stage === 'request' &&
					(['network', 'timeout', 'aborted'].includes(kind) ||
						(kind === 'invalid-response' && status !== 429) ||
						(kind === 'http' && (status === undefined || status >= 500 || status === 409) && !failure.retryable && status !== 429 && Number(code) !== 90_000_011 && !isSetupCode(code)));
				if (unclear) {
					expect(sentence).toMatch(/outcome_unknown/);
					expect(text).toContain('could not confirm');
				}

				// The checkout's own setup is never the shopper's card.
				if (kind === 'setup' || (isSetupCode(code) && (kind === 'zuora' || kind === 'http'))) {
					expect(sentence).toBe('checkout_unavailable');
				}

				for (const catalogue of [de, fr, es, ja]) {
					const translated = describeError(failure, {messages: catalogue});
					expect(translated.code).toBe(sentence);
					expect(translated.message).not.toMatch(/{\w+}/);
					expect(translated.message).not.toBe(text);
				}
			}),
			{numRuns: 2000},
		);
	});

	it('every error code is reachable', () => {
		const seen = new Set<string>();
		for (const kind of kinds) {
			for (const stage of stages) {
				for (const status of statuses) {
					for (const code of codes) {
						for (const message of [...messages, 'insufficient_funds', 'expired_card', 'incorrect_cvc', 'incorrect_number']) {
							for (const retryAfter of [undefined, 5000, 300_000]) {
								seen.add(described({kind, stage, status, retryAfter, reasons: code === undefined ? [] : [reason(message, code)]}).code);
							}
						}
					}
				}
			}
		}

		expect(Object.keys(ERROR_MESSAGES).filter(code => !seen.has(code))).toEqual([]);
	}, 60_000);

	it('survives what is not an error', () => {
		expect(describeError(undefined as never)).toEqual({code: 'outcome_unknown', message: UNKNOWN});
		expect(describeError(new Error('x') as never).code).toBe('outcome_unknown');
	});

	it('a sentence translated by code, with the wait filled in', () => {
		expect(describeError(error({kind: 'http', stage: 'request', status: 429, retryAfter: 120_000}), {messages: ja})).toEqual({
			code: 'too_many_attempts_minutes',
			message: '試行回数が多すぎます。2分待ってから、もう一度お試しください。',
		});
		expect(describeError(error({kind: 'network', stage: 'request'}), {messages: {outcome_unknown_connection: 'Connexion perdue.'}}).message).toBe('Connexion perdue.');
	});
});

describe('describeError: the checkout\'s setup and a reconciled "not saved" (issue 17.3, 18.2)', () => {
	it.each(['signature', 'request'] as const)('kind setup at the %s stage: checkout_unavailable, not retryable', stage => {
		const failure = error({kind: 'setup', stage, status: 500, reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]});
		expect(failure.retryable).toBe(false);
		expect(describeError(failure)).toEqual({code: 'checkout_unavailable', message: CHECKOUT_UNAVAILABLE});
	});

	it.each([90_000_012, '90000012', 90_000_010])("Zuora's %s at the request stage: checkout_unavailable, never card_not_saved", code => {
		expect(described({kind: 'zuora', stage: 'request', status: 200, reasons: [reason('Invalid signature', code)]}).code).toBe('checkout_unavailable');
		expect(described({kind: 'http', stage: 'request', status: 401, reasons: [reason('Invalid signature', code)]}).code).toBe('checkout_unavailable');
	});

	it('not-saved (the backend found no card after a lost answer): an invitation to try again, in every locale', () => {
		const failure = error({kind: 'not-saved', stage: 'request'});
		expect(failure.retryable).toBe(true);
		expect(describeError(failure)).toEqual({code: 'card_not_saved_try_again', message: 'Your card was not saved. Please try again.'});
		for (const catalogue of [de, fr, es, ja]) {
			expect(describeError(failure, {messages: catalogue}).message).toBe(catalogue.card_not_saved_try_again);
		}
	});

	it('takes the unknown of a catch: a thrown string, null, a plain object, an Error', () => {
		for (const thrown of ['boom', null, 42, {kind: 'network', stage: 'signature'}, new TypeError('x')] as unknown[]) {
			const {code} = describeError(thrown);
			expect(Object.hasOwn(ERROR_MESSAGES, code)).toBe(true);
		}

		// A plain object is read by its own properties (an error that crossed a worker boundary).
		expect(describeError({kind: 'network', stage: 'signature'}).code).toBe('connection_lost');
		expect(describeError(Object.create({kind: 'network', stage: 'signature'})).code).toBe('outcome_unknown');
	});
});
