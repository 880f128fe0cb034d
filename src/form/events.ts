/**
 * The events a bound form dispatches, typed for `addEventListener`: the names are added to the
 * DOM's `HTMLElementEventMap` (a form's `addEventListener` reads it), so
 * `form.addEventListener(FORM_EVENTS.error, event => event.detail.error)` type-checks under `strict`.
 */
import type {ZuoraCorsError} from '../errors.js';
import type {FieldError} from '../messages.js';
import type {PaymentMethodResult} from '../payment-method.js';
import type {ZuoraCardBrand} from '../zuora.js';
import {call} from './dom-calls.js';
import {ownRecord} from '../options.js';

/**
 * Event names dispatched on the form. `detail`: `{result}` (success), `{error}` (error),
 * `{error}` (checking: the card's outcome became unknown and the reconcile endpoint is being
 * asked; the form is locked, in its `unknown` state, until success, error or `reset()`),
 * `{field, brand, complete, valid, error}` (change: after each input in a card field), `{brand}`
 * (brand: the card's brand changed; also the form's `data-zuora-cors-brand` attribute).
 */
export const FORM_EVENTS = {
	success: 'zuora-cors:success',
	error: 'zuora-cors:error',
	checking: 'zuora-cors:checking',
	change: 'zuora-cors:change',
	brand: 'zuora-cors:brand',
} as const;

/** A `zuora-cors:change` event's detail: never the value, only what a page needs to react. */
export type FieldChange = {
	/** The control's name: one of Zuora's field names, or `expiry`. */
	field: string;
	/** The brand the card is for (from the card-type control, else detected from the number). */
	brand: ZuoraCardBrand | undefined;
	/** The field holds as much as it takes: a length the brand accepts, `MM / YY`, the brand's security code size; other fields: not empty. */
	complete: boolean;
	/** No error for this field (what a submit would show now). */
	valid: boolean;
	error: FieldError | undefined;
};

/** Each event's `detail`, by event name. */
export type FormEventDetails = {
	'zuora-cors:success': {result: PaymentMethodResult};
	'zuora-cors:error': {error: ZuoraCorsError};
	'zuora-cors:checking': {error: ZuoraCorsError};
	'zuora-cors:change': FieldChange;
	'zuora-cors:brand': {brand: ZuoraCardBrand | undefined};
};

/** The events a bound form dispatches, as `CustomEvent`s by name. */
export type FormEventMap = {[Name in keyof FormEventDetails]: CustomEvent<FormEventDetails[Name]>};

declare global {
	// The form's addEventListener reads HTMLElementEventMap; the events bubble to its ancestors.
	// eslint-disable-next-line @typescript-eslint/no-empty-interface
	interface HTMLElementEventMap extends FormEventMap {}
}

/** Dispatches one of the form's events (through the prototype: a control named `dispatchEvent` shadows the form's). */
export function dispatchFormEvent<Name extends keyof FormEventDetails>(form: HTMLFormElement, name: Name, detail: FormEventDetails[Name]): void {
	call(Node.prototype, 'dispatchEvent', form, new CustomEvent(name, ownRecord({detail, bubbles: true})));
}
