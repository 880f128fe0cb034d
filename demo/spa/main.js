// The SPA demo's page script. build.mjs bundles it against the zuora-cors package installed from
// the `npm pack` tarball, so this file imports the library exactly as a shop's app would.
import {bindForm, CREDIT_CARDS_PATH, FORM_EVENTS} from 'zuora-cors';

/** @typedef {import('zuora-cors').ZuoraCorsError} ZuoraCorsError */
/** @typedef {import('zuora-cors').PaymentMethodResult} PaymentMethodResult */

const form = /** @type {HTMLFormElement} */ (document.querySelector('#card-form'));
const saved = /** @type {HTMLElement} */ (document.querySelector('#saved'));
const result = /** @type {HTMLOutputElement} */ (document.querySelector('#result'));
const errorBox = /** @type {HTMLElement} */ (document.querySelector('#error'));
const accountKey = /** @type {HTMLInputElement} */ (form.elements.namedItem('accountKey'));

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

	saved.hidden = true;
	result.value = '';
	result.removeAttribute('data-payment-method-id');
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
			// bindForm has already put each card field's message next to the field. A validation
			// error about anything else (an option) is the page's fault, not the shopper's.
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
	// Registered before bindForm's listener, so an old outcome is gone before the new one arrives.
	form.addEventListener('submit', clear);
	form.addEventListener(FORM_EVENTS.success, event => {
		const {result: {paymentMethodId}} = /** @type {CustomEvent<{result: PaymentMethodResult}>} */ (event).detail;
		result.value = paymentMethodId;
		result.dataset['paymentMethodId'] = paymentMethodId;
		saved.hidden = false;
	});
	form.addEventListener(FORM_EVENTS.error, event => {
		const {error} = /** @type {CustomEvent<{error: ZuoraCorsError}>} */ (event).detail;
		showError(shopperMessage(error), error);
	});
	bindForm(form, {signatureUrl, url: zuoraCardsUrl(zuoraUrl)});
}
