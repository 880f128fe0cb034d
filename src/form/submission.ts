/**
 * One submission at a time, from the click to its result: the card checked (refused before any
 * network call), the prefetched signature taken (single-use, replaced when too old), the card
 * sent through `createPaymentMethod`, and what the result does to the form (`settle`); while the
 * outcome is unknown the form is locked (`enterUnknown`). Each card attempt has its own
 * Idempotency-Key (when the page opted in): the same across that card's retries and re-sign, a
 * new one after `reset()` and after any outcome that says what Zuora did.
 */
import {cardNotSent, ZuoraCorsError} from '../errors.js';
import {invalidOption} from '../options.js';
import {createPaymentMethod, type PaymentMethodResult} from '../payment-method.js';
import {requestSignature, signatureBefore, type CorsSignature, type prepareSignatureRequest} from '../signature.js';
import type {BindingContext} from './context.js';
import {formError} from './field-state.js';
import type {Control} from './dom-calls.js';
import {CARD_FIELDS, duplicates, scan} from './fields.js';
import {FORM_STATUS_MESSAGES, formatMessage} from '../messages.js';
import {declinedField, isFailure, resultText, stateAfter, waitText} from './lifecycle.js';

type Outcome = {result: PaymentMethodResult} | {error: ZuoraCorsError};

export function createSubmission(context: BindingContext, signatureRequest: ReturnType<typeof prepareSignatureRequest>, maxAge: number) {
	const {form, names, view, lifecycle, messages} = context;
	const pair = createPrefetchedPair(context, signatureRequest, maxAge);
	let inFlight: Promise<PaymentMethodResult> | undefined;
	/** This card attempt's Idempotency-Key, minted at its first send. */
	let cardKey: string | undefined;
	/** The number sent, for the saved sentence (`{brand}`, `{last4}`): the controls may be cleared by then (the unknown state). */
	let sentNumber = '';

	const run = async (): Promise<PaymentMethodResult> => {
		const card = checkedCard(context);
		// A valid card takes the pair: it is single-use. The signature stage ends within its timeout
		// from the click, the wait for the prefetched pair and a fresh one included.
		const prefetched = pair.take();
		sentNumber = String(card.creditCardNumber);
		lifecycle.enter({name: 'busy'});
		const signature = await signatureBefore(signatureRequest, prefetched);
		cardKey ??= mintIdempotencyKey(context.options.idempotencyKey);
		return createPaymentMethod({
			...context.options,
			messages: messages(),
			card,
			signature,
			idempotencyKey: cardKey,
			onOutcomeUnknown(error) {
				enterUnknown(context, error);
			},
		});
	};

	const finish = (outcome: Outcome) => {
		if (!keepsKey(outcome)) {
			cardKey = undefined;
		}

		settle(context, outcome, sentNumber);
		context.publish(outcome);
		if (isFailure(outcome)) {
			throw outcome.error;
		}

		return outcome.result;
	};

	const submit = async () => {
		context.refuseDestroyed();
		const {name} = lifecycle.state;
		// Saved, unknown (the card may be at Zuora) or waiting; a click while busy joins the submission in flight.
		if (name !== 'open' && name !== 'busy') {
			throw cardNotSent(name === 'waiting' ? 'form_waiting' : 'form_locked');
		}

		// createPaymentMethod rejects only with ZuoraCorsError; anything else is a bug, wrapped so
		// listeners get one type. Its text and cause are dropped: they could hold what was typed.
		inFlight ??= run()
			.then(
				result => finish({result}),
				(error: unknown) => finish({error: error instanceof ZuoraCorsError ? error : new ZuoraCorsError('bindForm failed unexpectedly', {kind: 'invalid-response', stage: 'request'})}),
			)
			.finally(() => {
				inFlight = undefined;
			});
		return inFlight;
	};

	return {
		submit,
		prefetch: pair.prefetch,
		onSubmit(event: Event) {
			event.preventDefault();
			// Failures reach the page through onError and the error event.
			submit().catch(() => undefined);
		},
		onInteraction() {
			// A form that cannot be submitted (a card field given twice, locked, waiting) gets no token: every one is fraud surface.
			if (lifecycle.state.name === 'open' && !inFlight && !pair.fresh() && duplicates(scan(form, names)).length === 0) {
				pair.prefetch().catch(() => undefined);
			}
		},
		/** After a success: the errors, the status and the card's own controls cleared (declared fields keep their values), the form open. */
		reset() {
			view.showErrors({});
			view.setStatus('', false);
			for (const control of context.markup.controls) {
				if ((CARD_FIELDS as readonly string[]).includes(control.name)) {
					control.value = '';
				}
			}

			pair.forget();
			cardKey = undefined;
			if (!inFlight) {
				lifecycle.enter({name: 'open'});
			}
		},
		/** destroy(): the pair is dropped. */
		forget: pair.forget,
	};
}

/** The card the form holds, its errors shown; refused before any network call (the prefetched pair stays for the corrected card). */
function checkedCard({form, names, view, messages, check}: BindingContext) {
	const controls = scan(form, names);
	const repeated = duplicates(controls);
	const [card, {errors}] = check(controls);
	const fields = repeated.length > 0 ? Object.fromEntries(repeated.map(name => [name, formError('field_repeated', messages())])) : errors;
	view.showErrors(fields, controls);
	view.setStatus('', false);
	if (Object.keys(fields).length > 0) {
		throw cardNotSent(repeated.length > 0 ? 'field_repeated' : 'card_invalid', fields);
	}

	return card;
}

/** What a result does to the form: its state, the cleared card, the marked field, the status (announced, in view). */
export function settle(context: BindingContext, outcome: Outcome, number = ''): void {
	const {form, names, view, lifecycle, messages} = context;
	if (context.destroyed) {
		return;
	}

	const controls = scan(form, names);
	const state = stateAfter(outcome, Date.now());
	if (!isFailure(outcome) || state.name === 'unknown') {
		clearCard(controls);
	}

	// From busy or unknown (a submission in flight); from open (a refused card) only to another state.
	if (lifecycle.state.name !== 'open' || state.name !== 'open') {
		lifecycle.enter(state);
	}

	const field = isFailure(outcome) ? declinedField(outcome.error, names) : undefined;
	const text = state.name === 'waiting' ? waitText(state.until - Date.now(), messages()) : resultText(outcome, messages(), number);
	if (field) {
		view.showErrors({[field]: {message: text}}, controls);
	}

	view.setStatus(text, true);
	// The busy state disabled the button that had focus: it goes where the shopper can act.
	view.focusAction(controls);
}

/** The card is (or may be) saved: its number and code leave the page. */
function clearCard(controls: Map<string, Control[]>): void {
	for (const control of [...(controls.get('creditCardNumber') ?? []), ...(controls.get('securityCode') ?? [])]) {
		control.value = '';
	}
}

/**
 * The card's outcome became unknown (createPaymentMethod asks the reconcile endpoint now): the form
 * locks, the number and code leave the page as after a save, the status says it is checking
 * (announced), and the page hears `zuora-cors:checking`.
 */
export function enterUnknown(context: BindingContext, error: ZuoraCorsError): void {
	const {form, names, view, lifecycle, messages} = context;
	if (context.destroyed) {
		return;
	}

	clearCard(scan(form, names));
	lifecycle.enter({name: 'unknown'});
	view.setStatus(formatMessage('card_checking', FORM_STATUS_MESSAGES.card_checking, {}, messages()), true);
	context.report('checking', {error});
}

/**
 * Whether the card attempt goes on under the same Idempotency-Key: only after a failure that says
 * nothing was processed (a field error, a retryable refusal) could the same card be sent again under
 * it; after any outcome that says what Zuora did (saved, refused, not saved) the next card gets a new one.
 */
export function keepsKey(outcome: Outcome): boolean {
	return isFailure(outcome) && (outcome.error.kind === 'validation' || (outcome.error.retryable && outcome.error.kind !== 'not-saved'));
}

/** The page's `idempotencyKey` option read: a prefix (`<prefix>-<UUID>` per card) or a function called per card, else a `validation` error. */
export function readIdempotencyKeyOption(value: unknown): string | (() => string) | undefined {
	if (value === undefined || typeof value === 'function' || (typeof value === 'string' && value !== '' && value.length <= 200)) {
		return value as string | (() => string) | undefined;
	}

	return invalidOption('request', 'idempotencyKey', 'not_key_source');
}

/** A new key for a card attempt: none without the option (opt-in), the prefix and a random UUID (HTTPS pages have `crypto.randomUUID`), or the page's function's. */
export function mintIdempotencyKey(option: string | (() => string) | undefined): string | undefined {
	// Checked when binding (readIdempotencyKeyOption); the function's key is checked as any key is, before sending.
	return typeof option === 'function' ? option() : option && `${option}-${crypto.randomUUID()}`;
}

/** The signature fetched on the first interaction: single-use, replaced when older than `maxAge`. */
function createPrefetchedPair(context: BindingContext, signatureRequest: ReturnType<typeof prepareSignatureRequest>, maxAge: number) {
	let prefetched: Promise<CorsSignature> | undefined;
	let prefetchedAt = 0;
	const fresh = () => (Date.now() - prefetchedAt <= maxAge ? prefetched : undefined);
	return {
		async prefetch() {
			context.refuseDestroyed();
			const promise = requestSignature(signatureRequest);
			// Failure is handled at submit time (a fresh pair is fetched); do not report it twice.
			promise.catch(() => undefined);
			prefetched = promise;
			prefetchedAt = Date.now();
			return promise;
		},
		/** The prefetched pair, unless it is too old. */
		fresh,
		/** The fresh pair, if any, taken: it is single-use. */
		take() {
			const pair = fresh();
			prefetched = undefined;
			return pair;
		},
		forget() {
			prefetched = undefined;
		},
	};
}
