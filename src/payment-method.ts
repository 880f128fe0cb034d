import {normalizeCreditCard, validateCreditCard, type CreditCardInput} from './card.js';
import {makeCorsRequest, type CorsResponse} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import type {FieldError, Messages} from './messages.js';
import {ownCopy} from './options.js';
import {refuseCardInSignatureRequest, requireFields, resolveSignedCall, runSignedCall, type SignedCallOptions} from './signed-call.js';

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
	const call = resolveSignedCall(paymentOptions);
	const card = ownCopy(call.options.card);
	const checked = validateCreditCard(card, {messages: call.options.messages});
	if (!checked.valid || !checked.creditCardType) {
		throw cardRefused(checked.errors);
	}

	const json = normalizeCreditCard(card, checked.creditCardType);
	refuseCardInSignatureRequest(call.signatureRequest, json.creditCardNumber);
	const result = await runSignedCall(call, async ({pair: {signature, token}, ...attempt}) => makeCorsRequest({...attempt, signature, token, json}));
	return requireFields(result, ['paymentMethodId']) as PaymentMethodResult;
}

/** The `validation` error of a card that was not sent, its fields keyed by the body's paths. */
export function cardRefused(fields: Record<string, FieldError>): ZuoraCorsError {
	return new ZuoraCorsError(`The card was not sent: ${Object.keys(fields).join(', ')} invalid`, {kind: 'validation', stage: 'request', fields});
}
