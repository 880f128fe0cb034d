// The SPA demo's page script. build.mjs bundles it against the zuora-cors package installed from
// the `npm pack` tarball, so this file imports the library exactly as a shop's app would. The
// page code it shares with the Vite app (configuration, #result, #error) is in ../consumer-page.js.
import {bindForm, FORM_EVENTS} from 'zuora-cors';
import {clearOutcome, form, setUpPage, showFailure, showSaved} from '../consumer-page.js';

/** @typedef {import('zuora-cors').ZuoraCorsError} ZuoraCorsError */
/** @typedef {import('zuora-cors').PaymentMethodResult} PaymentMethodResult */

const config = setUpPage();
if (config !== undefined) {
	// Registered before bindForm's listener, so an old outcome is gone before the new one arrives.
	form.addEventListener('submit', clearOutcome);
	form.addEventListener(FORM_EVENTS.success, event => {
		const {
			result: {paymentMethodId},
		} = /** @type {CustomEvent<{result: PaymentMethodResult}>} */ (event).detail;
		showSaved(paymentMethodId);
	});
	form.addEventListener(FORM_EVENTS.error, event => {
		const {error} = /** @type {CustomEvent<{error: ZuoraCorsError}>} */ (event).detail;
		showFailure(error);
	});
	const {accountKey, ...call} = config;
	// The account comes from the configuration, not a form field: markup cannot change it. bindForm
	// enables the card controls it binds once its submit listener is in place.
	bindForm(form, {...call, signatureOptions: {method: 'POST'}, fields: {accountKey}, formFields: ['defaultPaymentMethod']});
}
