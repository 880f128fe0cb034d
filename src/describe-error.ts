import type {ZuoraCorsError} from './errors.js';
import {ERROR_MESSAGES, formatMessage, type ErrorMessageCode, type FieldError, type FieldErrorCode, type Messages, type MessageValues} from './messages.js';
import {ownCopy, resolveOptionalOptions} from './options.js';
import {isInvalidTokenCode, ZUORA_ERROR_CODES} from './zuora.js';

export type DescribeErrorOptions = {
	/** Texts replacing the built-in English ones, by code (a locale module such as `zuora-cors/locales/de`, or your own). */
	messages?: Messages;
};

/** What to show a shopper for an error: a stable code to translate from, and the sentence. */
export type ErrorDescription = {
	/** An error code (see the README's table), or for `validation` the first invalid field's code. */
	code: ErrorMessageCode | FieldErrorCode;
	message: string;
	/** For `validation`: the field the sentence is about (the first invalid one). */
	field?: string;
};

// Gateway decline markers as they appear in Zuora's reason messages
// (`Transaction declined.402 - [card_error/card_declined/generic_decline] …`), the specific
// ones first: a message carries `card_declined` beside the actual reason.
const DECLINES: ReadonlyArray<readonly [RegExp, ErrorMessageCode]> = [
	[/insufficient.funds/, 'card_declined_insufficient_funds'],
	[/expired.card/, 'card_declined_expired'],
	[/(?:incorrect|invalid).cvc/, 'card_declined_security_code'],
	[/(?:incorrect|invalid).number/, 'card_declined_number'],
	[/declin|do.not.honou?r/, 'card_declined'],
];

// Rounded up, and never "1 seconds" or "1 minutes": waiting a little longer is harmless,
// and a text with one plural form reads right in every language.
const MIN_SECONDS = 2;
const MAX_SECONDS = 90;

/**
 * Turns any `ZuoraCorsError` into the sentence to show a shopper, without gateway jargon and
 * without claiming what the library cannot know: a card that left the browser and got no clear
 * answer is "could not confirm", never "failed". Returns a stable `code` too, to translate from.
 * Takes whatever a `catch` caught: a value that is not this library's error is `outcome_unknown`.
 *
 * @example
 * form.addEventListener(FORM_EVENTS.error, event => {
 * 	status.textContent = describeError(event.detail.error, {messages: de}).message;
 * });
 */
export function describeError(error: unknown, describeOptions: DescribeErrorOptions = {}): ErrorDescription {
	const {messages} = resolveOptionalOptions('request', describeOptions);
	// Own properties only (the error's, its fields' and reasons'): nothing inherited is read.
	const failure: Partial<ZuoraCorsError> = error !== null && typeof error === 'object' ? ownCopy({...error}) : {};
	const fields: unknown = failure.fields;
	const first = failure.kind === 'validation' && fields !== null && typeof fields === 'object' ? Object.entries(fields as Record<string, unknown>)[0] : undefined;
	const field = ownCopy(first?.[1]) as Partial<FieldError> | undefined;
	if (first && field !== null && typeof field === 'object' && typeof field.code === 'string' && field.code !== 'option_invalid') {
		const {code, message, values} = field as FieldError & {code: FieldErrorCode};
		// The field's text as produced when the card was checked (maybe with other messages) is the fallback.
		return {code, message: formatMessage(code, typeof message === 'string' ? message : '', values, messages), field: first[0]};
	}

	// Not this library's error (a bug in the page's own code?): nothing says the card was not sent.
	const [code, values] = messageCodeFor(failure);
	return {code, message: formatMessage(code, ERROR_MESSAGES[code], values, messages)};
}

function messageCodeFor({kind, stage, status, retryAfter, reasons, code, retryable}: Partial<ZuoraCorsError>): [ErrorMessageCode, MessageValues?] {
	// Only the signature stage is known not to carry the card; anything else may have sent it.
	const cardSent = stage !== 'signature';
	if (kind === 'validation') {
		// A bad option: the page's fault, found before anything was sent.
		return ['card_not_sent'];
	}

	// The checkout's own setup (wrong credentials, an invalid signature, Zuora not CORS-enabled):
	// never the shopper's card, and trying again will not help.
	if (kind === 'setup' || ((kind === 'zuora' || kind === 'http') && isSetupCode(code))) {
		return ['checkout_unavailable'];
	}

	if (kind === 'not-saved') {
		// Reconciled: the backend found no card, so a new attempt cannot save it twice.
		return ['card_not_saved_try_again'];
	}

	if (kind === 'aborted') {
		// Aborted at the request stage: the card may have left before the abort.
		return [cardSent ? 'cancelled_outcome_unknown' : 'cancelled'];
	}

	// No answer: before the card left, try again; after, whatever else the error carries, nobody knows what Zuora did.
	if (kind === 'network') {
		return [cardSent ? 'outcome_unknown_connection' : 'connection_lost'];
	}

	// The merchant backend gave no pair within the stage's deadline: busy, and the card was not sent.
	if (kind === 'timeout') {
		return [cardSent ? 'outcome_unknown_timeout' : 'service_unavailable'];
	}

	if (status === 429) {
		return tooManyAttempts(retryAfter);
	}

	// 90000011 comes out of createPaymentMethod only after its one re-sign failed too.
	if ((kind === 'zuora' || kind === 'http') && isInvalidTokenCode(code)) {
		return ['session_expired'];
	}

	if (!cardSent) {
		// 401/403: the merchant backend's own refusal of a session it no longer knows.
		return [status === 401 || status === 403 ? 'session_expired' : retryable ? 'service_unavailable' : 'checkout_unavailable'];
	}

	// A refusal with reasons (success: false, or a 4xx with reasons): Zuora did not save the card.
	const refused = kind === 'zuora' || (kind === 'http' && status !== undefined && status < 500 && status !== 409 && (reasons?.length ?? 0) > 0);
	if (refused) {
		const text = (reasons ?? [])
			.map(reason => reason.message)
			.join(' ')
			.toLowerCase();
		const decline = DECLINES.find(([pattern]) => pattern.test(text));
		if (decline) {
			return [decline[1]];
		}
	}

	if (retryable) {
		// Retryable at the request stage means not processed (408, 425, 503, Zuora's "resubmit" categories).
		return ['service_unavailable'];
	}

	if (refused) {
		return ['card_not_saved'];
	}

	// Any other 4xx was refused before processing; a 409, a 5xx, an unreadable answer or a kind this
	// version does not know may hide a saved card.
	return [kind === 'http' && status !== undefined && status >= 400 && status < 500 && status !== 409 ? 'unexpected' : 'outcome_unknown'];
}

/**
 * The codes of a checkout set up wrong: Zuora's 90000012 (invalid signature) and 90000010 (not
 * CORS-enabled), and the signature endpoint's `SETUP_ERROR` (for a version that reports them as `http`).
 */
function isSetupCode(code: unknown): boolean {
	return code === 'SETUP_ERROR' || (code !== undefined && code !== '' && (Number(code) === ZUORA_ERROR_CODES.invalidSignature || Number(code) === ZUORA_ERROR_CODES.notCorsEnabled));
}

function tooManyAttempts(retryAfter: number | undefined): [ErrorMessageCode, MessageValues?] {
	if (retryAfter === undefined || !(retryAfter > 0) || !Number.isFinite(retryAfter)) {
		return ['too_many_attempts'];
	}

	const seconds = Math.max(MIN_SECONDS, Math.ceil(retryAfter / 1000));
	return seconds <= MAX_SECONDS ? ['too_many_attempts_seconds', {seconds}] : ['too_many_attempts_minutes', {minutes: Math.ceil(seconds / 60)}];
}
