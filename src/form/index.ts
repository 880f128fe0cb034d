/**
 * `bindForm`: a checkout form bound to `createPaymentMethod`, composed of the modules beside this
 * file: which controls are read and what they hold (`fields.ts`), the checks of the page's markup
 * (`markup-check.ts`), the fields' state and formatting (`field-state.ts`, applied as the shopper
 * types by `typing.ts`), the view and its ARIA (`view.ts`), the form's states (`lifecycle.ts`) and
 * one submission from click to result (`submission.ts`), sharing one `context.ts`.
 */
import {defaults, invalidOption, ownRecord, resolveOptions, resolveZuoraUrl} from '../options.js';
import type {CreatePaymentMethodOptions, PaymentMethodResult} from '../payment-method.js';
import {prepareSignatureRequest, type CorsSignature} from '../signature.js';
import type {ZuoraCardBrand} from '../zuora.js';
import type {ZuoraCorsError} from '../errors.js';
import {createContext} from './context.js';
import {call, setAttribute} from './dom-calls.js';
import {boundNames, readFormFields, readOptionFields, scan, type OptionalFormField} from './fields.js';
import {accountForMarkup, resolveForm, setEnabled} from './markup-check.js';
import {createSubmission} from './submission.js';
import {createTyping} from './typing.js';

export {FORM_EVENTS, type FieldChange, type FormEventDetails, type FormEventMap} from './events.js';
export type {OptionalFormField} from './fields.js';

/** `createPaymentMethod`'s options (but the card, which the form holds), and the binding's own. */
export type BindFormOptions = Omit<CreatePaymentMethodOptions, 'card' | 'signature' | 'signal'> & {
	/**
	 * Values added to what the form holds (and winning over it), e.g. `{accountKey}` when it is
	 * not a form field: own properties only, each a string, number or boolean (`cardHolderInfo`:
	 * an object of strings, merged with the form's).
	 */
	fields?: Record<string, unknown>;
	/**
	 * The Zuora fields beyond the card that bindForm reads from the form's controls. By default it
	 * reads only the card: `creditCardNumber`, `expiry` (or `expirationMonth` and
	 * `expirationYear`), `securityCode`, `cardHolderInfo.cardHolderName`, and `creditCardType`
	 * when the form has that control at bind time. A control under any other name (an injected
	 * `cardHolderInfo.email`, a `zipCode` added later) is ignored unless named here.
	 *
	 * @example ['cardHolderInfo.email', 'cardHolderInfo.zipCode', 'defaultPaymentMethod']
	 */
	formFields?: readonly OptionalFormField[];
	/**
	 * The brands the merchant accepts (as Payment Pages 2.0's `param_supportedTypes`): a card of
	 * another brand is a field error while typing and on submit, before anything is sent.
	 *
	 * @default all six of Zuora's brands
	 */
	supportedBrands?: readonly ZuoraCardBrand[];
	/**
	 * The page's status region (a `role=status` element bindForm writes the outcome into, and the
	 * remaining wait after too many attempts). Give it from code, never found from markup.
	 *
	 * @default a `<p role="status" data-zuora-cors-status>` added at the end of the form
	 */
	status?: HTMLElement;
	/**
	 * Fetch a signature on the shopper's first interaction with the form (focus or input), not at
	 * page load: every issued token is fraud surface, and a form nobody touches needs none.
	 *
	 * @default true
	 */
	prefetch?: boolean;
	/**
	 * A prefetched pair older than this (ms) is replaced. Keep it below the token lifetime of your
	 * Zuora tenant (Zuora does not document it; the demo stub uses 20 minutes).
	 *
	 * @default 300000 (5 minutes)
	 */
	signatureMaxAge?: number;
	/**
	 * Add `<link rel="preconnect" crossorigin="use-credentials">` for the Zuora origin, so the
	 * connection is ready before the click (when `url` is given: otherwise the origin is known only
	 * from the signature answer).
	 *
	 * @default true
	 */
	preconnect?: boolean;
	onSuccess?: (result: PaymentMethodResult, form: HTMLFormElement) => void;
	onError?: (error: ZuoraCorsError, form: HTMLFormElement) => void;
};

export type FormBinding = {
	/** Validates and submits; concurrent calls share the submission in flight. */
	submit(): Promise<PaymentMethodResult>;
	/** Fetches a signature now (normally done on first interaction). */
	prefetch(): Promise<CorsSignature>;
	/**
	 * Unlocks the form after a success (it stays locked until then, so a second click never saves a
	 * second card): clears the status, the errors and the card's controls (number, expiry, security
	 * code, name; the fields named in `formFields` keep their values), and enables them again.
	 */
	reset(): void;
	/** Removes every listener, element and attribute the binding added, disables the card controls again; later calls are refused. */
	destroy(): void;
};

/**
 * Binds a checkout form whose card controls carry Zuora's names (`creditCardNumber`, `expiry`,
 * `securityCode`, `cardHolderInfo.cardHolderName`, …), each with `disabled` in the markup inside
 * `<fieldset disabled data-zuora-cors-fields>`: enables exactly those, validates on submit and
 * shows field errors, prefetches a signature on the first interaction, and reports through
 * `onSuccess`/`onError`, the `zuora-cors:success`/`zuora-cors:error` events and the status region.
 *
 * A form it cannot account for (a card control not owned by it or outside the fieldset, another
 * element holding its id, not in the document) is refused with a `validation` error. After a
 * success the form stays locked until `reset()`; after a 429 submit waits out `retryAfter`.
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
		invalidOption('request', 'signatureMaxAge', 'a positive number of milliseconds');
	}

	if (options.status !== undefined && !(options.status instanceof HTMLElement)) {
		invalidOption('request', 'status', 'an element');
	}

	// Checked now, not at the first submit: a bad URL would otherwise issue tokens on every focus.
	readOptionFields(options.fields);
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
