/**
 * Create Account (`POST /v1/accounts`, CORS, through `idempotency.ts`), with Zuora's body:
 * `name` (the signed value), `currency`, `billToContact` (`firstName`, `lastName`, `country`),
 * `autoPay`, and the card as `creditCard` (`cardType`, `cardNumber`, ...) or
 * `hpmCreditCardPaymentMethodId` (an orphan method at the stub, which the account then owns).
 * The stub's choices: both card forms at once is a `creditCard` invalid value; `autoPay: true`
 * without a card is `creditCard: missing field`; account fields answer 53000020 / 53000022
 * (resource 530000), every bad field at once, card fields included; a declined card creates
 * nothing; accounts are numbered A00000001, A00000002, ...
 */
import {checkAccountFields} from './account-check.js';
import {ACCOUNT_CARD_FIELDS, type ValidCard} from './card-check.js';
import {declineOf, storePaymentMethod, validateCard} from './payment-methods.js';
import type {StoredAccount, StoredPaymentMethod, StubContext} from './stub-state.js';
import {failure, isBlank, isPlainObject, ok, randomHex, reason, type Reason, type Reply} from './values.js';
import {STUB_CODES as CODES} from './zuora-facts.js';

/** The card of a Create Account body: checked inline card, or the orphan method it names. */
type AccountCard = {reasons: Reason[]; card: ValidCard | undefined; hpmMethod: StoredPaymentMethod | undefined};

function accountCard(context: StubContext, body: Record<string, unknown>): AccountCard {
	const creditCard = body['creditCard'];
	const hpmId = body['hpmCreditCardPaymentMethodId'];
	const hasCard = creditCard !== undefined && creditCard !== null;
	const hasHpm = !isBlank(hpmId);
	const none: AccountCard = {reasons: [], card: undefined, hpmMethod: undefined};
	if (hasCard && hasHpm) {
		return {...none, reasons: [reason(CODES.accountInvalidValue, 'creditCard: invalid value')]};
	}

	if (hasCard) {
		if (!isPlainObject(creditCard)) {
			return {...none, reasons: [reason(CODES.cardInvalidValue, 'creditCard: invalid value')]};
		}

		const checked = validateCard(context, creditCard, 'creditCard.', ACCOUNT_CARD_FIELDS);
		return {...none, reasons: checked.reasons, card: checked.card};
	}

	if (hasHpm) {
		const record = typeof hpmId === 'string' ? context.state.paymentMethods.find(({method}) => method.id === hpmId && method.accountKey === null) : undefined;
		return record ? {...none, hpmMethod: record.method} : {...none, reasons: [reason(CODES.accountInvalidValue, 'hpmCreditCardPaymentMethodId: invalid value')]};
	}

	return body['autoPay'] === true ? {...none, reasons: [reason(CODES.accountMissingField, 'creditCard: missing field')]} : none;
}

export function createAccount(context: StubContext, body: Record<string, unknown>, idempotencyKey: string | undefined): Reply {
	const account = checkAccountFields(body);
	const {reasons: cardReasons, card, hpmMethod} = accountCard(context, body);
	const reasons = [...account.reasons, ...cardReasons];
	if (reasons.length > 0 || !account.fields) {
		return ok(failure(...reasons));
	}

	const decline = card ? declineOf(card) : undefined;
	if (decline) {
		return ok(failure(reason(CODES.declined, decline)));
	}

	context.state.accountCount += 1;
	const accountNumber = `A${String(context.state.accountCount).padStart(8, '0')}`;
	let paymentMethodId: string | null = null;
	if (card) {
		paymentMethodId = storePaymentMethod(context, card, accountNumber, idempotencyKey).id;
	}

	if (hpmMethod) {
		hpmMethod.accountKey = accountNumber;
		paymentMethodId = hpmMethod.id;
	}

	const {name, currency, autoPay} = account.fields;
	const stored: StoredAccount = {accountId: randomHex(), accountNumber, name, currency, autoPay, paymentMethodId};
	context.state.accounts.push(stored);
	return ok({success: true, accountId: stored.accountId, accountNumber, ...(paymentMethodId === null ? {} : {paymentMethodId})});
}
