/**
 * Test cards for the stub Zuora (`startZuoraStub`), in the shape `createPaymentMethod` and a
 * card form take (Zuora's field names). Not real cards: they pass Luhn and the BIN rules, and
 * the stub saves or declines them; a real Zuora sandbox's gateway decides for itself.
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

const expirationYear = String(new Date().getUTCFullYear() + 3);

function card(creditCardNumber: string, creditCardType: TestCard['creditCardType'], securityCode = '123'): TestCard {
	return Object.freeze({creditCardNumber, creditCardType, expirationMonth: '12', expirationYear, securityCode, cardHolderInfo: Object.freeze({cardHolderName: 'Test Shopper'})});
}

/**
 * Cards the stub saves (`visa`, `mastercard`, `amex`) and declines with code 53100099 and
 * the gateway's message (the `declined*` ones; see `DECLINE_TEST_CARDS` for the messages).
 */
export const TEST_CARDS = Object.freeze({
	visa: card('4111111111111111', 'Visa'),
	mastercard: card('5555555555554444', 'MasterCard'),
	amex: card('378282246310005', 'AmericanExpress', '1234'),
	declined: card('4000000000000002', 'Visa'),
	declinedInsufficientFunds: card('4000000000009995', 'Visa'),
	declinedExpiredCard: card('4000000000000069', 'Visa'),
	declinedIncorrectCvc: card('4000000000000127', 'Visa'),
});
