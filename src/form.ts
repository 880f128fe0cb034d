import {validateCreditCard, type CreditCardInput} from './card.js';
import {ZuoraCorsError} from './errors.js';
import type {FieldError} from './messages.js';
import {defaults, invalidOption, resolveZuoraUrl} from './options.js';
import {createPaymentMethod, type CreatePaymentMethodOptions, type PaymentMethodResult} from './payment-method.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature} from './signature.js';

/** `createPaymentMethod`'s options (but the card, which the form holds), and the binding's own. */
export type BindFormOptions = Omit<CreatePaymentMethodOptions, 'card' | 'signature' | 'signal'> & {
	/** Fields added to what the form holds, e.g. `{accountKey}` when it is not a form field. */
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

/** Event names dispatched on the form; `detail` is `{result}` or `{error}`. */
export const FORM_EVENTS = {success: 'zuora-cors:success', error: 'zuora-cors:error'} as const;

const ERROR_ATTRIBUTE = 'data-zuora-cors-error-for';

/**
 * Binds a checkout form whose fields carry Zuora's names (`creditCardNumber`, `expirationMonth`,
 * `cardHolderInfo.cardHolderName`, …): validates on submit and shows field errors, prefetches a
 * signature on the first interaction, keeps the submit button busy while in flight, and reports
 * through `onSuccess`/`onError` and the `zuora-cors:success`/`zuora-cors:error` events.
 *
 * @example
 * const binding = bindForm('#card-form', {signatureUrl: '/signature', url: zuoraUrl('apisandbox')});
 * form.addEventListener('zuora-cors:success', event => show(event.detail.result.paymentMethodId));
 */
export function bindForm(target: HTMLFormElement | string, options: BindFormOptions): FormBinding {
	const form = typeof target === 'string' ? document.querySelector(target) : target;
	if (!(form instanceof HTMLFormElement)) {
		return invalidOption('request', 'form', 'a <form> element or a selector that finds one');
	}

	const maxAge = options.signatureMaxAge ?? defaults.signatureMaxAge;
	if (!(maxAge > 0)) {
		invalidOption('request', 'signatureMaxAge', 'a positive number of milliseconds');
	}

	// Checked now, not at the first submit: a bad URL would otherwise issue tokens on every focus.
	const zuoraOrigin = new URL(resolveZuoraUrl(options.url, options.allowedHosts)).origin;
	const signatureRequest = prepareSignatureRequest(options.signatureUrl, options.signatureOptions, 'signatureUrl');
	const added: Element[] = [];
	const marked = new Set<Element>();
	let destroyed = false;
	let prefetched: {promise: Promise<CorsSignature>; at: number} | undefined;
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
		prefetched = {promise, at: Date.now()};
		return promise;
	};

	const onInteraction = () => {
		if (!inFlight && (!prefetched || Date.now() - prefetched.at > maxAge)) {
			prefetch().catch(() => undefined);
		}
	};

	const setBusy = (busy: boolean) => {
		for (const button of form.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button:not([type=button]):not([type=reset]), input[type=submit]')) {
			button.disabled = busy;
		}

		form.toggleAttribute('aria-busy', busy);
	};

	const showErrors = (errors: Record<string, FieldError>) => {
		for (const element of form.querySelectorAll(`[${ERROR_ATTRIBUTE}]`)) {
			element.textContent = '';
		}

		// Only what this binding marked: the page may set aria-invalid on its own fields.
		for (const control of marked) {
			control.removeAttribute('aria-invalid');
		}

		marked.clear();
		for (const [name, {message}] of Object.entries(errors)) {
			const control = form.querySelector(`[name="${name}"]`);
			if (control) {
				control.setAttribute('aria-invalid', 'true');
				marked.add(control);
			}

			let slot = form.querySelector(`[${ERROR_ATTRIBUTE}="${name}"]`);
			if (!slot) {
				slot = document.createElement('span');
				slot.setAttribute(ERROR_ATTRIBUTE, name);
				slot.setAttribute('role', 'alert');
				(control ?? form.lastElementChild ?? form).after(slot);
				added.push(slot);
			}

			slot.textContent = message;
		}
	};

	const report = <T>(name: keyof typeof FORM_EVENTS, detail: T) => {
		// A submission that ends after destroy() reaches its caller's promise, not the page.
		if (destroyed) {
			return;
		}

		form.dispatchEvent(new CustomEvent(FORM_EVENTS[name], {detail, bubbles: true}));
	};

	const run = async (): Promise<PaymentMethodResult> => {
		const card = {...readFields(form), ...options.fields};
		const {valid, errors} = validateCreditCard(card, {messages: options.messages});
		showErrors(errors);
		// An invalid card is refused by createPaymentMethod itself, before any network call; the
		// prefetched pair stays for the corrected card. A valid one takes the pair: it is single-use.
		const fresh = valid && prefetched && Date.now() - prefetched.at <= maxAge ? prefetched.promise : undefined;
		if (valid) {
			prefetched = undefined;
		}

		setBusy(valid);
		try {
			return await createPaymentMethod({...options, card, signature: fresh});
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
			// createPaymentMethod rejects only with ZuoraCorsError; anything else would be a bug, wrapped so listeners get one type.
			const failure = error instanceof ZuoraCorsError ? error : new ZuoraCorsError(String(error), {kind: 'invalid-response', stage: 'request', cause: error});
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

	form.addEventListener('submit', onSubmit);
	if (options.prefetch ?? defaults.prefetch) {
		form.addEventListener('focusin', onInteraction);
		form.addEventListener('input', onInteraction);
	}

	if ((options.preconnect ?? defaults.preconnect) && !document.querySelector(`link[rel=preconnect][href="${zuoraOrigin}"]`)) {
		const link = document.createElement('link');
		link.rel = 'preconnect';
		link.href = zuoraOrigin;
		// The card POST carries credentials, and browsers pool credentialed connections apart.
		link.crossOrigin = 'use-credentials';
		document.head.append(link);
		added.push(link);
	}

	return {
		submit,
		prefetch,
		destroy() {
			form.removeEventListener('submit', onSubmit);
			form.removeEventListener('focusin', onInteraction);
			form.removeEventListener('input', onInteraction);
			for (const element of added.splice(0)) {
				element.remove();
			}

			showErrors({});
			prefetched = undefined;
			destroyed = true;
		},
	};
}

/** The form's named fields as a card object: checkboxes as booleans, dotted names nested. */
function readFields(form: HTMLFormElement): CreditCardInput {
	const card: Record<string, unknown> = {};
	for (const element of form.elements) {
		const control = element as HTMLInputElement;
		if (!control.name || control.disabled || ['submit', 'button', 'reset'].includes(control.type) || (control.type === 'radio' && !control.checked)) {
			continue;
		}

		const path = control.name.split('.');
		let target = card;
		for (const key of path.slice(0, -1)) {
			target = (target[key] ??= {}) as Record<string, unknown>;
		}

		const value = control.type === 'checkbox' ? control.checked : control.value;
		if (value !== '') {
			target[path.at(-1)!] = value;
		}
	}

	return card;
}
