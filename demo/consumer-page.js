// The page code both consumer apps share (demo/spa/main.js with bindForm, demo/vite-app/main.js
// with createPaymentMethod): the elements of demo/consumer-page.html, the configuration the
// merchant server puts in its <meta> tags, and what the shopper reads in #result and #error.
// Each build copies this file into its throwaway app next to the app's folder (see
// demo/consumer-app.mjs), so the bundlers read it, and 'zuora-cors', from inside the app.
import {CREDIT_CARDS_PATH, describeError} from 'zuora-cors';

/** @typedef {import('zuora-cors').ZuoraCorsError} ZuoraCorsError */

export const form = /** @type {HTMLFormElement} */ (document.querySelector('#card-form'));
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
 * Fills in the account and returns where to get signatures and send the card. On a page the
 * merchant server did not configure, says so in #error, disables the form and returns `undefined`.
 *
 * @returns {{signatureUrl: string, signatureOptions: {method: 'POST'}, url: string, allowedHosts: string[]} | undefined}
 */
export function setUpPage() {
	const signatureUrl = meta('signature-url');
	const zuoraUrl = meta('zuora-url');
	accountKey.value = meta('account-key') ?? '';

	if (signatureUrl === undefined || zuoraUrl === undefined) {
		showError('This page is not configured: it must be served by the merchant server.', {kind: 'config'});
		for (const control of form.elements) {
			control.setAttribute('disabled', '');
		}

		return undefined;
	}

	const url = zuoraCardsUrl(zuoraUrl);
	// The demo's Zuora is the stub on a loopback origin over plain http: listed in full, or refused.
	// The merchant server issues tokens on same-origin POSTs only.
	return {signatureUrl, signatureOptions: {method: 'POST'}, url, allowedHosts: [new URL(url).origin]};
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

/** Removes the last submission's outcome: the error and its data attributes, the saved card. */
export function clearOutcome() {
	errorBox.textContent = '';
	for (const attribute of ['data-kind', 'data-code', 'data-stage']) {
		errorBox.removeAttribute(attribute);
	}

	saved.hidden = true;
	result.value = '';
	result.removeAttribute('data-payment-method-id');
}

/** @param {string} paymentMethodId the saved card's payment method */
export function showSaved(paymentMethodId) {
	result.value = paymentMethodId;
	result.dataset['paymentMethodId'] = paymentMethodId;
	saved.hidden = false;
}

/**
 * Shows the error in #error: the library's sentence for the shopper (`describeError`: no gateway
 * jargon, never the card, "could not confirm" when the outcome is unknown), and its kind, code and stage.
 *
 * @param {ZuoraCorsError} error
 */
export function showFailure(error) {
	showError(describeError(error).message, error);
}
