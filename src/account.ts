import type {CardHolderInfo} from './card.js';
import type {Messages} from './messages.js';
import type {CorsResponse} from './cors-request.js';
import {invalidOption} from './options.js';
import {checkedCard} from './payment-method.js';
import {resolveSignedCall, runSignedCall, signedValue, type SignedCallOptions} from './signed-call.js';

/** Create Account's inline card, named as Zuora names it there (`cardType`, `cardNumber`). */
export type AccountCreditCard = {
	/** Zuora's spelling (`Visa`, `MasterCard`, …); inferred from the number when absent. */
	cardType?: string;
	cardNumber?: string | number;
	expirationMonth?: string | number;
	/** Four digits; two digits are read as 20YY. */
	expirationYear?: string | number;
	securityCode?: string | number;
	cardHolderInfo?: CardHolderInfo;
	[field: string]: unknown;
};

/** The body of Zuora's Create Account (`POST /v1/accounts`), as far as this library reads it; other fields are sent as given. */
export type AccountInput = {
	/** The account name the backend signed. Taken from the signature pair when the backend returns it (see `createAccount`). */
	name?: string;
	/** Three capital letters, e.g. `USD`. */
	currency: string;
	billToContact: {firstName: string; lastName: string; country: string; [field: string]: unknown};
	/** A card checked and normalised like `createPaymentMethod`'s before anything is sent. */
	creditCard?: AccountCreditCard;
	/** Instead of `creditCard`: a payment method made earlier (e.g. by Payment Pages 2.0). */
	hpmCreditCardPaymentMethodId?: string;
	/** Refused (`payment_method_inline`): a card goes as `creditCard`, which the checks and the exactly-once rule cover. */
	paymentMethod?: never;
	autoPay?: boolean;
	[field: string]: unknown;
};

export type CreateAccountOptions = SignedCallOptions & {
	account: AccountInput;
	/** Sent as `Idempotency-Key`, as `createPaymentMethod` does (the re-sign after 90000011, without a card inline, sends the same key). */
	idempotencyKey?: string;
	/** Texts of the card's field errors, replacing the built-in English ones by code (as for `createPaymentMethod`). */
	messages?: Messages;
};

export type AccountResult = CorsResponse & {accountId: string; accountNumber: string; paymentMethodId?: string};

/**
 * Creates a Zuora account from the browser (`POST /v1/accounts`, CORS), with a card inline
 * (`creditCard`) or a payment method made earlier (`hpmCreditCardPaymentMethodId`). The card
 * gets `createPaymentMethod`'s checks, errors keyed by the body's paths (`creditCard.cardNumber`),
 * and the same flow: signature from the backend, card data masked and never sent to the backend.
 * One re-sign on 90000011 without a card inline; with one, a 90000011 at the first attempt may be
 * the browser's own copy of a request that already created the account, and nothing can find it
 * afterwards (see below), so it is not re-signed: `invalid-response`, `not_resent`.
 *
 * The signature binds the account `name`. When the backend's pair carries `name` (as
 * `zuora-cors/server` answers), the body takes it; a body `name` that differs is refused before
 * anything is posted. The same holds for the signed `uri` and a page `url`.
 *
 * It takes no `reconcileUrl`: a lost answer leaves an account the backend cannot name (Zuora
 * numbers it), the reconcile endpoint lists the cards of an account it already knows, and a card
 * found there would not give the `accountId` and `accountNumber` this call resolves with. The
 * unknown outcome is reported as such (`describeError`: "could not confirm").
 *
 * @example
 * const {accountId, accountNumber} = await createAccount({
 * 	signatureUrl: '/signature/account',
 * 	url: zuoraUrl('apisandbox', '/v1/accounts'),
 * 	account: {currency: 'USD', billToContact: {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'}, creditCard: {cardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2030, securityCode: '123'}},
 * });
 */
export async function createAccount(accountOptions: CreateAccountOptions): Promise<AccountResult> {
	const call = resolveSignedCall(accountOptions, {operation: 'account', idempotent: true});
	const {account} = call.options;
	if (account === null || typeof account !== 'object') {
		invalidOption('request', 'account', 'not_object');
	}

	// Zuora's `paymentMethod` would carry a card past the checks, the masking rules and the
	// exactly-once rule below (a card call is never re-signed while its outcome is unknown).
	if (account.paymentMethod !== undefined) {
		invalidOption('request', 'account', 'payment_method_inline');
	}

	let json: Record<string, unknown> = account;
	let card: ReturnType<typeof checkedCard> | undefined;
	if (account.creditCard !== undefined) {
		const {cardType, cardNumber, ...rest} = (account.creditCard ?? {}) as AccountCreditCard;
		// Its field errors keyed by the body's paths: creditCardNumber → creditCard.cardNumber.
		card = checkedCard(call, {...rest, creditCardType: cardType, creditCardNumber: cardNumber}, name => `creditCard.${name.replace('creditC', 'c')}`);
		const {creditCardType, creditCardNumber, ...others} = card;
		json = {...account, creditCard: {cardType: creditCardType, cardNumber: creditCardNumber, ...others}};
	}

	return runSignedCall(call, {
		fields: ['accountId', 'accountNumber'],
		json: signed => ({...json, name: signedValue(signed, 'name', account.name)}),
		// A call that carries a card is a card call (runSignedCall): never re-sent while its outcome is unknown.
		card,
	});
}
