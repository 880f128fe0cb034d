/**
 * What the parts of one binding share: the form, the names it reads, the markup it enabled, its
 * view and lifecycle, the page's options, and the check of the card the controls hold.
 */
import type {ZuoraCorsError} from '../errors.js';
import {invalidOption} from '../options.js';
import type {PaymentMethodResult} from '../payment-method.js';
import {setAttribute, type Control} from './dom-calls.js';
import {dispatchFormEvent, FORM_EVENTS, type FormEventDetails} from './events.js';
import {checkCard, readSupportedBrands} from './field-state.js';
import {readCard, readOptionFields} from './fields.js';
import type {BindFormOptions} from './types.js';
import {createLifecycle, isFailure} from './lifecycle.js';
import {setEnabled, type BoundMarkup} from './markup-check.js';
import {createView} from './view.js';

export type BindingContext = ReturnType<typeof createContext>;

/** `options`: resolved (own properties); `page`: the page's own object, for `messages` read at each use. */
export function createContext(form: HTMLFormElement, names: ReadonlySet<string>, markup: BoundMarkup, options: BindFormOptions, page: BindFormOptions) {
	const supportedBrands = readSupportedBrands(options.supportedBrands);
	// `messages` and `fields` are read at each use, as own properties only: a page may switch
	// language (a getter), and the card frame sets the page's fields before each submission.
	const own = <Name extends 'messages' | 'fields'>(name: Name) => (Object.hasOwn(page, name) ? page[name] : undefined);
	const messages = () => own('messages');
	// Checked at bind too (index.ts): a bad value refuses bindForm, not a later card.
	readOptionFields(own('fields'));
	const view = createView(form, options.status);
	const context = {
		form,
		names,
		markup,
		options,
		messages,
		view,
		lifecycle: createLifecycle({
			// The states lock the controls and the button one by one; the fieldset stays enabled
			// while bound (only destroy() disables it), so a page's `fieldset:enabled` styles (the
			// "loading" note) read "bound", not "locked".
			setEnabled: (fields, submit) => setEnabled({...markup, fieldsets: []}, fields, submit),
			// 'true', not '': an empty aria-busy is not exposed as busy (Chromium reads it as false).
			setBusy: busy => setAttribute(form, 'aria-busy', busy ? 'true' : null),
			setStatus: view.setStatus,
			messages,
		}),
		destroyed: false,
		refuseDestroyed() {
			if (context.destroyed) {
				invalidOption('request', 'form', 'destroyed');
			}
		},
		/** The card the bound controls hold, and its check. */
		check(controls: Map<string, Control[]>) {
			const card = readCard(form, controls, readOptionFields(own('fields')));
			return [card, checkCard(card, {messages: messages(), supportedBrands, expiry: controls.has('expiry')})] as const;
		},
		/** Dispatches one of the form's events; a submission that ends after destroy() reaches its caller's promise, not the page. */
		report<Name extends keyof typeof FORM_EVENTS>(name: Name, detail: FormEventDetails[(typeof FORM_EVENTS)[Name]]) {
			if (!context.destroyed) {
				dispatchFormEvent(form, FORM_EVENTS[name], detail);
			}
		},
		/** A submission's outcome to the page: its callback, then its event (neither after destroy(), which a callback may call). */
		publish(outcome: {result: PaymentMethodResult} | {error: ZuoraCorsError}) {
			if (context.destroyed) {
				return;
			}

			if (isFailure(outcome)) {
				options.onError?.(outcome.error, form);
				context.report('error', outcome);
			} else {
				options.onSuccess?.(outcome.result, form);
				context.report('success', outcome);
			}
		},
	};
	return context;
}
