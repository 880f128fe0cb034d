/**
 * `bindForm`: a checkout form bound to `createPaymentMethod`, composed of the modules beside this
 * file: which controls are read and what they hold (`fields.ts`), the checks of the page's markup
 * (`markup-check.ts`), the fields' state and formatting (`field-state.ts`, applied as the shopper
 * types by `typing.ts`), the view and its ARIA (`view.ts`), the form's states (`lifecycle.ts`) and
 * one submission from click to result (`submission.ts`), sharing one `context.ts` and the types of
 * `types.ts` (the options and the binding).
 */
import {defaults, invalidOption, ownRecord, resolveOptions, resolveZuoraUrl} from '../options.js';
import {prepareSignatureRequest} from '../signature.js';
import {createContext} from './context.js';
import {call, setAttribute} from './dom-calls.js';
import {boundNames, readFormFields, scan} from './fields.js';
import {accountForMarkup, resolveForm, setEnabled} from './markup-check.js';
import {createSubmission, readIdempotencyKeyOption} from './submission.js';
import {createTyping} from './typing.js';
import type {BindFormOptions, FormBinding} from './types.js';

export {FORM_EVENTS, type FieldChange, type FormEventDetails, type FormEventMap} from './events.js';
export type {OptionalFormField} from './fields.js';
export type {BindFormOptions, FormBinding} from './types.js';

/**
 * Binds a checkout form whose card controls carry Zuora's names (`creditCardNumber`, `expiry`,
 * `securityCode`, `cardHolderInfo.cardHolderName`, …), each with `disabled` in the markup inside
 * `<fieldset disabled data-zuora-cors-fields>`: enables exactly those, validates on submit and
 * shows field errors, prefetches a signature on the first interaction, and reports through
 * `onSuccess`/`onError`, the `zuora-cors:success`/`zuora-cors:error` events and the status region.
 *
 * A form it cannot account for (a card control not owned by it or outside the fieldset, another
 * element holding its id, not in the document) is refused with a `validation` error. After a
 * success the form stays locked until `reset()`; while a card's outcome is unknown it stays locked
 * (`zuora-cors:checking`, then success, "not saved", or locked until `reset()` when nobody could
 * tell); after a 429 submit waits out `retryAfter`.
 *
 * @example
 * const binding = bindForm('#card-form', {signatureUrl: '/signature', status: document.querySelector('#status')});
 * form.addEventListener(FORM_EVENTS.success, event => show(event.detail.result.paymentMethodId));
 */
export function bindForm(target: HTMLFormElement | string, bindOptions: BindFormOptions): FormBinding {
	// Own properties only: nothing inherited from Object.prototype may set a URL, a host or a callback.
	const options = resolveOptions('request', bindOptions);
	const form = resolveForm(target);
	const maxAge = options.signatureMaxAge ?? defaults.signatureMaxAge;
	if (!(maxAge > 0)) {
		invalidOption('request', 'signatureMaxAge', 'not_milliseconds');
	}

	if (options.status !== undefined && !(options.status instanceof HTMLElement)) {
		invalidOption('request', 'status', 'not_element');
	}

	// Checked now, not at the first submit: a bad URL would otherwise issue tokens on every focus.
	// (`fields`: by createContext.)
	readIdempotencyKeyOption(options.idempotencyKey);
	const names = boundNames(form, readFormFields(options.formFields));
	const markup = accountForMarkup(form, names);
	// Without `url` the Zuora URL comes with the signature (its `uri`): no origin to preconnect to yet.
	const zuoraOrigin = options.url === undefined ? undefined : new URL(resolveZuoraUrl(options.url, options.allowedHosts)).origin;
	const signatureRequest = prepareSignatureRequest(options.signatureUrl, options.signatureOptions, 'signatureUrl');
	const context = createContext(form, names, markup, options, bindOptions);
	const typing = createTyping(context);
	const submission = createSubmission(context, signatureRequest, maxAge);
	const listeners: Array<[string, (event: Event) => void]> = [
		['submit', submission.onSubmit],
		['input', typing.onInput],
	];
	if (options.prefetch ?? defaults.prefetch) {
		listeners.push(['focusin', submission.onInteraction], ['input', submission.onInteraction]);
	}

	const listen = (method: string) => {
		for (const [type, listener] of listeners) {
			// Options given, on a null prototype: a DOM that defaults a missing one to `{}` (happy-dom) would read a polluted `signal`.
			call(Node.prototype, method, form, type, listener, ownRecord({capture: false}));
		}
	};

	listen('addEventListener');
	context.view.addHints(scan(form, names));
	if (zuoraOrigin && (options.preconnect ?? defaults.preconnect)) {
		context.view.preconnect(zuoraOrigin);
	}

	// Enabled last, once the submit listener is in place: from now on a submit is the library's.
	setEnabled(markup, true);
	return {
		submit: submission.submit,
		prefetch: submission.prefetch,
		reset() {
			context.refuseDestroyed();
			submission.reset();
		},
		destroy() {
			// Disabled first: without the listener a submit would be the browser's again.
			context.lifecycle.stop();
			setEnabled(markup, false);
			listen('removeEventListener');
			context.view.restore();
			setAttribute(form, 'aria-busy', null);
			submission.forget();
			context.destroyed = true;
		},
	};
}
