/**
 * The texts a shopper reads, keyed by stable codes, English built in. Field codes are what
 * `validateCreditCard` (and a `validation` error's `fields`) report; error codes are what
 * `describeError` reports. Other languages live in `zuora-cors/locales/*`, one module each, so
 * an app pays only for the ones it imports.
 *
 * Texts may hold `{brand}`, `{brands}`, `{size}`, `{seconds}` and `{minutes}` placeholders; a page's
 * own `card_saved` may name the saved card with `{brand}` and `{last4}` (`'{brand} ending {last4} saved.'`).
 */

/** English texts of the field errors `validateCreditCard` reports, by code. */
export const FIELD_MESSAGES = {
	card_type_invalid: 'Choose one of: Visa, Mastercard, American Express, Discover, JCB, Diners Club.',
	card_type_mismatch: 'The card number is not a {brand} number.',
	card_number_required: 'Enter the card number.',
	card_number_not_digits: 'The card number can only contain digits.',
	card_brand_not_accepted: 'This card type is not accepted. Use Visa, Mastercard, American Express, Discover, JCB or Diners Club.',
	card_number_brand_invalid: 'The card number is not a valid {brand} number.',
	card_number_length_invalid: 'The card number has the wrong number of digits for {brand}.',
	card_number_invalid: 'The card number is not valid. Check it for typos.',
	expiry_month_invalid: 'Enter the expiry month, 1 to 12.',
	expiry_year_invalid: 'Enter the expiry year with four digits.',
	card_expired: 'The card has expired.',
	security_code_invalid: 'Enter the {size} digit security code.',
	security_code_invalid_front: 'Enter the {size} digit security code printed on the front of the card.',
	security_code_invalid_any: 'Enter the 3 or 4 digit security code.',
	default_payment_method_invalid: 'Must be true or false.',
	card_holder_name_too_long: 'Enter the name on the card, at most 50 characters.',
} as const;

/** English texts of the field errors only `bindForm` reports (kept apart: `createPaymentMethod` alone does not carry them). */
export const FORM_FIELD_MESSAGES = {
	field_repeated: 'This field appears more than once on the page. Reload the page and try again.',
	expiry_invalid: 'Enter the expiry date as MM / YY.',
	card_brand_not_supported: 'This card type is not accepted here. Use {brands}.',
} as const;

/** English texts `bindForm` writes in its status region (besides `describeError`'s sentences), by code. */
export const FORM_STATUS_MESSAGES = {
	card_saved: 'Your card was saved.',
	still_working: 'Still working on it. Please wait.',
	/** While the outcome is unknown and the library asks the merchant's reconcile endpoint (the form stays locked). */
	card_checking: 'Checking whether your card was saved…',
} as const;

/** English texts of the sentences `describeError` returns, by code. */
export const ERROR_MESSAGES = {
	card_declined: 'Your card was declined. Please use another card or contact your bank.',
	card_declined_insufficient_funds: 'Your card was declined for insufficient funds. Please use another card.',
	card_declined_expired: 'Your card was declined because it has expired. Please use another card.',
	card_declined_security_code: 'Your card was declined because the security code is wrong. Please check it and try again.',
	card_declined_number: 'Your card was declined because the card number is wrong. Please check it and try again.',
	card_not_saved: 'Your card was not saved. Please check the details or use another card.',
	card_not_saved_try_again: 'Your card was not saved. Please try again.',
	session_expired: 'Your session has expired. Please reload the page and try again.',
	too_many_attempts: 'Too many attempts. Please wait a moment and try again.',
	too_many_attempts_seconds: 'Too many attempts. Please wait {seconds} seconds and try again.',
	too_many_attempts_minutes: 'Too many attempts. Please wait {minutes} minutes and try again.',
	service_unavailable: 'The payment service is busy. Please try again in a moment.',
	connection_lost: 'We could not connect. Your card was not sent. Please check your connection and try again.',
	outcome_unknown_connection: 'The connection was lost, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
	outcome_unknown_timeout: 'No answer in time, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
	outcome_unknown: 'We could not confirm whether your card was saved. Please check your saved cards before trying again.',
	cancelled: 'Cancelled. Your card was not sent.',
	cancelled_outcome_unknown: 'Cancelled, so we could not confirm whether your card was saved. Please check your saved cards before trying again.',
	checkout_unavailable: 'The payment could not be started. Your card was not saved. Please try again later or contact us.',
	card_not_sent: 'Something went wrong. Your card was not sent. Please try again later.',
	unexpected: 'Something went wrong. Please try again later.',
} as const;

/** A field error's stable code (`validateCreditCard().errors[field].code`). */
export type FieldErrorCode = keyof typeof FIELD_MESSAGES | keyof typeof FORM_FIELD_MESSAGES;
/** A sentence's stable code (`describeError(error).code`), or a field error's for `validation`. */
export type ErrorMessageCode = keyof typeof ERROR_MESSAGES;
/** A status text's stable code (what `bindForm` writes after a success, while a submission is slow, and while it checks an unknown outcome). */
export type StatusMessageCode = keyof typeof FORM_STATUS_MESSAGES;
export type MessageCode = FieldErrorCode | ErrorMessageCode | StatusMessageCode;

/** Every text, by code: what a complete locale module holds. */
export type MessageCatalogue = Record<MessageCode, string>;

/** Texts that replace the built-in English ones, by code: a locale module, or your own wording (`{...de, card_expired: '…'}`). */
export type Messages = Partial<Readonly<MessageCatalogue>>;

/** Values for a text's placeholders. */
export type MessageValues = Readonly<Record<string, string | number>>;

/** One field's error: a stable code, the text for the shopper, and the values of its placeholders. */
export type FieldError = {
	/** `option_invalid`: an option of the call, not a card field, is wrong (its message is for developers). */
	code: FieldErrorCode | 'option_invalid';
	message: string;
	values?: MessageValues;
};

/**
 * The text for `code`: the page's own (an own string property of `messages`, never an inherited
 * one), else `fallback`, with `{name}` placeholders filled from `values`.
 */
export function formatMessage(code: string, fallback: string, values: MessageValues = {}, messages?: Messages): string {
	const own = Object.hasOwn(Object(messages), code) ? (messages as Record<string, unknown>)[code] : undefined;
	return (typeof own === 'string' ? own : fallback).replace(/{(\w+)}/g, (placeholder, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : placeholder));
}
