/**
 * `bindForm`: a checkout form bound to `createPaymentMethod`, composed of the modules beside this
 * file: which controls are read and what they hold (`fields.ts`), the checks of the page's markup
 * (`markup-check.ts`), the fields' state and formatting (`field-state.ts`), the view and its ARIA
 * (`view.ts`), and the submission's lifecycle (`lifecycle.ts`).
 */
import {ZuoraCorsError} from '../errors.js';
import type {Messages} from '../messages.js';
import {defaults, invalidOption, resolveOptions, resolveZuoraUrl} from '../options.js';
import {createPaymentMethod, type CreatePaymentMethodOptions, type PaymentMethodResult} from '../payment-method.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature} from '../signature.js';
import type {ZuoraCardBrand} from '../zuora.js';
import {call, type Control} from './dom-calls.js';
import {dispatchFormEvent, FORM_EVENTS, type FormEventDetails} from './events.js';
import {checkCard, fieldChange, formatControl, formError, readSupportedBrands, typingError} from './field-state.js';
import {boundNames, CARD_FIELDS, duplicates, isBound, readCard, readFormFields, readOptionFields, scan, type OptionalFormField} from './fields.js';
import {createLifecycle, declinedField, resultText, stateAfter, waitText} from './lifecycle.js';
import {accountForMarkup, resolveForm, setEnabled} from './markup-check.js';
import {createView} from './view.js';

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
	 * connection is ready before the click.
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
	// `messages` is read at each submit (a page may switch language, e.g. with a getter), and only as an own property.
	const messages = (): Messages | undefined => (Object.hasOwn(bindOptions, 'messages') ? bindOptions.messages : undefined);
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
	const supportedBrands = readSupportedBrands(options.supportedBrands);
	const names = boundNames(form, readFormFields(options.formFields));
	const markup = accountForMarkup(form, names);
	const zuoraOrigin = new URL(resolveZuoraUrl(options.url, options.allowedHosts)).origin;
	const signatureRequest = prepareSignatureRequest(options.signatureUrl, options.signatureOptions, 'signatureUrl');
	const view = createView(form, options.status);
	const lifecycle = createLifecycle({
		setEnabled: (enabled, which) => setEnabled(markup, enabled, which),
		setBusy: busy => call(Element.prototype, busy ? 'setAttribute' : 'removeAttribute', form, 'aria-busy', ''),
		setStatus: view.setStatus,
		messages,
	});
	// The digits each formatted control held after the last input: tells a Backspace over a space.
	const typed = new WeakMap<Control, string>();
	let brand: ZuoraCardBrand | undefined;
	let destroyed = false;
	let prefetched: Promise<CorsSignature> | undefined;
	let prefetchedAt = 0;
	let inFlight: Promise<PaymentMethodResult> | undefined;

	const refuseDestroyed = () => {
		if (destroyed) {
			invalidOption('request', 'form', 'a live binding: destroy() was called');
		}
	};

	const prefetch = async () => {
		refuseDestroyed();
		const promise = requestSignature(signatureRequest);
		// Failure is handled at submit time (a fresh pair is fetched); do not report it twice.
		promise.catch(() => undefined);
		prefetched = promise;
		prefetchedAt = Date.now();
		return promise;
	};

	/** The prefetched pair, unless it is too old. */
	const fresh = () => (Date.now() - prefetchedAt <= maxAge ? prefetched : undefined);

	const check = (controls: Map<string, Control[]>) => {
		const card = readCard(form, controls, readOptionFields(options.fields));
		return [card, checkCard(card, {messages: messages(), supportedBrands, expiry: controls.has('expiry')})] as const;
	};

	const onInteraction = () => {
		// A form that cannot be submitted (a card field given twice, locked, waiting) gets no token: every one is fraud surface.
		if (lifecycle.state.name === 'open' && !inFlight && !fresh() && duplicates(scan(form, names)).length === 0) {
			prefetch().catch(() => undefined);
		}
	};

	/** Formats the number and the expiry as typed, follows the brand, and reports the field's state. */
	const onInput = (event: Event) => {
		const control = event.target as Control;
		const controls = scan(form, names);
		// One of the bound names, owned by the form and inside its card fieldset.
		if (!controls.get(control.name)?.includes(control) || !isBound(form, control)) {
			return;
		}

		formatControl(control, (event as InputEvent).inputType, typed);
		const {errors, creditCardType} = check(controls)[1];
		if (brand !== creditCardType) {
			brand = creditCardType;
			view.showBrand(brand, controls.get('securityCode') ?? []);
			report('brand', {brand});
		}

		const error = errors[control.name];
		if (control.name === 'creditCardNumber') {
			view.showFieldError(control.name, typingError(control.name, error), control);
		}

		report('change', fieldChange(control.name, control.value, brand, error));
	};

	const report = <Name extends keyof typeof FORM_EVENTS>(name: Name, detail: FormEventDetails[typeof FORM_EVENTS[Name]]) => {
		// A submission that ends after destroy() reaches its caller's promise, not the page.
		if (!destroyed) {
			dispatchFormEvent(form, FORM_EVENTS[name], detail);
		}
	};

	const run = async (): Promise<PaymentMethodResult> => {
		const controls = scan(form, names);
		const repeated = duplicates(controls);
		const [card, {errors}] = check(controls);
		const fields = repeated.length > 0 ? Object.fromEntries(repeated.map(name => [name, formError('field_repeated', messages())])) : errors;
		view.showErrors(fields, controls);
		view.setStatus('', false);
		// Refused before any network call; the prefetched pair stays for the corrected card.
		if (Object.keys(fields).length > 0) {
			throw new ZuoraCorsError(`The card was not sent: ${Object.keys(fields).join(', ')} ${repeated.length > 0 ? 'given twice' : 'invalid'}`, {kind: 'validation', stage: 'request', fields});
		}

		// A valid card takes the pair: it is single-use.
		const signature = fresh();
		prefetched = undefined;
		lifecycle.enter({name: 'busy'});
		return createPaymentMethod({...options, messages: messages(), card, signature});
	};

	/** What a result does to the form: its state, the cleared card, the marked field, the status. */
	const settle = (outcome: {result: PaymentMethodResult} | {error: ZuoraCorsError}) => {
		if (destroyed) {
			return;
		}

		const controls = scan(form, names);
		if ('result' in outcome) {
			// The card is saved: its number and code leave the page.
			for (const control of [...controls.get('creditCardNumber') ?? [], ...controls.get('securityCode') ?? []]) {
				control.value = '';
			}
		}

		const state = stateAfter(outcome, Date.now());
		if (lifecycle.state.name === 'busy' || state.name !== 'open') {
			lifecycle.enter(state);
		}

		const field = 'error' in outcome ? declinedField(outcome.error, names) : undefined;
		const text = state.name === 'waiting' ? waitText(state.until - Date.now(), messages()) : resultText(outcome, messages());
		if (field) {
			view.showErrors({[field]: {message: text}}, controls);
		}

		view.setStatus(text, true);
	};

	const submit = async () => {
		refuseDestroyed();
		if (lifecycle.state.name === 'saved' || lifecycle.state.name === 'waiting') {
			return Promise.reject(new ZuoraCorsError(`The card was not sent: the form is ${lifecycle.state.name === 'saved' ? 'locked after a saved card until reset()' : 'waiting after too many attempts'}`, {kind: 'validation', stage: 'request'}));
		}

		inFlight ??= run().then(result => {
			settle({result});
			if (!destroyed) {
				options.onSuccess?.(result, form);
			}

			report('success', {result});
			return result;
		}, (error: unknown) => {
			// createPaymentMethod rejects only with ZuoraCorsError; anything else is a bug, wrapped so
			// listeners get one type. Its text and cause are dropped: they could hold what was typed.
			const failure = error instanceof ZuoraCorsError ? error : new ZuoraCorsError('bindForm failed unexpectedly', {kind: 'invalid-response', stage: 'request'});
			settle({error: failure});
			if (!destroyed) {
				options.onError?.(failure, form);
			}

			report('error', {error: failure});
			throw failure;
		}).finally(() => {
			inFlight = undefined;
		});
		return inFlight;
	};

	const onSubmit = (event: Event) => {
		event.preventDefault();
		// Failures reach the page through onError and the error event.
		submit().catch(() => undefined);
	};

	const listeners: Array<[string, (event: Event) => void]> = [['submit', onSubmit], ['input', onInput]];
	if (options.prefetch ?? defaults.prefetch) {
		listeners.push(['focusin', onInteraction], ['input', onInteraction]);
	}

	const listen = (method: string) => {
		for (const [type, listener] of listeners) {
			call(Node.prototype, method, form, type, listener);
		}
	};

	listen('addEventListener');
	view.addHints(scan(form, names));
	if (options.preconnect ?? defaults.preconnect) {
		view.preconnect(zuoraOrigin);
	}

	// Enabled last, once the submit listener is in place: from now on a submit is the library's.
	setEnabled(markup, true);
	return {
		submit,
		prefetch,
		reset() {
			refuseDestroyed();
			view.showErrors({});
			view.setStatus('', false);
			// The card's own controls only: the fields the page declared (an account, an address) stay.
			for (const control of markup.controls) {
				if ((CARD_FIELDS as readonly string[]).includes(control.name)) {
					control.value = '';
				}
			}

			prefetched = undefined;
			if (!inFlight) {
				lifecycle.enter({name: 'open'});
			}
		},
		destroy() {
			// Disabled first: without the listener a submit would be the browser's again.
			lifecycle.stop();
			setEnabled(markup, false);
			listen('removeEventListener');
			view.restore();
			call(Element.prototype, 'removeAttribute', form, 'aria-busy');
			brand = undefined;
			prefetched = undefined;
			destroyed = true;
		},
	};
}
