/**
 * Credit-card payment methods: Create (`POST /v1/payment-methods/credit-cards`, CORS, through
 * `idempotency.ts`) and List (`GET /v1/payment-methods/credit-cards/accounts/{account-key}`,
 * backend, bearer token).
 *
 * Create follows Zuora's body (the README's "Zuora facts this library depends on"); the stub's choices: one reason per bad field
 * (53100020 invalid value, 53100022 missing field) named by the body's own path; declines
 * (the `declined*` test cards) answer 53100099, the credit-card resource's category 99
 * "payment-gateway error" (Zuora documents no decline code; 53100320 is a termType code), and
 * create nothing; `accountKey` is not looked up (any value is an existing account; none makes
 * an orphan method).
 *
 * List follows Zuora's API reference, "List all credit card payment methods of an account"
 * (https://developer.zuora.com/v1-api-reference/older-api/operation/GET_PaymentMethodsCreditCard):
 * `account-key` is an account number or id; `page` (>= 1, default 1) and `pageSize` (<= 40,
 * default 20) page the list; the answer is `{creditCards: [{id, defaultPaymentMethod,
 * cardHolderInfo: {cardHolderName, addressLine1, addressLine2, city, state, zipCode, country,
 * phone, email}, cardNumber, expirationMonth, expirationYear, cardType}], nextPage?, success}`,
 * `cardNumber` masked as in the reference's example (`************1234`), `nextPage` the URL of
 * the next page, absent on the last. Zuora gives no creation time for a card. The stub's
 * choices where the reference is silent: the most recently saved card first (what
 * `zuora-cors/server`'s reconcile handler assumes, so a card just saved is on the first page);
 * twelve `*` whatever the card's length; an absent holder field is null; an account with no
 * card (or one the stub never saw) lists none; a bad `page` or `pageSize` answers 53100020
 * "<name>: invalid value".
 */
import {DECLINE_TEST_CARDS} from './test-cards.js';
import {checkCard, PAYMENT_METHOD_FIELDS, type CardFieldNames, type ValidCard} from './card-check.js';
import {authenticationError, isAuthenticated} from './oauth.js';
import type {PaymentMethodRecord, StoredPaymentMethod, StubContext, StubRequest} from './stub-state.js';
import {failure, ok, randomHex, reason, type Reply} from './values.js';
import {STUB_CODES as CODES} from './zuora-facts.js';
import {CREDIT_CARDS_OF_ACCOUNT} from '../zuora.js';

/** Zuora's list operation (backend, bearer token); `{account-key}` is one path segment. */
export const LIST_CREDIT_CARDS_PATH = new RegExp(`^${CREDIT_CARDS_OF_ACCOUNT.path.replace('{account-key}', '([^/]+)')}$`);

/** Zuora's documented page limits of the list operation. */
const PAGE_SIZE = {default: 20, max: CREDIT_CARDS_OF_ACCOUNT.maxPageSize} as const;

const HOLDER_FIELDS = ['addressLine1', 'addressLine2', 'city', 'state', 'zipCode', 'country', 'phone', 'email'] as const;

export function validateCard(context: StubContext, card: Record<string, unknown>, prefix: string, fields: CardFieldNames) {
	return checkCard(card, prefix, {requireCardHolderName: context.config.requireCardHolderName, now: context.config.now(), fields});
}

/** The gateway's decline for a decline test card, else undefined. */
export function declineOf(card: ValidCard): string | undefined {
	return DECLINE_TEST_CARDS.get(card.number);
}

export function storePaymentMethod(context: StubContext, card: ValidCard, accountKey: string | null, idempotencyKey: string | undefined): StoredPaymentMethod {
	const method: StoredPaymentMethod = {
		id: randomHex(),
		accountKey,
		creditCardType: card.creditCardType,
		last4: card.number.slice(-4),
		expirationMonth: card.expirationMonth,
		expirationYear: card.expirationYear,
		cardHolderName: card.cardHolderName,
		defaultPaymentMethod: card.defaultPaymentMethod,
		...(idempotencyKey === undefined ? {} : {idempotencyKey}),
		createdAt: new Date(context.config.now()).toISOString(),
	};
	context.state.paymentMethods.push({method, address: card.address});
	return method;
}

/** Create Payment Method's body, once the pair is verified (see `idempotency.ts`). */
export function createPaymentMethod(context: StubContext, body: Record<string, unknown>, idempotencyKey: string | undefined): Reply {
	const accountKey = body['accountKey'];
	const checked = validateCard(context, body, '', PAYMENT_METHOD_FIELDS);
	if (accountKey !== undefined && accountKey !== null && typeof accountKey !== 'string') {
		checked.reasons.unshift(reason(CODES.cardInvalidValue, 'accountKey: invalid value'));
	}

	if (!checked.card || checked.reasons.length > 0) {
		return ok(failure(...checked.reasons));
	}

	const decline = declineOf(checked.card);
	if (decline) {
		return ok(failure(reason(CODES.declined, decline)));
	}

	const method = storePaymentMethod(context, checked.card, typeof accountKey === 'string' ? accountKey : null, idempotencyKey);
	return ok({success: true, paymentMethodId: method.id});
}

/** A page parameter: absent is its default; otherwise digits within [1, max]. */
function pageParameter(value: string | null, fallback: number, max: number): number | undefined {
	if (value === null) {
		return fallback;
	}

	const number = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
	return number >= 1 && number <= max ? number : undefined;
}

/** One card as Zuora lists it: masked number, never the full number or the security code. */
export function listedCard({method, address}: PaymentMethodRecord) {
	const cardHolderInfo: Record<string, string | null> = {cardHolderName: method.cardHolderName};
	for (const field of HOLDER_FIELDS) {
		cardHolderInfo[field] = address[field] ?? null;
	}

	return {
		id: method.id,
		defaultPaymentMethod: method.defaultPaymentMethod,
		cardHolderInfo,
		cardNumber: `************${method.last4}`,
		expirationMonth: method.expirationMonth,
		expirationYear: method.expirationYear,
		cardType: method.creditCardType,
	};
}

/** `GET /v1/payment-methods/credit-cards/accounts/{account-key}` (bearer token). */
export function listCreditCards(context: StubContext, request: StubRequest): Reply {
	if (!isAuthenticated(context, request)) {
		return authenticationError();
	}

	const page = pageParameter(request.query.get('page'), 1, Number.MAX_SAFE_INTEGER);
	const pageSize = pageParameter(request.query.get('pageSize'), PAGE_SIZE.default, PAGE_SIZE.max);
	if (page === undefined || pageSize === undefined) {
		return ok(failure(reason(CODES.cardInvalidValue, `${page === undefined ? 'page' : 'pageSize'}: invalid value`)));
	}

	const key = decodeURIComponent(LIST_CREDIT_CARDS_PATH.exec(request.path)?.[1] ?? '');
	// An account key is its number or its id; Create Account stores its cards under the number.
	const accountNumber = context.state.accounts.find(account => account.accountId === key)?.accountNumber ?? key;
	const cards = context.state.paymentMethods.filter(record => record.method.accountKey === accountNumber).reverse();
	const start = (page - 1) * pageSize;
	const hasNext = cards.length > start + pageSize;
	const nextPage = `${context.publicUrl}${request.path}?page=${page + 1}&pageSize=${pageSize}`;
	return ok({creditCards: cards.slice(start, start + pageSize).map(listedCard), ...(hasNext ? {nextPage} : {}), success: true});
}
