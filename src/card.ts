import {brandInfo as info, detectBrand, luhn} from './card-rules.js';
import {FIELD_MESSAGES, formatMessage, type FieldError, type Messages, type MessageValues} from './messages.js';
import {invalidOption, ownCopy, resolveOptionalOptions} from './options.js';
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
	/**
	 * Field name → its error: a stable `code` (see the README's table), the `message` a shopper
	 * can read, and the `values` of its placeholders. Empty when valid.
	 */
	errors: Record<string, FieldError>;
};

export type ValidateCreditCardOptions = {
	/**
	 * The moment expiry is checked against.
	 *
	 * @default new Date()
	 */
	now?: Date;
	/** Texts replacing the built-in English ones, by code (a locale module such as `zuora-cors/locales/de`, or your own). */
	messages?: Messages;
};

// Null prototype: a `creditCardType` of 'constructor' or a name put on Object.prototype is no brand.
const BRAND_BY_ALIAS = Object.assign(Object.create(null) as Record<string, ZuoraCardBrand>, Object.fromEntries(Object.keys(ZUORA_CARD_BRANDS).map(brand => [alias(brand), brand])));
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

const BOOLEANS: Record<string, boolean> = {__proto__: null as unknown as boolean, true: true, on: true, yes: true, 1: true, false: false, off: false, no: false, 0: false, '': false};

function toBoolean(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') {
		return value;
	}

	return BOOLEANS[String(value).toLowerCase()];
}

/**
 * Checks a card the way Zuora will, before anything is sent: brand (Zuora's six), length per
 * brand (at most 16 digits), Luhn, security code length per brand, month 1-12, expiry not in
 * the past (a card is good through the last day of its month). Messages never repeat the number.
 *
 * @example
 * const {valid, errors} = validateCreditCard({creditCardNumber: '4111 1111 1111 1111', expirationMonth: '12', expirationYear: '2030', securityCode: '123'});
 */
export function validateCreditCard(card: CreditCardInput, validateOptions: ValidateCreditCardOptions = {}): CardValidation {
	const options = resolveOptionalOptions('request', validateOptions);
	// Null-prototype: `errors[field]` is an error this check made, never a polluted Object.prototype's.
	const errors = Object.create(null) as Record<string, FieldError>;
	const fail = (field: string, code: keyof typeof FIELD_MESSAGES, values?: MessageValues) => {
		errors[field] = {code, message: formatMessage(code, FIELD_MESSAGES[code], values, options.messages), ...(values && {values})};
	};

	// Own properties only, the card's and its cardHolderInfo's: nothing inherited is a card field.
	const input: CreditCardInput = card !== null && typeof card === 'object' ? ownCopy(card) : {};
	const now = options.now ?? new Date();
	if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
		invalidOption('request', 'now', 'not_date');
	}

	const digits = cardDigits(input.creditCardNumber);
	const detected = digits === undefined ? undefined : detectBrand(digits);
	const given = input.creditCardType === undefined || input.creditCardType === '' ? undefined : BRAND_BY_ALIAS[alias(String(input.creditCardType))];
	const brand = given ?? detected;

	if (input.creditCardType !== undefined && input.creditCardType !== '' && !given) {
		fail('creditCardType', 'card_type_invalid');
	} else if (given && detected && given !== detected) {
		fail('creditCardType', 'card_type_mismatch', {brand: info(given).niceType});
	}

	if (input.creditCardNumber === undefined || input.creditCardNumber === '') {
		fail('creditCardNumber', 'card_number_required');
	} else if (digits === undefined) {
		fail('creditCardNumber', 'card_number_not_digits');
	} else if (!detected) {
		if (given) {
			fail('creditCardNumber', 'card_number_brand_invalid', {brand: info(given).niceType});
		} else {
			fail('creditCardNumber', 'card_brand_not_accepted');
		}
	} else if (!(info(detected).lengths as readonly number[]).includes(digits.length)) {
		fail('creditCardNumber', 'card_number_length_invalid', {brand: info(detected).niceType});
	} else if (!luhn(digits)) {
		fail('creditCardNumber', 'card_number_invalid');
	}

	const month = toInteger(input.expirationMonth);
	const year = toYear(input.expirationYear);
	if (month === undefined || month < 1 || month > 12) {
		fail('expirationMonth', 'expiry_month_invalid');
	}

	if (year === undefined) {
		fail('expirationYear', 'expiry_year_invalid');
	} else if (year < now.getFullYear()) {
		fail('expirationYear', 'card_expired');
	} else if (month !== undefined && !Object.hasOwn(errors, 'expirationMonth') && year === now.getFullYear() && month < now.getMonth() + 1) {
		fail('expirationMonth', 'card_expired');
	}

	if (input.securityCode !== undefined && input.securityCode !== '') {
		const size = brand ? info(brand).securityCodeSize : undefined;
		const code = String(input.securityCode).trim();
		if (!/^\d+$/.test(code) || (size === undefined ? code.length < 3 || code.length > 4 : code.length !== size)) {
			// American Express prints its code on the front; the others on the back.
			fail(
				'securityCode',
				size === undefined ? 'security_code_invalid_any' : brand === 'AmericanExpress' ? 'security_code_invalid_front' : 'security_code_invalid',
				size === undefined ? undefined : {size},
			);
		}
	}

	if (input.defaultPaymentMethod !== undefined && toBoolean(input.defaultPaymentMethod) === undefined) {
		fail('defaultPaymentMethod', 'default_payment_method_invalid');
	}

	const holderInfo: unknown = input.cardHolderInfo;
	const holder = holderInfo !== null && typeof holderInfo === 'object' && Object.hasOwn(holderInfo, 'cardHolderName') ? (holderInfo as CardHolderInfo).cardHolderName : undefined;
	if (holder !== undefined && (typeof holder !== 'string' || holder.length > 50)) {
		fail('cardHolderInfo.cardHolderName', 'card_holder_name_too_long');
	}

	return {valid: Object.keys(errors).length === 0, creditCardType: brand, errors};
}

/**
 * The card as Zuora's Create Payment Method expects it: digits-only number, numeric month and
 * year, boolean `defaultPaymentMethod`, `creditCardType` in Zuora's spelling. Other fields
 * (`accountKey`, `cardHolderInfo`, …) are kept. Call after `validateCreditCard` says valid.
 */
export function normalizeCreditCard(card: CreditCardInput, brand: ZuoraCardBrand): CreditCard {
	// Own properties only: nothing inherited is sent.
	const {accountKey, creditCardType: _type, creditCardNumber, expirationMonth, expirationYear, securityCode, defaultPaymentMethod, ...rest} = ownCopy(card);
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
