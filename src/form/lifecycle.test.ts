import {afterEach, describe, expect, it, vi} from 'vitest';
import {ZuoraCorsError, type ZuoraCorsErrorDetails} from '../errors.js';
import {createLifecycle, declinedField, DEFAULT_WAIT, resultText, stateAfter, waitText} from './lifecycle.js';

const error = (details: Partial<ZuoraCorsErrorDetails>) => new ZuoraCorsError('x', {kind: 'zuora', stage: 'request', ...details});
const decline = (marker: string) => error({status: 200, reasons: [{code: 53000020, message: `Transaction declined.402 - [card_error/${marker}/${marker}] Your card was declined.`}]});

describe('stateAfter', () => {
	it('a success locks; an outcome nobody knows locks; a 429 waits retryAfter (or the default); anything else opens, not-saved included', () => {
		expect(stateAfter({result: {}}, 1000)).toEqual({name: 'saved'});
		expect(stateAfter({error: error({kind: 'http', status: 429, retryAfter: 7000})}, 1000)).toEqual({name: 'waiting', until: 8000});
		expect(stateAfter({error: error({kind: 'http', stage: 'signature', status: 429})}, 1000)).toEqual({name: 'waiting', until: 1000 + DEFAULT_WAIT});
		for (const retryAfter of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(stateAfter({error: error({kind: 'http', status: 429, retryAfter})}, 0)).toEqual({name: 'waiting', until: DEFAULT_WAIT});
		}

		for (const failure of [
			decline('incorrect_cvc'),
			error({kind: 'network', stage: 'signature'}),
			error({kind: 'validation'}),
			error({kind: 'not-saved' as never, retryAfter: 5000}),
			error({kind: 'http', status: 503, retryable: true}),
		]) {
			expect(stateAfter({error: failure}, 0)).toEqual({name: 'open'});
		}

		// The card left the page and nobody could tell what Zuora did: locked until reset().
		for (const failure of [
			error({kind: 'network'}),
			error({kind: 'timeout'}),
			error({kind: 'http', status: 502}),
			error({kind: 'http', status: 409}),
			error({kind: 'invalid-response', code: 90_000_011} as never),
			error({kind: 'aborted'}),
			error({kind: 'future' as never}),
		]) {
			expect([failure.kind, stateAfter({error: failure}, 0)]).toEqual([failure.kind, {name: 'unknown'}]);
		}
	});
});

describe('declinedField', () => {
	const names = new Set(['creditCardNumber', 'expiry', 'securityCode']);
	it("names the control a decline marker or the error's fields point at", () => {
		expect(declinedField(decline('incorrect_cvc'), names)).toBe('securityCode');
		expect(declinedField(decline('invalid_cvc'), names)).toBe('securityCode');
		expect(declinedField(decline('incorrect_number'), names)).toBe('creditCardNumber');
		expect(declinedField(decline('expired_card'), names)).toBe('expiry');
		expect(declinedField(decline('expired_card'), new Set(['expirationMonth', 'expirationYear']))).toBe('expirationMonth');
		expect(declinedField(error({fields: {securityCode: {code: 'security_code_invalid', message: 'm'}}}), names)).toBe('securityCode');
	});

	it('names nothing for a generic decline, a validation error, or a field the form lacks', () => {
		expect(declinedField(decline('generic_decline'), names)).toBeUndefined();
		expect(declinedField(decline('insufficient_funds'), names)).toBeUndefined();
		expect(declinedField(error({kind: 'validation', fields: {securityCode: {code: 'security_code_invalid', message: 'm'}}}), names)).toBeUndefined();
		expect(declinedField(decline('incorrect_cvc'), new Set(['creditCardNumber']))).toBeUndefined();
	});
});

describe('texts', () => {
	it("the saved sentence, describeError's for an error, the wait in seconds then minutes, in the page's texts", () => {
		expect(resultText({result: {}}, undefined)).toBe('Your card was saved.');
		expect(resultText({result: {}}, {card_saved: 'Gespeichert.'})).toBe('Gespeichert.');
		// A page's own saved sentence may name the card: the brand's name and the last 4 digits, whatever the grouping.
		const named = {card_saved: '{brand} ending {last4} saved.'};
		expect(resultText({result: {}}, named, '4111 1111 1111 1111')).toBe('Visa ending 1111 saved.');
		expect(resultText({result: {}}, named, '3782 822463 10005')).toBe('American Express ending 0005 saved.');
		expect(resultText({result: {}}, undefined, '4111 1111 1111 1111')).toBe('Your card was saved.');
		expect(resultText({error: decline('incorrect_cvc')}, undefined)).toBe('Your card was declined because the security code is wrong. Please check it and try again.');
		expect(waitText(30_000, undefined)).toBe('Too many attempts. Please wait 30 seconds and try again.');
		expect(waitText(29_001, undefined)).toBe('Too many attempts. Please wait 30 seconds and try again.');
		expect(waitText(500, undefined)).toBe('Too many attempts. Please wait 2 seconds and try again.');
		expect(waitText(150_000, undefined)).toBe('Too many attempts. Please wait 3 minutes and try again.');
	});
});

describe('createLifecycle', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	function effects() {
		const log: string[] = [];
		return {
			log,
			effects: {
				setEnabled: (fields: boolean, submit: boolean) => log.push(`fields ${fields ? 'on' : 'off'}, submit ${submit ? 'on' : 'off'}`),
				setBusy: (busy: boolean) => log.push(busy ? 'busy' : 'idle'),
				setStatus: (text: string) => log.push(`status: ${text}`),
				messages: () => undefined,
			},
		};
	}

	it('busy turns submit off; saved turns everything off; open turns everything on', () => {
		const {log, effects: page} = effects();
		const lifecycle = createLifecycle(page);
		lifecycle.enter({name: 'busy'});
		expect(log.splice(0)).toEqual(['busy', 'fields on, submit off']);
		lifecycle.enter({name: 'saved'});
		expect(log.splice(0)).toEqual(['idle', 'fields off, submit off']);
		lifecycle.enter({name: 'open'});
		expect(log.splice(0)).toEqual(['idle', 'fields on, submit on']);
		lifecycle.enter({name: 'unknown'});
		expect(log.splice(0)).toEqual(['idle', 'fields off, submit off']);
	});

	it('waiting counts down in the status each second, then opens the form and clears the status', () => {
		vi.useFakeTimers({now: 0});
		const {log, effects: page} = effects();
		const lifecycle = createLifecycle(page);
		lifecycle.enter({name: 'waiting', until: 3500});
		expect(log.splice(0)).toEqual(['idle', 'fields on, submit off', 'status: Too many attempts. Please wait 4 seconds and try again.']);
		vi.advanceTimersByTime(500);
		expect(log.splice(0)).toEqual(['status: Too many attempts. Please wait 3 seconds and try again.']);
		vi.advanceTimersByTime(2999);
		expect(lifecycle.state.name).toBe('waiting');
		expect(log.splice(0)).toEqual(['status: Too many attempts. Please wait 2 seconds and try again.', 'status: Too many attempts. Please wait 2 seconds and try again.']);
		vi.advanceTimersByTime(1);
		expect(lifecycle.state).toEqual({name: 'open'});
		expect(log.splice(0)).toEqual(['idle', 'fields on, submit on', 'status: ']);
		vi.advanceTimersByTime(10_000);
		expect(log).toEqual([]);
	});

	it('stop() ends the countdown', () => {
		vi.useFakeTimers({now: 0});
		const {log, effects: page} = effects();
		const lifecycle = createLifecycle(page);
		lifecycle.enter({name: 'waiting', until: 5000});
		lifecycle.stop();
		log.length = 0;
		vi.advanceTimersByTime(10_000);
		expect(log).toEqual([]);
	});
});
