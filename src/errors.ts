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
	| 'aborted';

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
 * Its message, its JSON and its stack never contain card data: messages are built from the
 * method, the URL, the status and Zuora's reasons, and digit runs that look like a card number
 * are masked even in text that came from a server.
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
		super(redactCardNumbers(message), details.cause === undefined ? undefined : {cause: details.cause});
		this.kind = details.kind;
		this.stage = details.stage;
		this.reasons = (details.reasons ?? []).map(reason => ({...(reason.code === undefined ? {} : {code: redactCode(reason.code)}), message: redactCardNumbers(reason.message)}));
		this.code = this.reasons[0]?.code;
		this.status = details.status;
		this.fields = details.fields;
		this.retryAfter = details.retryAfter;
		// Codes and processId are server text too: a server that echoes the card can put it there.
		this.processId = details.processId === undefined ? undefined : redactCardNumbers(details.processId);
		this.retryable = isRetryable(this);
	}

	/** What `JSON.stringify` shows: the fields above and the message, never a request body or the cause. */
	toJSON() {
		return {...this, message: this.message};
	}
}

// Statuses that mean the request was not acted on, so the same call may succeed later.
// 500/502/504 are left out at the request stage: Zuora may have created the payment method.
const RETRYABLE_STATUSES: Record<ZuoraCorsStage, ReadonlySet<number>> = {
	signature: new Set([408, 425, 429, 500, 502, 503, 504]),
	request: new Set([408, 425, 429, 503]),
};

function isRetryable({kind, stage, status, code}: Pick<ZuoraCorsError, 'kind' | 'stage' | 'status' | 'code'>): boolean {
	switch (kind) {
		case 'zuora': {
			// 90000011: Zuora did nothing with the used or expired token; a fresh one will do.
			return isInvalidTokenCode(code);
		}

		case 'http': {
			return status !== undefined && RETRYABLE_STATUSES[stage].has(status);
		}

		case 'network':
		case 'timeout': {
			// A card POST that got no answer may have been processed: its outcome is unknown.
			return stage === 'signature';
		}

		default: {
			return false;
		}
	}
}

/** A reason code that holds a card number becomes `'[redacted]'`; Zuora's own codes have 8 digits. */
function redactCode(code: number | string): number | string {
	const text = String(code);
	return redactCardNumbers(text) === text ? code : '[redacted]';
}

/** Masks runs of 12 to 19 digits (optionally split by spaces or dashes), the shape of a card number. */
export function redactCardNumbers(text: string): string {
	return text.replace(/\d(?:[ -]?\d){11,18}/g, '[redacted]');
}
