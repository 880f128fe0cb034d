// The Vite demo's page script: the same page and element contract as demo/spa, written against
// the imperative API (createPaymentMethod, ZuoraCorsError) where the SPA hands its form to
// bindForm. build.mjs builds it with Vite from the `npm pack` tarball, so between them the two
// apps import the package the way shops do, through the two bundlers most of them use.
import {createPaymentMethod, CREDIT_CARDS_PATH, ZuoraCorsError} from 'zuora-cors';

const form = /** @type {HTMLFormElement} */ (document.querySelector('#card-form'));
const submitButton = /** @type {HTMLButtonElement} */ (document.querySelector('#submit'));
const saved = /** @type {HTMLElement} */ (document.querySelector('#saved'));
const result = /** @type {HTMLOutputElement} */ (document.querySelector('#result'));
const errorBox = /** @type {HTMLElement} */ (document.querySelector('#error'));
const accountKey = /** @type {HTMLInputElement} */ (form.elements.namedItem('accountKey'));

// The attribute bindForm gives its field messages, so both apps share style.css and tests.
const FIELD_ERROR_ATTRIBUTE = 'data-zuora-cors-error-for';

/**
 * A `<meta name>` value the merchant server filled in; `undefined` when the page was served
 * without it, since a literal `%PLACEHOLDER%` would otherwise be sent as a URL or account key.
 *
 * @param {string} name
 */
function meta(name) {
	const content = document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
	return content === '' || /^%\w+%$/.test(content) ? undefined : content;
}

/**
 * The Zuora URL the backend signed. A bare origin means Create Payment Method (credit card),
 * the one operation this page calls.
 *
 * @param {string} value
 */
function zuoraCardsUrl(value) {
	const url = new URL(value, location.href);
	return url.pathname === '/' ? new URL(CREDIT_CARDS_PATH, url).href : url.href;
}

/**
 * The card under Zuora's field names, as the form's control names spell them. Blank fields are
 * left out, so the library reports them as missing rather than malformed.
 *
 * @returns {import('zuora-cors').CreditCardInput}
 */
function readCard() {
	const data = new FormData(form);
	/** @type {Record<string, string>} */
	const filled = {};
	for (const [name, value] of data) {
		if (typeof value === 'string' && value !== '') {
			filled[name] = value;
		}
	}

	const {'cardHolderInfo.cardHolderName': cardHolderName, defaultPaymentMethod, ...card} = filled;
	return {
		...card,
		defaultPaymentMethod: defaultPaymentMethod !== undefined,
		...(cardHolderName === undefined ? {} : {cardHolderInfo: {cardHolderName}}),
	};
}

/**
 * Puts each field's message after its control and marks the control invalid.
 *
 * @param {Record<string, string>} errors field name → message a shopper can read
 */
function showFieldErrors(errors) {
	for (const [name, message] of Object.entries(errors)) {
		const control = form.elements.namedItem(name);
		if (control instanceof HTMLElement) {
			const slot = document.createElement('span');
			slot.setAttribute(FIELD_ERROR_ATTRIBUTE, name);
			slot.setAttribute('role', 'alert');
			slot.textContent = message;
			control.setAttribute('aria-invalid', 'true');
			control.after(slot);
		}
	}
}

/**
 * @param {string} message
 * @param {{kind: string, code?: number | string, stage?: string}} details
 */
function showError(message, {kind, code, stage}) {
	errorBox.textContent = message;
	errorBox.dataset['kind'] = kind;
	setOrRemove('data-code', code);
	setOrRemove('data-stage', stage);
}

/**
 * @param {string} attribute
 * @param {number | string | undefined} value
 */
function setOrRemove(attribute, value) {
	if (value === undefined) {
		errorBox.removeAttribute(attribute);
	} else {
		errorBox.setAttribute(attribute, String(value));
	}
}

function clear() {
	errorBox.textContent = '';
	for (const attribute of ['data-kind', 'data-code', 'data-stage']) {
		errorBox.removeAttribute(attribute);
	}

	for (const slot of form.querySelectorAll(`[${FIELD_ERROR_ATTRIBUTE}]`)) {
		slot.remove();
	}

	for (const control of form.querySelectorAll('[aria-invalid]')) {
		control.removeAttribute('aria-invalid');
	}

	saved.hidden = true;
	result.value = '';
	result.removeAttribute('data-payment-method-id');
}

/** @param {boolean} busy */
function setBusy(busy) {
	submitButton.disabled = busy;
	form.toggleAttribute('aria-busy', busy);
}

/**
 * What the shopper reads. Only the error's fields are used: its message is for developers, and
 * nothing here ever echoes what was typed into the form.
 *
 * @param {ZuoraCorsError} error
 */
function shopperMessage(error) {
	switch (error.kind) {
		case 'validation': {
			// A validation error about anything but a card field (an option) is the page's fault.
			if (Object.keys(error.fields ?? {}).some(name => form.elements.namedItem(name))) {
				return 'Please check the highlighted fields.';
			}

			break;
		}

		case 'zuora': {
			return error.reasons[0]?.message ?? 'The payment service refused the card.';
		}

		case 'network':
		case 'timeout': {
			// At the signature stage the card was never sent; at the request stage it may have been saved.
			return error.stage === 'signature'
				? 'We could not reach the payment service. Your card was not sent; please try again.'
				: 'We did not hear back from the payment service, so we do not know whether your card was saved. Please do not submit it again: check your payment methods first, or contact us.';
		}

		// 'http', 'invalid-response', 'aborted': nothing the shopper can act on.
	}

	return 'Something went wrong while saving your card. Please try again later or contact us.';
}

const signatureUrl = meta('signature-url');
const zuoraUrl = meta('zuora-url');
accountKey.value = meta('account-key') ?? '';

if (signatureUrl === undefined || zuoraUrl === undefined) {
	showError('This page is not configured: it must be served by the merchant server.', {kind: 'config'});
	for (const control of form.elements) {
		control.setAttribute('disabled', '');
	}
} else {
	const url = zuoraCardsUrl(zuoraUrl);
	let inFlight = false;
	form.addEventListener('submit', async event => {
		event.preventDefault();
		// One submission at a time: a second card POST could save the card twice.
		if (inFlight) {
			return;
		}

		inFlight = true;
		clear();
		setBusy(true);
		try {
			// Validates the card first: an invalid one is refused before any network call.
			const {paymentMethodId} = await createPaymentMethod({signatureUrl, url, card: readCard()});
			result.value = paymentMethodId;
			result.dataset['paymentMethodId'] = paymentMethodId;
			saved.hidden = false;
		} catch (error) {
			// The library rejects with nothing else; anything else is a bug in this page, left loud.
			if (!(error instanceof ZuoraCorsError)) {
				throw error;
			}

			showFieldErrors(error.fields ?? {});
			showError(shopperMessage(error), error);
		} finally {
			inFlight = false;
			setBusy(false);
		}
	});
}
