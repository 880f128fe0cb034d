/**
 * The submission's lifecycle, as decisions apart from the DOM: what a result does to the form
 * (locked after a success until `reset()`, locked while the outcome is unknown, a wait after a 429,
 * open again otherwise), which field
 * a decline names, and the status text meanwhile. `createLifecycle` applies them with timers.
 */
import {brandInfo, detectBrand} from '../card-rules.js';
import {describeError} from '../describe-error.js';
import type {ZuoraCorsError} from '../errors.js';
import {ERROR_MESSAGES, FORM_STATUS_MESSAGES, formatMessage, type Messages} from '../messages.js';

/**
 * `open`: the shopper can submit. `busy`: a submission is in flight. `saved`: the card was saved;
 * the form stays locked until `reset()`. `unknown`: the card left the page and whether Zuora saved
 * it is not known: locked while the reconcile endpoint is asked, and until `reset()` when it could
 * not tell. `waiting`: too many attempts; submit is off until `until`.
 */
export type FormState = {name: 'open'} | {name: 'busy'} | {name: 'saved'} | {name: 'unknown'} | {name: 'waiting'; until: number};

/** The describeError codes of an outcome nobody knows (`outcome_unknown*`, `cancelled_outcome_unknown`): the card may be saved, so nothing may send it again. */
const UNKNOWN_CODE = /outcome_unknown/;

/** The wait after a 429 that gave no `Retry-After`: long enough that clicks do not hammer a limiter. */
export const DEFAULT_WAIT = 5000;

/** How long a submission is busy before the status says it is still working (most saves answer sooner). */
export const STILL_WORKING_DELAY = 4000;

/** The state a result leaves the form in. */
export function stateAfter(outcome: {error: ZuoraCorsError} | {result: unknown}, now: number): FormState {
	if (!isFailure(outcome)) {
		return {name: 'saved'};
	}

	const {status, retryAfter} = outcome.error;
	if (UNKNOWN_CODE.test(describeError(outcome.error).code)) {
		return {name: 'unknown'};
	}

	if (status === 429) {
		return {name: 'waiting', until: now + (retryAfter !== undefined && retryAfter > 0 && Number.isFinite(retryAfter) ? retryAfter : DEFAULT_WAIT)};
	}

	return {name: 'open'};
}

// Gateway decline markers in Zuora's reason messages (`[card_error/incorrect_cvc/…]`), by the
// control that holds the wrong value (the same markers describeError reads).
const DECLINED_FIELDS: ReadonlyArray<readonly [RegExp, 'securityCode' | 'creditCardNumber' | 'expiry']> = [
	[/(?:incorrect|invalid).cvc/, 'securityCode'],
	[/(?:incorrect|invalid).number/, 'creditCardNumber'],
	[/expired.card/, 'expiry'],
];

/**
 * The field a refusal names, as a control name of this form (`expiry`, or `expirationMonth` when
 * the form has no `expiry` control): from the error's `fields`, else from a decline marker in
 * Zuora's reasons. Validation errors are not here: they mark their own fields.
 */
export function declinedField(error: ZuoraCorsError, names: ReadonlySet<string>): string | undefined {
	if (error.kind === 'validation') {
		return undefined;
	}

	const text = error.reasons
		.map(reason => reason.message)
		.join(' ')
		.toLowerCase();
	const named = Object.keys(error.fields ?? {})[0] ?? DECLINED_FIELDS.find(([pattern]) => pattern.test(text))?.[1];
	const field = named === 'expiry' || named === 'expirationMonth' || named === 'expirationYear' ? (names.has('expiry') ? 'expiry' : 'expirationMonth') : named;
	return field !== undefined && names.has(field) ? field : undefined;
}

/**
 * The status text after a result: describeError's, or the saved sentence, whose text may name the
 * card with `{brand}` (e.g. Visa) and `{last4}`, from the number the form held.
 */
export function resultText(outcome: {error: ZuoraCorsError} | {result: unknown}, messages: Messages | undefined, number = ''): string {
	if (isFailure(outcome)) {
		return describeError(outcome.error, {messages}).message;
	}

	const digits = number.replace(/\D/g, '');
	const brand = detectBrand(digits);
	return formatMessage('card_saved', FORM_STATUS_MESSAGES.card_saved, {brand: brand ? brandInfo(brand).niceType : '', last4: digits.slice(-4)}, messages);
}

/** The remaining wait as the status text (seconds up to 90, then minutes; never "1 seconds"). */
export function waitText(remaining: number, messages: Messages | undefined): string {
	const seconds = Math.max(2, Math.ceil(remaining / 1000));
	return seconds <= 90
		? formatMessage('too_many_attempts_seconds', ERROR_MESSAGES.too_many_attempts_seconds, {seconds}, messages)
		: formatMessage('too_many_attempts_minutes', ERROR_MESSAGES.too_many_attempts_minutes, {minutes: Math.ceil(seconds / 60)}, messages);
}

/** What the lifecycle does to the page. */
export type LifecycleEffects = {
	/** Enables or disables the bound fieldsets and controls, and the submit buttons. */
	setEnabled(fields: boolean, submit: boolean): void;
	setBusy(busy: boolean): void;
	setStatus(text: string, announce: boolean): void;
	messages(): Messages | undefined;
};

/** The form's state with its effects and the countdown timer. */
export function createLifecycle(effects: LifecycleEffects) {
	let state: FormState = {name: 'open'};
	let timer: ReturnType<typeof setTimeout> | undefined;

	const stopTimer = () => {
		clearTimeout(timer);
		timer = undefined;
	};

	/** Shows the remaining wait each second, then opens the form. */
	const tick = () => {
		const remaining = state.name === 'waiting' ? state.until - Date.now() : 0;
		if (remaining <= 0) {
			enter({name: 'open'});
			effects.setStatus('', false);
			return;
		}

		effects.setStatus(waitText(remaining, effects.messages()), false);
		timer = setTimeout(tick, Math.min(1000, remaining % 1000 || 1000));
	};

	const enter = (next: FormState) => {
		stopTimer();
		state = next;
		effects.setBusy(next.name === 'busy');
		// Saved or unknown: the card may be at Zuora, so nothing on the page may send it again.
		effects.setEnabled(next.name !== 'saved' && next.name !== 'unknown', next.name === 'open');

		if (next.name === 'waiting') {
			tick();
		}

		// Said once: a status region announces each change of its text.
		if (next.name === 'busy') {
			timer = setTimeout(() => {
				effects.setStatus(formatMessage('still_working', FORM_STATUS_MESSAGES.still_working, {}, effects.messages()), false);
			}, STILL_WORKING_DELAY);
		}
	};

	return {
		get state() {
			return state;
		},
		enter,
		/** Stops the timer (destroy()). */
		stop: stopTimer,
	};
}

/**
 * Whether an outcome is a failure: its own `error`, never one a polluted Object.prototype lends
 * (an `in` test is a read too); anything else is a success with its own `result`.
 */
export function isFailure<T extends object>(outcome: T): outcome is Extract<T, {error: unknown}> {
	return Object.hasOwn(outcome, 'error');
}
