/**
 * The stub's card checks, from the library's own table (`ZUORA_CARD_BRANDS` through
 * `card-rules.ts`): one copy of Zuora's card rules in the repository.
 */
import {brandInfo, detectBrand, luhn} from '../card-rules.js';
import {MAX_CARD_DIGITS, ZUORA_CARD_BRANDS, type ZuoraCardBrand} from '../zuora.js';
import {isBlank, isPlainObject, reason, acceptedBoolean, acceptedInteger, type Reason} from './values.js';
import type {CardHolderAddress} from './stub-state.js';
import {STUB_CODES} from './zuora-facts.js';

/** Length limits of cardHolderInfo's optional fields (documented). */
const CARD_HOLDER_LIMITS: Record<string, number> = {addressLine1: 255, addressLine2: 255, city: 40, zipCode: 20, phone: 40, email: 80};
/** The cardHolderInfo fields kept with a saved card besides the name (state and country: no documented limit). */
const ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'phone', 'email'] as const;

/** A card that passed the checks. The number is kept only to pick a decline and the last four digits. */
export type ValidCard = {
	creditCardType: ZuoraCardBrand;
	number: string;
	expirationMonth: number;
	expirationYear: number;
	cardHolderName: string | null;
	/** The other cardHolderInfo fields given (Zuora lists them back with the card). */
	address: CardHolderAddress;
	defaultPaymentMethod: boolean;
};

/** The body's names of the brand and number fields: Create Payment Method and Create Account differ. */
export type CardFieldNames = {type: string; number: string};

export const PAYMENT_METHOD_FIELDS: CardFieldNames = {type: 'creditCardType', number: 'creditCardNumber'};
export const ACCOUNT_CARD_FIELDS: CardFieldNames = {type: 'cardType', number: 'cardNumber'};

export type CardRules = {requireCardHolderName: boolean; now: number; fields: CardFieldNames};

/**
 * Digits only, at most 16, Luhn-valid, one of the brand's lengths, and a prefix of that brand
 * (the same rules as the library's `validateCreditCard`).
 */
export function isCardNumberValid(number: string, brand: ZuoraCardBrand | undefined): boolean {
	if (!new RegExp(`^\\d{1,${MAX_CARD_DIGITS}}$`).test(number) || !luhn(number)) {
		return false;
	}

	if (!brand) {
		return true;
	}

	return (brandInfo(brand).lengths as readonly number[]).includes(number.length) && detectBrand(number) === brand;
}

/**
 * Validates a card body; one reason per bad field. Messages name the field, never its value.
 * @param prefix Field-path prefix for messages: '' or 'creditCard.'.
 */
export function checkCard(card: Record<string, unknown>, prefix: string, rules: CardRules): {reasons: Reason[]; card: ValidCard | undefined} {
	const reasons: Reason[] = [];
	const invalid = (field: string) => reasons.push(reason(STUB_CODES.cardInvalidValue, `${prefix}${field}: invalid value`));
	const missing = (field: string) => reasons.push(reason(STUB_CODES.cardMissingField, `${prefix}${field}: missing field`));
	const {type: typeField, number: numberField} = rules.fields;

	const type = card[typeField];
	const brand = typeof type === 'string' && Object.hasOwn(ZUORA_CARD_BRANDS, type) ? (type as ZuoraCardBrand) : undefined;
	if (isBlank(type)) {
		missing(typeField);
	} else if (!brand) {
		invalid(typeField);
	}

	const number = card[numberField];
	if (isBlank(number)) {
		missing(numberField);
	} else if (typeof number !== 'string' || !isCardNumberValid(number, brand)) {
		invalid(numberField);
	}

	const month = acceptedInteger(card['expirationMonth'], /^\d{1,2}$/);
	if (isBlank(card['expirationMonth'])) {
		missing('expirationMonth');
	} else if (month === undefined || month < 1 || month > 12) {
		invalid('expirationMonth');
	}

	const year = acceptedInteger(card['expirationYear'], /^\d{4}$/);
	if (isBlank(card['expirationYear'])) {
		missing('expirationYear');
	} else if (year === undefined || year < 1000 || year > 9999) {
		invalid('expirationYear');
	}

	if (month !== undefined && month >= 1 && month <= 12 && year !== undefined && year >= 1000) {
		// A card is good through the last day of its expiration month.
		const today = new Date(rules.now);
		if (year < today.getUTCFullYear()) {
			invalid('expirationYear');
		} else if (year === today.getUTCFullYear() && month < today.getUTCMonth() + 1) {
			invalid('expirationMonth');
		}
	}

	const securityCode = card['securityCode'];
	if (!isBlank(securityCode)) {
		const digits = typeof securityCode === 'number' || typeof securityCode === 'string' ? String(securityCode) : '';
		const lengthOk = brand ? digits.length === brandInfo(brand).securityCodeSize : digits.length === 3 || digits.length === 4;
		if (!/^\d+$/.test(digits) || !lengthOk) {
			invalid('securityCode');
		}
	}

	const holderInfo = checkCardHolder(card['cardHolderInfo'], rules.requireCardHolderName, invalid, missing);
	const cardHolderName = typeof holderInfo['cardHolderName'] === 'string' && holderInfo['cardHolderName'] !== '' ? holderInfo['cardHolderName'] : null;

	const defaultPaymentMethod = acceptedBoolean(card['defaultPaymentMethod']);
	if (defaultPaymentMethod === undefined) {
		invalid('defaultPaymentMethod');
	}

	if (reasons.length > 0 || !brand || typeof number !== 'string' || month === undefined || year === undefined) {
		return {reasons, card: undefined};
	}

	return {
		reasons,
		card: {creditCardType: brand, number, expirationMonth: month, expirationYear: year, cardHolderName, address: addressOf(holderInfo), defaultPaymentMethod: defaultPaymentMethod ?? false},
	};
}

/** Checks cardHolderInfo (the name, then the documented limits); returns it as an object ({} when absent or bad). */
function checkCardHolder(holder: unknown, requireName: boolean, invalid: (field: string) => void, missing: (field: string) => void): Record<string, unknown> {
	if (holder !== undefined && holder !== null && !isPlainObject(holder)) {
		invalid('cardHolderInfo');
	}

	const holderInfo = isPlainObject(holder) ? holder : {};
	const name = holderInfo['cardHolderName'];
	if (isBlank(name)) {
		if (requireName) {
			missing('cardHolderInfo.cardHolderName');
		}
	} else if (typeof name !== 'string' || name.length > 50) {
		invalid('cardHolderInfo.cardHolderName');
	}

	for (const [field, limit] of Object.entries(CARD_HOLDER_LIMITS)) {
		const value = holderInfo[field];
		if (!isBlank(value) && (typeof value !== 'string' || value.length > limit)) {
			invalid(`cardHolderInfo.${field}`);
		}
	}

	return holderInfo;
}

/** The address fields given as non-empty strings. */
function addressOf(holderInfo: Record<string, unknown>): CardHolderAddress {
	const address: CardHolderAddress = {};
	for (const field of ADDRESS_FIELDS) {
		const value = holderInfo[field];
		if (typeof value === 'string' && value !== '') {
			address[field] = value;
		}
	}

	return address;
}
