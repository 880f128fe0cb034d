// The page code both consumer apps share (demo/spa/main.js with bindForm, demo/vite-app/main.js
// with createPaymentMethod): the elements of demo/consumer-page.html, the configuration the
// merchant server writes in /config.js, and what the shopper reads in #result and #error.
// Each build copies this file into its throwaway app next to the app's folder (see
// demo/consumer-app.mjs), so the bundlers read it, and 'zuora-cors', from inside the app.
import {describeError} from 'zuora-cors';

/** @typedef {import('zuora-cors').ZuoraCorsError} ZuoraCorsError */

export const form = /** @type {HTMLFormElement} */ (document.querySelector('#card-form'));
const saved = /** @type {HTMLElement} */ (document.querySelector('#saved'));
const result = /** @type {HTMLOutputElement} */ (document.querySelector('#result'));
const errorBox = /** @type {HTMLElement} */ (document.querySelector('#error'));
const accountKey = /** @type {HTMLInputElement} */ (document.querySelector('#account-key'));

/**
 * @typedef {object} SignedCall
 * @property {string} signatureUrl
 * @property {string} url
 * @property {string[]} allowedHosts
 */

/**
 * The configuration /config.js defined (a frozen, read-only own property of window, written by
 * the merchant server): never the page's markup, where injected elements could say where the card goes.
 *
 * @returns {{card: SignedCall, accountKey: string} | undefined}
 */
function demoConfig() {
	const value = Object.getOwnPropertyDescriptor(window, 'zuoraCorsDemo')?.value;
	return Object.isFrozen(value) && typeof value === 'object' && value !== null ? value : undefined;
}

/**
 * Fills in the account and returns where to get signatures and send the card, and the account.
 * On a page without its configuration (not served by the merchant server), or with more than one
 * `#card-form` (an injected decoy), says so in #error and returns `undefined`: the controls stay
 * disabled, as the markup has them.
 *
 * @returns {{signatureUrl: string, url: string, allowedHosts: string[], accountKey: string} | undefined}
 */
export function setUpPage() {
	const config = demoConfig();
	if (config === undefined || document.querySelectorAll('#card-form').length !== 1) {
		showError('This page is not configured: it must be served by the merchant server.', {kind: 'config'});
		return undefined;
	}

	accountKey.value = config.accountKey;
	// The demo's Zuora is the stub on a loopback origin over plain http: listed in full, or refused.
	const {signatureUrl, url, allowedHosts} = config.card;
	return {signatureUrl, url, allowedHosts: [...allowedHosts], accountKey: config.accountKey};
}

/**
 * Enables the card controls: this form's controls inside its card fieldset, and only those (one
 * the parser moved out of the fieldset, injected markup's doing, stays disabled as the markup has it).
 */
export function enableCardControls() {
	const fieldset = form.querySelector('fieldset[data-zuora-cors-fields]');
	if (!(fieldset instanceof HTMLFieldSetElement)) {
		return;
	}

	fieldset.disabled = false;
	for (const control of Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'elements')?.get?.call(form) ?? []) {
		if (fieldset.contains(control)) {
			/** @type {HTMLInputElement} */ (control).disabled = false;
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
