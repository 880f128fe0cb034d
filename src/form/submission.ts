/**
 * One submission at a time, from the click to its result: the card checked (refused before any
 * network call), the prefetched signature taken (single-use, replaced when too old), the card
 * sent through `createPaymentMethod`, and what the result does to the form (`settle`).
 */
import {ZuoraCorsError} from '../errors.js';
import {createPaymentMethod, type PaymentMethodResult} from '../payment-method.js';
import {requestSignature, type CorsSignature, type prepareSignatureRequest} from '../signature.js';
import type {BindingContext} from './context.js';
import {formError} from './field-state.js';
import {CARD_FIELDS, duplicates, scan} from './fields.js';
import {declinedField, isFailure, resultText, stateAfter, waitText} from './lifecycle.js';

type Outcome = {result: PaymentMethodResult} | {error: ZuoraCorsError};

export function createSubmission(context: BindingContext, signatureRequest: ReturnType<typeof prepareSignatureRequest>, maxAge: number) {
	const {form, names, view, lifecycle, messages} = context;
	const pair = createPrefetchedPair(context, signatureRequest, maxAge);
	let inFlight: Promise<PaymentMethodResult> | undefined;

	const run = async (): Promise<PaymentMethodResult> => {
		const controls = scan(form, names);
		const repeated = duplicates(controls);
		const [card, {errors}] = context.check(controls);
		const fields = repeated.length > 0 ? Object.fromEntries(repeated.map(name => [name, formError('field_repeated', messages())])) : errors;
		view.showErrors(fields, controls);
		view.setStatus('', false);
		// Refused before any network call; the prefetched pair stays for the corrected card.
		if (Object.keys(fields).length > 0) {
			throw new ZuoraCorsError(`The card was not sent: ${Object.keys(fields).join(', ')} ${repeated.length > 0 ? 'given twice' : 'invalid'}`, {kind: 'validation', stage: 'request', fields});
		}

		// A valid card takes the pair: it is single-use.
		const signature = pair.take();
		lifecycle.enter({name: 'busy'});
		return createPaymentMethod({...context.options, messages: messages(), card, signature});
	};

	const finish = (outcome: Outcome) => {
		settle(context, outcome);
		context.publish(outcome);
		if (isFailure(outcome)) {
			throw outcome.error;
		}

		return outcome.result;
	};

	const submit = async () => {
		context.refuseDestroyed();
		const {name} = lifecycle.state;
		if (name === 'saved' || name === 'waiting') {
			throw new ZuoraCorsError(`The card was not sent: the form is ${name === 'saved' ? 'locked until reset()' : 'waiting after a 429'}`, {
				kind: 'validation',
				stage: 'request',
			});
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
			if (!inFlight) {
				lifecycle.enter({name: 'open'});
			}
		},
		/** destroy(): the pair is dropped. */
		forget: pair.forget,
	};
}

/** What a result does to the form: its state, the cleared card, the marked field, the status (announced, in view). */
export function settle(context: BindingContext, outcome: Outcome): void {
	const {form, names, view, lifecycle, messages} = context;
	if (context.destroyed) {
		return;
	}

	const controls = scan(form, names);
	if (!isFailure(outcome)) {
		// The card is saved: its number and code leave the page.
		for (const control of [...(controls.get('creditCardNumber') ?? []), ...(controls.get('securityCode') ?? [])]) {
			control.value = '';
		}
	}

	const state = stateAfter(outcome, Date.now());
	if (lifecycle.state.name === 'busy' || state.name !== 'open') {
		lifecycle.enter(state);
	}

	const field = isFailure(outcome) ? declinedField(outcome.error, names) : undefined;
	const text = state.name === 'waiting' ? waitText(state.until - Date.now(), messages()) : resultText(outcome, messages());
	if (field) {
		view.showErrors({[field]: {message: text}}, controls);
	}

	view.setStatus(text, true);
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
