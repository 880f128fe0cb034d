/**
 * The stub's test cards, in one table: the cards it saves and the cards it declines with the
 * gateway's message. `TEST_CARDS` (the shape `createPaymentMethod` and a card form take, Zuora's
 * field names) and `DECLINE_TEST_CARDS` (number to decline message) are both read from it.
 * Not real cards: they pass Luhn and the BIN rules, and the stub saves or declines them; a real
 * Zuora sandbox's gateway decides for itself. The decline numbers are the ones Stripe uses.
 */

/** A card as a checkout sends it: Zuora's field names, strings as a form gives them. */
export type TestCard = {
	readonly creditCardNumber: string;
	readonly creditCardType: 'Visa' | 'MasterCard' | 'AmericanExpress';
	readonly expirationMonth: string;
	/** Three years after the current one (UTC) when the module is loaded: always in the future. */
	readonly expirationYear: string;
	readonly securityCode: string;
	readonly cardHolderInfo: {readonly cardHolderName: string};
};

type CardRow = {number: string; type: TestCard['creditCardType']; securityCode?: string; decline?: string};

const DECLINED = 'Transaction declined.402 - ';

/** The one table: name, number, brand, and the gateway message of a card the stub declines. */
const CARD_TABLE = {
	visa: {number: '4111111111111111', type: 'Visa'},
	mastercard: {number: '5555555555554444', type: 'MasterCard'},
	amex: {number: '378282246310005', type: 'AmericanExpress', securityCode: '1234'},
	declined: {number: '4000000000000002', type: 'Visa', decline: `${DECLINED}[card_error/card_declined/generic_decline] Your card was declined.`},
	declinedInsufficientFunds: {number: '4000000000009995', type: 'Visa', decline: `${DECLINED}[card_error/card_declined/insufficient_funds] Your card has insufficient funds.`},
	declinedExpiredCard: {number: '4000000000000069', type: 'Visa', decline: `${DECLINED}[card_error/expired_card/expired_card] Your card has expired.`},
	declinedIncorrectCvc: {number: '4000000000000127', type: 'Visa', decline: `${DECLINED}[card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect.`},
} as const satisfies Record<string, CardRow>;

const expirationYear = String(new Date().getUTCFullYear() + 3);

function toTestCard(row: CardRow): TestCard {
	return Object.freeze({
		creditCardNumber: row.number,
		creditCardType: row.type,
		expirationMonth: '12',
		expirationYear,
		securityCode: row.securityCode ?? '123',
		cardHolderInfo: Object.freeze({cardHolderName: 'Test Shopper'}),
	});
}

/**
 * Cards the stub saves (`visa`, `mastercard`, `amex`) and declines with code 53100099 and
 * the gateway's message (the `declined*` ones; see `DECLINE_TEST_CARDS` for the messages).
 */
export const TEST_CARDS: Readonly<Record<keyof typeof CARD_TABLE, TestCard>> = Object.freeze(
	Object.fromEntries(Object.entries(CARD_TABLE).map(([name, row]) => [name, toTestCard(row)])) as Record<keyof typeof CARD_TABLE, TestCard>,
);

/** Decline test cards, by number: the gateway message each answers (any valid expiry). */
export const DECLINE_TEST_CARDS: ReadonlyMap<string, string> = new Map(
	Object.values(CARD_TABLE as Record<string, CardRow>).flatMap(row => (row.decline === undefined ? [] : [[row.number, row.decline] as const])),
);
