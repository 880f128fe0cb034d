import {CARD_BRAND_NAMES as BRANDS, brandInfo as info, detectBrand, luhn} from './card-rules.js';
import {ZUORA_CARD_BRANDS, type ZuoraCardBrand} from './zuora.js';

/** A card as a form gives it: strings are fine, they are normalised before sending. */
export type CreditCardInput = {
	creditCardNumber?: string | number;
	/** Zuora's spelling (`Visa`, `MasterCard`, `AmericanExpress`, `Discover`, `JCB`, `Diners`); inferred from the number when absent. */
	creditCardType?: string;
	expirationMonth?: string | number;
	/** Four digits; two digits are read as 20YY. */
	expirationYear?: string | number;
	securityCode?: string | number;
	defaultPaymentMethod?: boolean | string;
	accountKey?: string;
	cardHolderInfo?: CardHolderInfo;
	[field: string]: unknown;
};

export type CardHolderInfo = {
	cardHolderName?: string;
	addressLine1?: string;
	addressLine2?: string;
	city?: string;
	state?: string;
	country?: string;
	zipCode?: string;
	phone?: string;
	email?: string;
	[field: string]: unknown;
};

/** The body Zuora's Create Payment Method (credit card) receives. */
export type CreditCard = {
	accountKey?: string;
	creditCardType: ZuoraCardBrand;
	creditCardNumber: string;
	expirationMonth: number;
	expirationYear: number;
	securityCode?: string;
	defaultPaymentMethod?: boolean;
	cardHolderInfo?: CardHolderInfo;
	[field: string]: unknown;
};

export type CardValidation = {
	valid: boolean;
	/** Zuora's name for the brand, from `creditCardType` or inferred from the number. */
	creditCardType: ZuoraCardBrand | undefined;
	/** Field name → message a shopper can read. Empty when valid. */
	errors: Record<string, string>;
};

export type ValidateCreditCardOptions = {
	/**
	 * The moment expiry is checked against.
	 *
	 * @default new Date()
	 */
	now?: Date;
};

const BRAND_BY_ALIAS = Object.fromEntries(Object.keys(ZUORA_CARD_BRANDS).map(brand => [alias(brand), brand])) as Record<string, ZuoraCardBrand>;
// Common spellings a form or a payment library may use for the same six brands.
Object.assign(BRAND_BY_ALIAS, {amex: 'AmericanExpress', dinersclub: 'Diners', mastercard: 'MasterCard'});

function alias(name: string): string {
	return name.toLowerCase().replace(/[^a-z]/g, '');
}

/** The card number without spaces or dashes; `undefined` when anything else is in it. */
function cardDigits(value: unknown): string | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.replace(/[\s-]/g, '') : '';
	return /^\d+$/.test(text) ? text : undefined;
}

function toInteger(value: unknown): number | undefined {
	const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return /^\d{1,4}$/.test(text) ? Number(text) : undefined;
}

function toYear(value: unknown): number | undefined {
	const year = toInteger(value);
	const text = String(value).trim();
	if (year === undefined) {
		return undefined;
	}

	// A two-digit year from an MM/YY field means this century.
	return text.length === 2 ? 2000 + year : text.length === 4 ? year : undefined;
}

function toBoolean(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') {
		return value;
	}

	return ({true: true, on: true, yes: true, 1: true, false: false, off: false, no: false, 0: false, '': false} as Record<string, boolean>)[String(value).toLowerCase()];
}

/**
 * Checks a card the way Zuora will, before anything is sent: brand (Zuora's six), length per
 * brand (at most 16 digits), Luhn, security code length per brand, month 1-12, expiry not in
 * the past (a card is good through the last day of its month). Messages never repeat the number.
 *
 * @example
 * const {valid, errors} = validateCreditCard({creditCardNumber: '4111 1111 1111 1111', expirationMonth: '12', expirationYear: '2030', securityCode: '123'});
 */
export function validateCreditCard(card: CreditCardInput, options: ValidateCreditCardOptions = {}): CardValidation {
	const errors: Record<string, string> = {};
	const input: CreditCardInput = card !== null && typeof card === 'object' ? card : {};
	const now = options.now ?? new Date();

	const digits = cardDigits(input.creditCardNumber);
	const detected = digits === undefined ? undefined : detectBrand(digits);
	const given = input.creditCardType === undefined || input.creditCardType === '' ? undefined : BRAND_BY_ALIAS[alias(String(input.creditCardType))];
	const brand = given ?? detected;

	if (input.creditCardType !== undefined && input.creditCardType !== '' && !given) {
		errors['creditCardType'] = `Choose one of: ${BRANDS.map(brand => info(brand).niceType).join(', ')}.`;
	} else if (given && detected && given !== detected) {
		errors['creditCardType'] = `The card number is not a ${info(given).niceType} number.`;
	}

	if (input.creditCardNumber === undefined || input.creditCardNumber === '') {
		errors['creditCardNumber'] = 'Enter the card number.';
	} else if (digits === undefined) {
		errors['creditCardNumber'] = 'The card number can only contain digits.';
	} else if (!detected) {
		errors['creditCardNumber'] = given ? `The card number is not a valid ${info(given).niceType} number.` : 'This card type is not accepted. Use Visa, Mastercard, American Express, Discover, JCB or Diners Club.';
	} else if (!(info(detected).lengths as readonly number[]).includes(digits.length)) {
		errors['creditCardNumber'] = `The card number has the wrong number of digits for ${info(detected).niceType}.`;
	} else if (!luhn(digits)) {
		errors['creditCardNumber'] = 'The card number is not valid. Check it for typos.';
	}

	const month = toInteger(input.expirationMonth);
	const year = toYear(input.expirationYear);
	if (month === undefined || month < 1 || month > 12) {
		errors['expirationMonth'] = 'Enter the expiry month, 1 to 12.';
	}

	if (year === undefined) {
		errors['expirationYear'] = 'Enter the expiry year with four digits.';
	} else if (year < now.getFullYear()) {
		errors['expirationYear'] = 'The card has expired.';
	} else if (month !== undefined && !errors['expirationMonth'] && year === now.getFullYear() && month < now.getMonth() + 1) {
		errors['expirationMonth'] = 'The card has expired.';
	}

	if (input.securityCode !== undefined && input.securityCode !== '') {
		const size = brand ? info(brand).securityCodeSize : undefined;
		const code = String(input.securityCode).trim();
		if (!/^\d+$/.test(code) || (size === undefined ? code.length < 3 || code.length > 4 : code.length !== size)) {
			errors['securityCode'] = size === undefined ? 'Enter the 3 or 4 digit security code.' : `Enter the ${size} digit security code${brand === 'AmericanExpress' ? ' printed on the front of the card' : ''}.`;
		}
	}

	if (input.defaultPaymentMethod !== undefined && toBoolean(input.defaultPaymentMethod) === undefined) {
		errors['defaultPaymentMethod'] = 'Must be true or false.';
	}

	const holder = input.cardHolderInfo?.cardHolderName;
	if (holder !== undefined && (typeof holder !== 'string' || holder.length > 50)) {
		errors['cardHolderInfo.cardHolderName'] = 'Enter the name on the card, at most 50 characters.';
	}

	return {valid: Object.keys(errors).length === 0, creditCardType: brand, errors};
}

/**
 * The card as Zuora's Create Payment Method expects it: digits-only number, numeric month and
 * year, boolean `defaultPaymentMethod`, `creditCardType` in Zuora's spelling. Other fields
 * (`accountKey`, `cardHolderInfo`, …) are kept. Call after `validateCreditCard` says valid.
 */
export function normalizeCreditCard(card: CreditCardInput, brand: ZuoraCardBrand): CreditCard {
	const {accountKey, creditCardType: _type, creditCardNumber, expirationMonth, expirationYear, securityCode, defaultPaymentMethod, ...rest} = card;
	// Same key order as Zuora's sample request.
	return {
		...(accountKey === undefined ? {} : {accountKey}),
		creditCardType: brand,
		creditCardNumber: cardDigits(creditCardNumber) ?? '',
		expirationMonth: toInteger(expirationMonth) ?? 0,
		expirationYear: toYear(expirationYear) ?? 0,
		...(securityCode === undefined || securityCode === '' ? {} : {securityCode: String(securityCode).trim()}),
		...(defaultPaymentMethod === undefined ? {} : {defaultPaymentMethod: toBoolean(defaultPaymentMethod) ?? false}),
		...rest,
	};
}
