/**
 * The state of the card fields: what the controls hold checked (with the `expiry` control and the
 * merchant's `supportedBrands`), the `change` detail after an input, and the formatting of the
 * number and the expiry as typed (the caret math is `card-format.ts`).
 */
import {formatField} from '../card-format.js';
import {brandInfo, CARD_BRAND_NAMES} from '../card-rules.js';
import {validateCreditCard, type CardValidation, type CreditCardInput} from '../card.js';
import {FORM_FIELD_MESSAGES, formatMessage, type FieldError, type Messages} from '../messages.js';
import {invalidOption} from '../options.js';
import type {ZuoraCardBrand} from '../zuora.js';
import type {Control} from './dom-calls.js';
import type {FieldChange} from './events.js';
import {ownItems} from './fields.js';

/** What a check needs besides the card. */
export type CheckContext = {
	messages: Messages | undefined;
	/** The brands the merchant accepts (undefined: all six). */
	supportedBrands: readonly ZuoraCardBrand[] | undefined;
	/** The form has an `expiry` control: the month's and year's errors are its own. */
	expiry: boolean;
};

/** One of bindForm's own field errors, in the page's texts. */
export function formError(code: keyof typeof FORM_FIELD_MESSAGES, messages: Messages | undefined, values: Record<string, string> = {}): FieldError {
	return {code, message: formatMessage(code, FORM_FIELD_MESSAGES[code], values, messages), ...(Object.keys(values).length > 0 ? {values} : {})};
}

/** The `supportedBrands` option checked: a non-empty array of Zuora's brand names. */
export function readSupportedBrands(value: unknown): ZuoraCardBrand[] | undefined {
	if (value === undefined) {
		return undefined;
	}

	const brands = ownItems(value) ?? [];
	if (brands.length === 0 || !brands.every(brand => CARD_BRAND_NAMES.includes(brand as ZuoraCardBrand))) {
		return invalidOption('request', 'supportedBrands', 'not_brands');
	}

	return brands as ZuoraCardBrand[];
}

/** The card's errors by control name: an `expiry` control gets the month's or year's, the number a brand the merchant does not accept. */
export function checkCard(card: CreditCardInput, {messages, supportedBrands, expiry}: CheckContext): CardValidation {
	const checked = validateCreditCard(card, {messages});
	const errors = Object.assign(Object.create(null) as Record<string, FieldError>, checked.errors);
	if (expiry) {
		const error = errors['expirationMonth'] ?? errors['expirationYear'];
		delete errors['expirationMonth'];
		delete errors['expirationYear'];
		if (error) {
			errors['expiry'] = error.code === 'card_expired' ? error : formError('expiry_invalid', messages);
		}
	}

	const brand = checked.creditCardType;
	// Before the number's other errors: a half-typed number of another brand is already this one.
	if (brand && supportedBrands && !supportedBrands.includes(brand)) {
		errors['creditCardNumber'] = formError('card_brand_not_supported', messages, {brands: supportedBrands.map(name => brandInfo(name).niceType).join(', ')});
	}

	return {...checked, valid: Object.keys(errors).length === 0, errors};
}

/**
 * The `change` detail of a field after an input: complete when it holds as much as it takes (a
 * length the brand accepts, `MM / YY`, the brand's security code size; other fields: not empty).
 */
export function fieldChange(field: string, value: string, brand: ZuoraCardBrand | undefined, error: FieldError | undefined): FieldChange {
	const digits = value.replace(/\D/g, '').length;
	const size = brand && brandInfo(brand);
	const complete =
		field === 'creditCardNumber'
			? (size?.lengths as readonly number[] | undefined)?.includes(digits) === true
			: field === 'expiry'
				? digits === 4
				: field === 'securityCode'
					? digits >= (size ? size.securityCodeSize : 3)
					: value !== '';
	return {field, brand, complete, valid: !error, error};
}

/**
 * An error to show while the shopper types, before any submit: only a brand the merchant does not
 * accept (everything else waits for the submit, so a half-typed number is no error).
 */
export function typingError(field: string, error: FieldError | undefined): FieldError | undefined {
	return field === 'creditCardNumber' && error?.code === 'card_brand_not_supported' ? error : undefined;
}

/**
 * Formats the number or the expiry control as typed (a text-like input: type=number has no caret
 * to keep), keeping the caret beside the digit it followed. `typed`: the digits each control held
 * after its last input, which tells a Backspace over a space.
 */
export function formatControl(control: Control, inputType: string | undefined, typed: WeakMap<Control, string>): void {
	const text = control as HTMLInputElement;
	if ((control.name !== 'creditCardNumber' && control.name !== 'expiry') || typeof text.selectionStart !== 'number') {
		return;
	}

	const deleted = inputType === 'deleteContentBackward' ? -1 : inputType === 'deleteContentForward' ? 1 : 0;
	const [value, caret, digits] = formatField(control.name === 'expiry', text.value, text.selectionStart, typed.get(control), deleted);
	typed.set(control, digits);
	if (value !== text.value) {
		text.value = value;
		text.setSelectionRange(caret, caret);
	}
}
