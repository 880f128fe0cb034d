import {normalizeCreditCard, validateCreditCard, type CreditCardInput} from './card.js';
import type {CorsResponse} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import type {Messages} from './messages.js';
import {ownCopy} from './options.js';
import {refuseCardInSignatureRequest, resolveSignedCall, runSignedCall, type SignedCallOptions} from './signed-call.js';

export type CreatePaymentMethodOptions = SignedCallOptions & {
	/** The merchant backend endpoint that returns a signature and token. */
	signatureUrl: string | URL;
	/** The Zuora URL the backend signed, e.g. `zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')`. */
	url: string | URL;
	card: CreditCardInput;
	/**
	 * Sent as `Idempotency-Key` (see `makeCorsRequest`). Opt-in. The one re-sign after 90000011
	 * sends a key derived from it (`<key>-resign`), because Zuora stores the refused first answer
	 * under the key and would replay it; a repeated call with the same key derives the same one.
	 */
	idempotencyKey?: string;
	/** Texts of the card's field errors, replacing the built-in English ones by code (e.g. `zuora-cors/locales/de`). */
	messages?: Messages;
};

export type PaymentMethodResult = CorsResponse & {paymentMethodId: string};

/**
 * The whole flow for a credit card: validate and normalise the card (refused before any network
 * call when invalid), fetch a signature from the merchant backend, post the card to Zuora.
 *
 * When Zuora answers 90000011 (token used, expired or unknown) it fetches one fresh signature and
 * tries once more; any other failure is thrown as is, and nothing is ever re-sent blindly.
 *
 * @example
 * const {paymentMethodId} = await createPaymentMethod({
 * 	signatureUrl: '/signature',
 * 	url: zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards'),
 * 	card: {accountKey: 'A00000001', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2030, securityCode: '123'},
 * });
 */
export async function createPaymentMethod(paymentOptions: CreatePaymentMethodOptions): Promise<PaymentMethodResult> {
	// Own properties only, the card's too: nothing a page put on Object.prototype is read.
	const call = resolveSignedCall(paymentOptions, '', true);
	const json = checkedCard(call, ownCopy(call.options.card));
	return runSignedCall(call, ['paymentMethodId'], () => json);
}

/**
 * The card checked and normalised, or a `validation` error (the card was not sent) with its fields
 * keyed by the body's paths (`rename`: validateCreditCard's name → the body's). Never sent to the backend.
 */
export function checkedCard(call: ReturnType<typeof resolveSignedCall>, card: CreditCardInput, rename = (name: string) => name) {
	const checked = validateCreditCard(card, {messages: (call.options as {messages?: Messages}).messages});
	if (!checked.valid || !checked.creditCardType) {
		const fields = Object.fromEntries(Object.entries(checked.errors).map(([name, error]) => [rename(name), error]));
		throw new ZuoraCorsError(`The card was not sent: ${Object.keys(fields).join(', ')} invalid`, {kind: 'validation', stage: 'request', fields});
	}

	const json = normalizeCreditCard(card, checked.creditCardType);
	refuseCardInSignatureRequest(call.signatureRequest, [json.creditCardNumber, json.securityCode ?? '']);
	return json;
}
