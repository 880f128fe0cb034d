// The Vite demo's page script: the same page and element contract as demo/spa, written against
// the imperative API (createPaymentMethod, ZuoraCorsError) where the SPA hands its form to
// bindForm. build.mjs builds it with Vite from the `npm pack` tarball, so between them the two
// apps import the package the way shops do, through the two bundlers most of them use.
// The page code the two apps share (configuration, #result, #error) is in ../consumer-page.js.
import {createPaymentMethod, ZuoraCorsError} from 'zuora-cors';
import {clearOutcome, enableCardControls, form, setUpPage, showFailure, showSaved} from '../consumer-page.js';

const submitButton = /** @type {HTMLButtonElement} */ (document.querySelector('#submit'));

// The attribute bindForm gives its field messages, so both apps share style.css and tests.
const FIELD_ERROR_ATTRIBUTE = 'data-zuora-cors-error-for';

/** The controls this page reads, by Zuora's field names: an injected control under another name is never read. */
const CARD_FIELDS = ['cardHolderInfo.cardHolderName', 'creditCardType', 'creditCardNumber', 'expirationMonth', 'expirationYear', 'securityCode', 'defaultPaymentMethod'];

/**
 * The card under Zuora's field names, from this form's controls inside its card fieldset only.
 * Blank fields are left out, so the library reports them as missing rather than malformed.
 *
 * @param {string} accountKey the account, from the configuration (never a form field)
 * @returns {import('zuora-cors').CreditCardInput}
 */
function readCard(accountKey) {
	const fieldset = form.querySelector('fieldset[data-zuora-cors-fields]');
	/** @type {Record<string, string>} */
	const filled = {};
	for (const control of /** @type {HTMLInputElement[]} */ ([...form.elements])) {
		if (CARD_FIELDS.includes(control.name) && fieldset?.contains(control) && !control.disabled && control.value !== '' && (control.type !== 'checkbox' || control.checked)) {
			filled[control.name] = control.value;
		}
	}

	const {'cardHolderInfo.cardHolderName': cardHolderName, defaultPaymentMethod, ...card} = filled;
	return {
		...card,
		accountKey,
		defaultPaymentMethod: defaultPaymentMethod !== undefined,
		...(cardHolderName === undefined ? {} : {cardHolderInfo: {cardHolderName}}),
	};
}

/**
 * Puts each field's message after its control and marks the control invalid.
 *
 * @param {Record<string, import('zuora-cors').FieldError>} errors field name → its code and the message a shopper can read
 */
function showFieldErrors(errors) {
	for (const [name, {message}] of Object.entries(errors)) {
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

/** Removes the last submission's outcome and field messages. */
function clear() {
	clearOutcome();
	for (const slot of form.querySelectorAll(`[${FIELD_ERROR_ATTRIBUTE}]`)) {
		slot.remove();
	}

	for (const control of form.querySelectorAll('[aria-invalid]')) {
		control.removeAttribute('aria-invalid');
	}
}

/** @param {boolean} busy */
function setBusy(busy) {
	submitButton.disabled = busy;
	form.toggleAttribute('aria-busy', busy);
}

const config = setUpPage();
if (config !== undefined) {
	const {accountKey, ...call} = config;
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
			const {paymentMethodId} = await createPaymentMethod({...call, signatureOptions: {method: 'POST'}, card: readCard(accountKey)});
			showSaved(paymentMethodId);
		} catch (error) {
			// The library rejects with nothing else; anything else is a bug in this page, left loud.
			if (!(error instanceof ZuoraCorsError)) {
				throw error;
			}

			showFieldErrors(error.fields ?? {});
			showFailure(error);
		} finally {
			inFlight = false;
			setBusy(false);
		}
	});

	// Only now, with the submit handled here, may the shopper type a card: until this line runs
	// (script blocked or late) every card control stays disabled, as the markup has it.
	enableCardControls();
}
