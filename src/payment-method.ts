import {normalizeCreditCard, validateCreditCard, type CreditCardInput} from './card.js';
import type {CorsResponse} from './cors-request.js';
import {cardNotSent} from './errors.js';
import type {Messages} from './messages.js';
import {ownCopy} from './options.js';
import type {ReconcileOptions} from './reconcile.js';
import {refuseCardInSignatureRequest, resolveSignedCall, runSignedCall, signedValue, type SignedCall, type SignedCallOptions} from './signed-call.js';

export type CreatePaymentMethodOptions = SignedCallOptions &
	ReconcileOptions & {
		/** The merchant backend endpoint that returns a signature and token. */
		signatureUrl: string | URL;
		card: CreditCardInput;
		/**
		 * Sent as `Idempotency-Key` (see `makeCorsRequest`). Opt-in. The one re-sign after 90000011
		 * sends the same key: Zuora stores an answer under a key only for a request it processed, and
		 * a refused token is not processed, so the key is still free and a repeat of the call with it
		 * can only replay, never create a second method.
		 */
		idempotencyKey?: string;
		/** Texts of the card's field errors, replacing the built-in English ones by code (e.g. `zuora-cors/locales/de`). */
		messages?: Messages;
	};

export type PaymentMethodResult = CorsResponse & {
	paymentMethodId: string;
	/** `true` when the card POST's answer was lost and `reconcileUrl` found the card saved. */
	recovered?: true;
};

/**
 * The whole flow for a credit card: validate and normalise the card (refused before any network
 * call when invalid), fetch a signature from the merchant backend, post the card to Zuora.
 *
 * When the backend's answer carries what it signed (`uri`, `method`, `accountKey`, as
 * `zuora-cors/server`'s does), those are used: the page needs no `url` and no `accountKey`, and a
 * page value that disagrees is refused before the card is sent.
 *
 * When Zuora answers 90000011 (token used, expired or unknown) it fetches one fresh signature and
 * tries once more; any other failure is thrown as is, and nothing is ever re-sent blindly. With
 * `reconcileUrl`, an unknown outcome is resolved by asking the backend (see `ReconcileOptions`):
 * found resolves with `recovered: true`, not found rejects with `kind: 'not-saved'` (retryable).
 *
 * @example
 * const {paymentMethodId} = await createPaymentMethod({
 * 	signatureUrl: '/signature',
 * 	card: {creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2030, securityCode: '123'},
 * });
 */
export async function createPaymentMethod(paymentOptions: CreatePaymentMethodOptions): Promise<PaymentMethodResult> {
	const call = resolveSignedCall(paymentOptions, {operation: 'creditCard', idempotent: true, reconcilable: true});
	const card = checkedCard(call, call.options.card);
	return runSignedCall(call, {
		fields: ['paymentMethodId'],
		json(signed) {
			const accountKey = signedValue(signed, 'accountKey', card.accountKey, {required: false});
			return accountKey === undefined ? card : {accountKey, ...card};
		},
		card,
	});
}

/**
 * The card checked and normalised, or a `validation` error (the card was not sent) with its fields
 * keyed by the body's paths (`rename`: validateCreditCard's name → the body's). Never sent to the backend.
 */
export function checkedCard(call: SignedCall, card: CreditCardInput, rename = (name: string) => name) {
	const checked = validateCreditCard(card, {messages: (call.options as {messages?: Messages}).messages});
	if (!checked.valid || !checked.creditCardType) {
		const fields = Object.fromEntries(Object.entries(checked.errors).map(([name, error]) => [rename(name), error]));
		throw cardNotSent('card_invalid', fields);
	}

	// Own properties only, read later (`accountKey`, `securityCode`): an absent one is never inherited.
	const json = ownCopy(normalizeCreditCard(card, checked.creditCardType));
	refuseCardInSignatureRequest(call.signatureRequest, [json.creditCardNumber, json.securityCode ?? '']);
	return json;
}
