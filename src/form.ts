import {formatField} from './card-format.js';
import {brandInfo} from './card-rules.js';
import {validateCreditCard, type CreditCardInput} from './card.js';
import {ZuoraCorsError} from './errors.js';
import {FORM_FIELD_MESSAGES, formatMessage, type FieldError} from './messages.js';
import {defaults, invalidOption, resolveOptions, resolveZuoraUrl} from './options.js';
import {createPaymentMethod, type CreatePaymentMethodOptions, type PaymentMethodResult} from './payment-method.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature} from './signature.js';
import type {ZuoraCardBrand} from './zuora.js';

/** `createPaymentMethod`'s options (but the card, which the form holds), and the binding's own. */
export type BindFormOptions = Omit<CreatePaymentMethodOptions, 'card' | 'signature' | 'signal'> & {
	/**
	 * Fields added to what the form holds (and winning over it), e.g. `{accountKey}` when it is
	 * not a form field: own properties only, each a string, number or boolean (`cardHolderInfo`:
	 * an object of strings, merged with the form's).
	 */
	fields?: Record<string, unknown>;
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
	/** Removes every listener, element and attribute the binding added; later calls are refused. */
	destroy(): void;
};

/**
 * Event names dispatched on the form. `detail`: `{result}` (success), `{error}` (error),
 * `{field, brand, complete, valid, error}` (change: after each input in a card field), `{brand}`
 * (brand: the card's brand changed; also the form's `data-zuora-cors-brand` attribute).
 */
export const FORM_EVENTS = {success: 'zuora-cors:success', error: 'zuora-cors:error', change: 'zuora-cors:change', brand: 'zuora-cors:brand'} as const;

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

const ERROR_ATTRIBUTE = 'data-zuora-cors-error-for';

/** A `<fieldset disabled>` with this attribute holds the card controls: bindForm enables it, destroy() disables it again. */
const FIELDSET_ATTRIBUTE = 'data-zuora-cors-fields';

const HOLDER = 'cardHolderInfo';

/**
 * The only control names bindForm reads: the Create Payment Method (credit card) body fields a
 * shopper fills in, as Zuora names them. Anything else in the form (a CSRF token, a password, an
 * injected control) never reaches Zuora. `numConsecutiveFailures` is left out on purpose: a
 * shopper has no business setting it (pass it in `fields` if you must).
 */
const FIELD_NAMES: ReadonlySet<string> = new Set([
	'accountKey',
	'creditCardType',
	'creditCardNumber',
	'expirationMonth',
	'expirationYear',
	'securityCode',
	'defaultPaymentMethod',
	// The library's own: one `MM / YY` control filling expirationMonth and expirationYear.
	'expiry',
	...['cardHolderName', 'addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'phone', 'email'].map(name => `${HOLDER}.${name}`),
]);

// Keys that could reach a prototype if they ever became a property name.
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// Controls that hold no value of their own for the card.
const IGNORED_TYPES: ReadonlySet<string> = new Set(['submit', 'button', 'reset', 'image', 'file']);

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** `autocomplete` tokens (after `cc-`) set on Zuora's fields that have none; these also get `spellcheck=false` and (but the name) `inputmode=numeric`. */
const HINTS: Record<string, string> = {creditCardNumber: 'number', expiry: 'exp', expirationMonth: 'exp-month', expirationYear: 'exp-year', securityCode: 'csc', 'cardHolderInfo.cardHolderName': 'name'};

let slots = 0;

/**
 * Binds a checkout form whose fields carry Zuora's names (`creditCardNumber`, `expirationMonth`,
 * `cardHolderInfo.cardHolderName`, …): validates on submit and shows field errors, prefetches a
 * signature on the first interaction, keeps the submit button busy while in flight, and reports
 * through `onSuccess`/`onError` and the `zuora-cors:success`/`zuora-cors:error` events.
 *
 * Only controls inside the form with one of Zuora's names are read; a Zuora name given twice
 * refuses the submission. Card controls inside `<fieldset disabled data-zuora-cors-fields>` are
 * enabled here, so without the library the form holds nothing it could submit.
 *
 * @example
 * const binding = bindForm('#card-form', {signatureUrl: '/signature', url: zuoraUrl('apisandbox')});
 * form.addEventListener('zuora-cors:success', event => show(event.detail.result.paymentMethodId));
 */
export function bindForm(target: HTMLFormElement | string, bindOptions: BindFormOptions): FormBinding {
	// Own properties only: nothing inherited from Object.prototype may set a URL, a host or a callback.
	const options = resolveOptions('request', bindOptions);
	// `messages` is read at each submit (a page may switch language, e.g. with a getter), and only as an own property.
	const messages = () => (Object.hasOwn(bindOptions, 'messages') ? bindOptions.messages : undefined);
		const form = typeof target === 'string' ? findAll(document, target)[0] : target;
	if (!(form instanceof HTMLFormElement)) {
		return invalidOption('request', 'form', 'a <form> element or a selector that finds one');
	}

	const maxAge = options.signatureMaxAge ?? defaults.signatureMaxAge;
	if (!(maxAge > 0)) {
		invalidOption('request', 'signatureMaxAge', 'a positive number of milliseconds');
	}

	// Checked now, not at the first submit: a bad URL would otherwise issue tokens on every focus.
	readOptionFields(options.fields);
	const zuoraOrigin = new URL(resolveZuoraUrl(options.url, options.allowedHosts)).origin;
	const signatureRequest = prepareSignatureRequest(options.signatureUrl, options.signatureOptions, 'signatureUrl');
	const added: Element[] = [];
	const marked = new Set<Element>();
	// Attributes the binding set, with the page's value (null: none) that destroy() puts back.
	const attributes = new Map<Element, Map<string, string | null>>();
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

	const onInteraction = () => {
		// A form that cannot be submitted (a card field given twice) gets no token: every one is fraud surface.
		if (!inFlight && !fresh() && duplicates(scan(form)).length === 0) {
			prefetch().catch(() => undefined);
		}
	};

	/** Sets (null: removes) an attribute from the page's own value, kept for destroy(). */
	const own = (element: Element, name: string, value: (original: string | null) => string | null | undefined) => {
		const saved = attributes.get(element) ?? new Map<string, string | null>();
		attributes.set(element, saved);
		if (!saved.has(name)) {
			saved.set(name, getAttribute(element, name));
		}

		setAttribute(element, name, value(saved.get(name)!) ?? null);
	};

	const setBusy = (busy: boolean) => {
		for (const button of findAll(form, 'button:not([type=button]):not([type=reset]), input[type=submit]')) {
			(button as HTMLButtonElement).disabled = busy;
		}

		setAttribute(form, 'aria-busy', busy ? '' : null);
	};

	const formError = (code: keyof typeof FORM_FIELD_MESSAGES): FieldError => ({code, message: formatMessage(code, FORM_FIELD_MESSAGES[code], {}, messages())});

	/** The card the form holds, and its errors by control name: an `expiry` control gets the month's or year's. */
	const check = (controls: Map<string, Control[]>) => {
		const card = readCard(form, controls, readOptionFields(options.fields));
		const checked = validateCreditCard(card, {messages: messages()});
		const {errors} = checked;
		if (controls.has('expiry')) {
			const error = errors['expirationMonth'] ?? errors['expirationYear'];
			delete errors['expirationMonth'];
			delete errors['expirationYear'];
			if (error) {
				errors['expiry'] = error.code === 'card_expired' ? error : formError('expiry_invalid');
			}
		}

		return [card, checked] as const;
	};

	/** Formats the number and the expiry as typed, follows the brand, and reports the field's state. */
	const onInput = (event: Event) => {
		const control = event.target as Control;
		const field = control.name;
		// One of the controls scan() finds (a control with a Zuora name), and inside the form.
		const controls = scan(form);
		if (!controls.get(field)?.includes(control) || !isInside(form, control)) {
			return;
		}

		// A text-like input (type=number has no caret to keep: left alone).
		const text = control as HTMLInputElement;
		if ((field === 'creditCardNumber' || field === 'expiry') && typeof text.selectionStart === 'number') {
			const type = (event as InputEvent).inputType;
			const [value, caret, digits] = formatField(field === 'expiry', text.value, text.selectionStart, typed.get(control), type === 'deleteContentBackward' ? -1 : type === 'deleteContentForward' ? 1 : 0);
			typed.set(control, digits);
			if (value !== text.value) {
				text.value = value;
				text.setSelectionRange(caret, caret);
			}
		}

		const [, {errors, creditCardType}] = check(controls);
		if (brand !== creditCardType) {
			brand = creditCardType;
			own(form, 'data-zuora-cors-brand', () => brand);
			for (const code of controls.get('securityCode') ?? []) {
				// The page's own length and placeholder are back when the brand is unknown.
				own(code, 'maxlength', original => brand ? String(brandInfo(brand).securityCodeSize) : original);
				own(code, 'placeholder', original => original ?? (brand && '•'.repeat(brandInfo(brand).securityCodeSize)));
			}

			report('brand', {brand});
		}

		const digits = control.value.replace(/\D/g, '').length;
		const size = brand && brandInfo(brand);
		const error = errors[field];
		report('change', {
			field,
			brand,
			complete: field === 'creditCardNumber' ? (size?.lengths as readonly number[] | undefined)?.includes(digits) === true : field === 'expiry' ? digits === 4 : field === 'securityCode' ? digits >= (size ? size.securityCodeSize : 3) : control.value !== '',
			valid: !error,
			error,
		} satisfies FieldChange);
	};

	const showErrors = (errors: Record<string, FieldError>, controls: Map<string, Control[]> = new Map()) => {
		for (const element of findAll(form, `[${ERROR_ATTRIBUTE}]`)) {
			element.textContent = '';
		}

		// Only what this binding marked: the page may set aria-invalid on its own fields.
		for (const control of marked) {
			control.removeAttribute('aria-invalid');
		}

		marked.clear();
		for (const [name, {message}] of Object.entries(errors)) {
			const control = controls.get(name)?.find(candidate => isInside(form, candidate));
			if (control) {
				control.setAttribute('aria-invalid', 'true');
				marked.add(control);
			}

			// Error names are Zuora's field names, from a fixed list: safe inside a selector.
			let slot = findAll(form, `[${ERROR_ATTRIBUTE}="${name}"]`)[0];
			if (!slot) {
				slot = createElement('span');
				slot.setAttribute(ERROR_ATTRIBUTE, name);
				slot.setAttribute('role', 'alert');
				(control ?? call(Element.prototype, 'lastElementChild', form) ?? form).after(slot);
				added.push(slot);
			}

			slot.textContent = message;
			// The error is the control's description (kept once shown, cleared with the text).
			own(slot, 'id', original => original ?? `zuora-cors-error-${++slots}`);
			if (control) {
				const id = getAttribute(slot, 'id')!;
				own(control, 'aria-describedby', original => original?.split(' ').includes(id) ? original : `${original ?? ''} ${id}`.trim());
			}
		}

		// The shopper lands on the first invalid field, in the form's order.
		[...controls.values()].flat().find(control => marked.has(control))?.focus();
	};

	const report = <T>(name: keyof typeof FORM_EVENTS, detail: T) => {
		// A submission that ends after destroy() reaches its caller's promise, not the page.
		if (destroyed) {
			return;
		}

		call(EventTarget.prototype, 'dispatchEvent', form, new CustomEvent(FORM_EVENTS[name], {detail, bubbles: true}));
	};

	const run = async (): Promise<PaymentMethodResult> => {
		const controls = scan(form);
		const repeated = duplicates(controls);
		const [card, {errors}] = check(controls);
		const fields = repeated.length > 0 ? Object.fromEntries(repeated.map(name => [name, formError('field_repeated')])) : errors;
		const names = Object.keys(fields);
		showErrors(fields, controls);
		// Refused before any network call; the prefetched pair stays for the corrected card.
		if (names.length > 0) {
			throw new ZuoraCorsError(`The card was not sent: ${names.join(', ')} ${repeated.length > 0 ? 'given twice' : 'invalid'}`, {kind: 'validation', stage: 'request', fields});
		}

		// A valid card takes the pair: it is single-use.
		const signature = fresh();
		prefetched = undefined;
		setBusy(true);
		try {
			return await createPaymentMethod({...options, messages: messages(), card, signature});
		} finally {
			setBusy(false);
		}
	};

	const submit = async () => {
		refuseDestroyed();
		inFlight ??= run().then(result => {
			if (!destroyed) {
				options.onSuccess?.(result, form);
			}

			report('success', {result});
			return result;
		}, (error: unknown) => {
			// createPaymentMethod rejects only with ZuoraCorsError; anything else is a bug, wrapped so
			// listeners get one type. Its text and cause are dropped: they could hold what was typed.
			const failure = error instanceof ZuoraCorsError ? error : new ZuoraCorsError('bindForm failed unexpectedly', {kind: 'invalid-response', stage: 'request'});
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
			call(EventTarget.prototype, method, form, type, listener);
		}
	};

	listen('addEventListener');
	for (const [name, list] of scan(form)) {
		const hint = HINTS[name];
		for (const control of hint ? list : []) {
			own(control, 'autocomplete', original => original ?? `cc-${hint}`);
			own(control, 'spellcheck', original => original ?? 'false');
			own(control, 'inputmode', original => original ?? (hint === 'name' ? null : 'numeric'));
		}
	}

	if ((options.preconnect ?? defaults.preconnect) && !findAll(document, `link[rel=preconnect][href="${zuoraOrigin}"]`)[0]) {
		const link = createElement('link') as HTMLLinkElement;
		link.rel = 'preconnect';
		link.href = zuoraOrigin;
		// The card POST carries credentials, and browsers pool credentialed connections apart.
		link.crossOrigin = 'use-credentials';
		call(Document.prototype, 'head', document).append(link);
		added.push(link);
	}

	// Enabled last, once the submit listener is in place: from now on a submit is the library's.
	const enabled = findAll(form, `fieldset[${FIELDSET_ATTRIBUTE}][disabled]`) as HTMLFieldSetElement[];
	for (const fieldset of enabled) {
		fieldset.disabled = false;
	}

	return {
		submit,
		prefetch,
		destroy() {
			// Disabled first: without the listener a submit would be the browser's again.
			for (const fieldset of enabled) {
				fieldset.disabled = true;
			}

			listen('removeEventListener');
			for (const element of added.splice(0)) {
				element.remove();
			}

			showErrors({});
			for (const [element, saved] of attributes) {
				for (const [name, value] of saved) {
					setAttribute(element, name, value);
				}
			}

			attributes.clear();
			brand = undefined;
			prefetched = undefined;
			destroyed = true;
		},
	};
}

/**
 * Calls a DOM method (or reads a getter) as its prototype defines it. An injected control named
 * `elements`, `contains` or `dispatchEvent` shadows that property of its form, and an injected
 * `<img name="createElement">` one of `document` (both interfaces let names override their
 * members), so nothing bindForm calls is read from the form or the document themselves. Markup
 * cannot change a prototype; a page that can run script is outside what any library can defend.
 */
function call(prototype: object, name: string, target: unknown, ...args: unknown[]): any {
	const {get, value} = Object.getOwnPropertyDescriptor(prototype, name)!;
	return (get ?? value).call(target, ...args);
}

const findAll = (root: Element | Document, selector: string): Element[] => [...call(root instanceof Document ? Document.prototype : Element.prototype, 'querySelectorAll', root, selector)];

const getAttribute = (element: Element, name: string): string | null => call(Element.prototype, 'getAttribute', element, name);

/** Sets an attribute; null removes it. */
const setAttribute = (element: Element, name: string, value: string | null) => call(Element.prototype, value === null ? 'removeAttribute' : 'setAttribute', element, name, value);

const createElement = (name: string): HTMLElement => call(Document.prototype, 'createElement', document, name);

function isControl(element: Element): element is Control {
	return element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement || (element instanceof HTMLInputElement && !IGNORED_TYPES.has(element.type));
}

/** Inside means both: a descendant of the form and owned by it (`form="…"` can make either untrue). */
function isInside(form: HTMLFormElement, control: Control): boolean {
	return control.form === form && call(Node.prototype, 'contains', form, control);
}

/**
 * Every control that carries one of Zuora's names and is owned by the form or inside it, by
 * name: also the ones `form="…"` brings in from outside or sends away, so a second control of
 * the same name is seen wherever it was injected.
 */
function scan(form: HTMLFormElement): Map<string, Control[]> {
	const controls = new Map<string, Control[]>();
	for (const element of new Set([...call(HTMLFormElement.prototype, 'elements', form), ...findAll(form, 'input, select, textarea')])) {
		if (isControl(element) && FIELD_NAMES.has(element.name)) {
			controls.set(element.name, [...controls.get(element.name) ?? [], element]);
		}
	}

	return controls;
}

/** Names given by more than one control; a radio group is the one legitimate repeat. */
function duplicates(controls: Map<string, Control[]>): string[] {
	const repeated = [...controls].filter(([, list]) => list.length > 1 && !list.every(control => control.type === 'radio')).map(([name]) => name);
	// `expiry` and expirationMonth/expirationYear are one expiry date given twice: an injected
	// `expiry` must not silently replace the month and year the shopper chose (or the reverse).
	return controls.has('expiry') && (controls.has('expirationMonth') || controls.has('expirationYear')) && !repeated.includes('expiry') ? [...repeated, 'expiry'] : repeated;
}

/**
 * The card from the form's controls and the `fields` option, in objects without a prototype and
 * under Zuora's names only: no control name is ever split into a path.
 */
function readCard(form: HTMLFormElement, controls: Map<string, Control[]>, extra: Record<string, unknown>): CreditCardInput {
	const card = Object.create(null) as Record<string, unknown>;
	const holder = Object.create(null) as Record<string, unknown>;
	for (const [name, list] of controls) {
		for (const control of list) {
			if (!isInside(form, control) || control.matches(':disabled') || (control instanceof HTMLInputElement && control.type === 'radio' && !control.checked)) {
				continue;
			}

			const value = control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
			if (value !== '') {
				if (name === 'expiry') {
					// `MM / YY`: the year's two digits are read as 20YY.
					const digits = String(value).replace(/\D/g, '');
					card['expirationMonth'] = digits.slice(0, 2);
					card['expirationYear'] = digits.slice(2);
				} else if (name.startsWith(`${HOLDER}.`)) {
					holder[name.slice(HOLDER.length + 1)] = value;
				} else {
					card[name] = value;
				}
			}
		}
	}

	for (const [name, value] of Object.entries(extra)) {
		if (name === HOLDER) {
			Object.assign(holder, value);
		} else {
			card[name] = value;
		}
	}

	if (Object.keys(holder).length > 0) {
		card[HOLDER] = holder;
	}

	return card;
}

/**
 * The `fields` option checked: a plain object (prototype Object.prototype or null) whose own
 * data properties are strings, numbers or booleans (`cardHolderInfo`: a plain object of strings),
 * copied into an object without a prototype. Nothing inherited is read, and no key can name a
 * prototype. The messages name the option, never a value.
 */
function readOptionFields(fields: unknown, holder?: boolean): Record<string, unknown> {
	const result = Object.create(null) as Record<string, unknown>;
	const bad = () => invalidOption('request', 'fields', 'own strings, numbers or booleans (cardHolderInfo: strings)');
	if (fields === undefined && !holder) {
		return result;
	}

	const prototype = fields !== null && typeof fields === 'object' ? Object.getPrototypeOf(fields) as unknown : 0;
	if (prototype !== Object.prototype && prototype !== null) {
		bad();
	}

	for (const key of Object.keys(fields as object)) {
		const descriptor = Object.getOwnPropertyDescriptor(fields, key)!;
		const {value} = descriptor as {value: unknown};
		if (UNSAFE_KEYS.has(key) || !('value' in descriptor)) {
			bad();
		}

		result[key] = !holder && key === HOLDER ? readOptionFields(value, true) : (holder ? typeof value === 'string' : ['string', 'number', 'boolean'].includes(typeof value)) ? value : bad();
	}

	return result;
}
