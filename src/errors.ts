import type {FieldError} from './messages.js';
import {isInvalidTokenCode} from './zuora.js';

/** Which failure a `ZuoraCorsError` reports. See the README's errors table. */
export type ZuoraCorsErrorKind =
	| 'zuora'
	| 'http'
	| 'network'
	| 'timeout'
	| 'invalid-response'
	| 'validation'
	| 'aborted'
	/** The checkout is not set up right (merchant side or Zuora side): `SETUP_ERROR`, 90000012, 90000010. Retrying cannot help. */
	| 'setup'
	/** The card POST's outcome was checked with the merchant backend: no payment method was saved. Trying again is safe. */
	| 'not-saved';

/** `signature`: the call to the merchant backend. `request`: the CORS call to Zuora (and the card it carries). */
export type ZuoraCorsStage = 'signature' | 'request';

/** One entry of Zuora's `reasons` array. */
export type ZuoraReason = {
	/** Absent when the server gave none. */
	code?: number | string;
	message: string;
};

export type ZuoraCorsErrorDetails = {
	kind: ZuoraCorsErrorKind;
	stage: ZuoraCorsStage;
	reasons?: ZuoraReason[];
	status?: number;
	fields?: Record<string, FieldError>;
	retryAfter?: number;
	processId?: string;
	cause?: unknown;
};

/**
 * The one error every function of this library throws or rejects with.
 *
 * Its message, its JSON and its stack are built from the method, the URL, the status and the
 * server's reasons; the echoes of the card that `maskSecrets` recognises are masked there, and
 * so is any run of 12 to 19 digits (the shape of a card number). `retryAfter` is at most an hour.
 *
 * @example
 * try {
 * 	await createPaymentMethod({signatureUrl: '/signature', url, card});
 * } catch (error) {
 * 	if (error instanceof ZuoraCorsError && error.kind === 'validation') showFieldErrors(error.fields);
 * }
 */
export class ZuoraCorsError extends Error {
	// Set explicitly: minifiers rename classes, and `name` is part of the contract.
	override readonly name = 'ZuoraCorsError';
	readonly kind: ZuoraCorsErrorKind;
	readonly stage: ZuoraCorsStage;
	/** Zuora's first reason code, when the response carried one. */
	readonly code: number | string | undefined;
	/** Zuora's reasons (`[]` when none). */
	readonly reasons: ZuoraReason[];
	/** HTTP status, when a response arrived. */
	readonly status: number | undefined;
	/**
	 * `true` when calling again is safe (nothing can be created twice) and may succeed. At the
	 * `request` stage a retry needs a fresh signature: tokens are single-use.
	 */
	readonly retryable: boolean;
	/** Field name → `{code, message, values?}` (a stable code and a text a shopper can read), for `kind: 'validation'`. */
	readonly fields: Record<string, FieldError> | undefined;
	/** Milliseconds to wait before retrying, from a `Retry-After` header. */
	readonly retryAfter: number | undefined;
	/** Zuora's `processId`, for Zuora support. */
	readonly processId: string | undefined;

	constructor(message: string, details: ZuoraCorsErrorDetails) {
		// Own properties only: a polluted Object.prototype fills in nothing the caller left out.
		const {kind, stage, reasons, status, fields, retryAfter, processId, cause} = ownDetails(details);
		super(redactCardNumbers(message), cause === undefined ? undefined : {cause});
		this.kind = kind!;
		this.stage = stage!;
		this.reasons = (reasons ?? []).map(reason => {
			const code = Object.hasOwn(reason, 'code') ? reason.code : undefined;
			return {...(code === undefined ? {} : {code: redactCode(code)}), message: redactCardNumbers(String(Object.hasOwn(reason, 'message') ? reason.message : ''))};
		});
		this.code = this.reasons[0]?.code;
		this.status = status;
		this.fields = fields;
		this.retryAfter = retryAfter;
		// Codes and processId are server text too: a server that echoes the card can put it there.
		// A processId of digits only is Zuora's, not a card: it is masked by content (see
		// `maskSecrets`), never by shape.
		this.processId = processId === undefined || /^\d+$/.test(processId) ? processId : redactCardNumbers(processId);
		this.retryable = isRetryable(this);
	}

	/** What `JSON.stringify` shows: the fields above and the message, never a request body or the cause. */
	toJSON() {
		return {...this, message: this.message};
	}
}

/**
 * The `validation` error of a card refused before anything was sent, as one sentence with a code
 * (`card_invalid`, `field_repeated`, `form_locked`, `form_waiting`) and the fields concerned:
 * "The card was not sent (card_invalid: creditCardNumber, expirationMonth)".
 */
export function cardNotSent(code: string, fields?: Record<string, FieldError>): ZuoraCorsError {
	return new ZuoraCorsError(`The card was not sent (${code}${fields ? `: ${Object.keys(fields).join(', ')}` : ''})`, {kind: 'validation', stage: 'request', fields});
}

const DETAIL_NAMES = ['kind', 'stage', 'reasons', 'status', 'fields', 'retryAfter', 'processId', 'cause'] as const;

function ownDetails(details: ZuoraCorsErrorDetails): Partial<ZuoraCorsErrorDetails> {
	// On a null prototype: a name left out is read as undefined, never from Object.prototype.
	return Object.assign(Object.create(null) as Partial<ZuoraCorsErrorDetails>, Object.fromEntries(DETAIL_NAMES.filter(name => Object.hasOwn(details, name)).map(name => [name, details[name]])));
}

/** Statuses that say the request was not acted on, whatever the body says: the same call may succeed later. */
export const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 503]);

function isRetryable({kind, stage, status, code}: Pick<ZuoraCorsError, 'kind' | 'stage' | 'status' | 'code'>): boolean {
	const signature = stage === 'signature';
	if (kind === 'not-saved') {
		// Checked: nothing was created, so sending the card again cannot make a second one.
		return true;
	}

	return kind === 'zuora'
		? // 409 is a stored answer replayed for an Idempotency-Key: the same call gets it again.
			// 90000011: Zuora did nothing with the used or expired token; a fresh one will do.
			// Categories 50 (lock contention), 61 (temporary error), 70 (over a limit): Zuora
			// says resubmit later (with a fresh signature at the request stage). 99 is a gateway error.
			status !== 409 && (isInvalidTokenCode(code) || /^\d{6}(?:50|61|70)$/.test(String(code)))
		: kind === 'http'
			? // 500/502/504 are left out at the request stage: Zuora may have created the payment method.
				NOT_PROCESSED_STATUSES.has(status!) || (signature && /^50[024]$/.test(String(status)))
			: // A card POST that got no answer may have been processed: its outcome is unknown.
				signature && (kind === 'network' || kind === 'timeout');
}

/** A reason code that holds a card number becomes `'[redacted]'`; Zuora's own codes have 8 digits. */
function redactCode(code: number | string): number | string {
	const text = String(code);
	return redactCardNumbers(text) === text ? code : '[redacted]';
}

/** Masks runs of 12 to 19 digits of any script (optionally split by spaces or dashes), the shape of a card number. */
export function redactCardNumbers(text: string): string {
	return text.replace(/\p{Nd}(?:[\s-]?\p{Nd}){11,18}/gu, REDACTED);
}

const REDACTED = '[redacted]';
const DIGIT = /\p{Nd}/u;

/** 0-9 for any Unicode decimal digit: Unicode encodes every set of ten contiguously, from its zero. */
function digitOf(char: string): string | undefined {
	if (!DIGIT.test(char)) {
		return undefined;
	}

	const point = char.codePointAt(0)!;
	let offset = 0;
	while (DIGIT.test(String.fromCodePoint(point - offset - 1))) {
		offset++;
	}

	return String(offset % 10);
}

// Percent-encoded runs (UTF-8 decoded together) and HTML character references, read as what they encode.
const ENCODED = /(?:%[\da-f]{2})+|&#(?:x[\da-f]+|\d+);/giy;

function decodeEncoded(text: string): string {
	try {
		return text.startsWith('%') ? decodeURIComponent(text) : decodeReference(text.slice(1, -1));
	} catch {
		return '';
	}
}

/** The character a numeric reference (`#65` or `#x41`, from `&#65;`) stands for, or '' for none. */
export function decodeReference(reference: string): string {
	try {
		// `0x41` and `065` are what Number reads as hexadecimal and decimal.
		return String.fromCodePoint(Number(`0${reference.slice(1)}`));
	} catch {
		return '';
	}
}

/**
 * `texts` (every server string of one error, read together) with the echoes an honest server or
 * gateway makes of a secret replaced by `[redacted]`. Exactly these are recognised:
 * - the secret's digits in their order, each an ASCII or other Unicode decimal digit (full-width,
 *   Arabic-Indic…, after NFKC), percent-encoded or an HTML numeric character reference, with
 *   anything but a letter between them (spaces, dashes, dots, tabs, `+`, `/`…);
 * - any 6 digits in a row of the secret (all of it when shorter: the security code), wherever
 *   they stand, so a number cut in pieces of 6 or more is masked in any order; smaller pieces
 *   only when they stand in order across the texts read joined.
 * Not recognised: a secret transformed otherwise (base64, hex, reversed, letters between its
 * digits, pieces under 6 digits out of order). That is a server set on leaking the card, which
 * it already holds. `whole`: only the secret written whole, the security code as a digit run of
 * its own (to refuse a request, not on a coincidence).
 */
export function maskSecrets(texts: readonly string[], secrets: readonly string[], whole?: boolean): string[] {
	if (secrets.length === 0) {
		return [...texts];
	}

	// The digits of all texts in order, 'x' for a letter, and where each came from.
	let digits = '';
	const origins: Array<[text: number, start: number, end: number]> = [];
	const read = (chars: string, text: number, start: number, end: number) => {
		for (const char of chars.normalize('NFKC')) {
			const digit = digitOf(char) ?? (/\p{L}/u.test(char) ? 'x' : '');
			if (digit) {
				digits += digit;
				origins.push([text, start, end]);
			}
		}
	};

	for (const [index, text] of texts.entries()) {
		for (let position = 0; position < text.length; ) {
			ENCODED.lastIndex = position;
			const encoded = ENCODED.exec(text)?.[0];
			const char = encoded ?? String.fromCodePoint(text.codePointAt(position)!);
			read(encoded ? decodeEncoded(encoded) : char, index, position, position + char.length);
			position += char.length;
		}
	}

	const ranges: Array<Array<[number, number]>> = texts.map(() => []);
	for (const secret of secrets) {
		const wanted = secretDigits(secret);
		const size = whole ? wanted.length : Math.min(wanted.length, 6);
		for (let from = 0; size > 2 && from + size <= wanted.length; from++) {
			const part = wanted.slice(from, from + size);
			for (let at = digits.indexOf(part); at >= 0; at = digits.indexOf(part, at + 1)) {
				if (whole && size < 6 && /\d/.test((digits[at - 1] ?? '') + (digits[at + size] ?? ''))) {
					continue;
				}

				const [first, start] = origins[at]!;
				const [last, , end] = origins[at + size - 1]!;
				for (let text = first; text <= last; text++) {
					ranges[text]!.push([text === first ? start : 0, text === last ? end : texts[text]!.length]);
				}
			}
		}
	}

	return texts.map((text, index) => {
		let masked = '';
		let done = 0;
		for (const [start, end] of ranges[index]!.sort((a, b) => a[0] - b[0])) {
			// A range overlapping the one before extends its mask.
			if (start >= done) {
				masked += text.slice(done, start) + REDACTED;
			}

			done = Math.max(done, end);
		}

		return masked + text.slice(done);
	});
}

/** The digits of a secret, normalised the same way (`4111 1111…` and `４１１１…` alike). */
export function secretDigits(secret: string): string {
	return [...secret.normalize('NFKC')].map(digitOf).join('');
}
