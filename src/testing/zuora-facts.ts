/**
 * The codes and messages the stub answers. Zuora's documented ones come from the library's
 * `ZUORA_ERROR_CODES`; the others are the stub's choices where Zuora documents none (a
 * 6-digit resource code and a 2-digit category: 20 invalid value, 22 missing field,
 * 90 malformed, 99 payment-gateway error).
 */
import {ZUORA_ERROR_CODES, ZUORA_CORS_OPERATIONS} from '../zuora.js';

export const STUB_CODES = {
	notCorsEnabled: ZUORA_ERROR_CODES.notCorsEnabled, // documented
	invalidToken: ZUORA_ERROR_CODES.invalidToken, // documented
	signatureField: ZUORA_ERROR_CODES.emptyUri, // documented for an empty uri
	invalidSignature: ZUORA_ERROR_CODES.invalidSignature, // the code is the library's (Zuora documents only the text)
	signatureMalformed: 59_010_290,
	cardInvalidValue: 53_100_020,
	cardMissingField: 53_100_022,
	cardMalformed: 53_100_090,
	/** A gateway decline: category 99 (payment-gateway error) of the credit-card resource. */
	declined: 53_100_099,
	/** The gateway did not answer in time (a held create released with 'gatewayTimeout'): category 99 too. */
	gatewayTimeout: 53_100_099,
	accountInvalidValue: 53_000_020,
	accountMissingField: 53_000_022,
	accountMalformed: 53_000_090,
	notFound: 50_000_040,
	internal: 50_000_060,
	/** Category 61, "temporary error: resubmit later" (a 503). */
	unavailable: 50_000_061,
	/** Category 70, "over a limit": a body too large, or a 429. */
	tooLarge: 50_000_070,
	rateLimited: 50_000_070,
	/** Category 50, "lock contention": a request with the same Idempotency-Key is in flight. */
	idempotencyInFlight: 50_000_050,
	/** Category 20, invalid value: the Idempotency-Key was used with another request. */
	idempotencyMismatch: 50_000_020,
} as const;

export const MESSAGES = {
	usedToken: 'Invalid token. Note: a token can only be used once.',
	expiredToken: 'Invalid token. The token has expired.',
	invalidSignature: 'Invalid signature.',
	notCorsEnabled: 'This API is not CORS enabled.',
	malformed: 'Malformed request body: expected a JSON object.',
	gatewayTimeout: 'Transaction failed: the payment gateway did not answer in time.',
} as const;

export type StubOperation = {method: string; path: string; pattern: RegExp; signedParameter: string | undefined; required: boolean};

/**
 * The four CORS-enabled operations from the library's `ZUORA_CORS_OPERATIONS`, each with a pattern
 * for its path (`{file-id}` matches one segment) and whether its signed parameter is required.
 */
export const STUB_OPERATIONS: StubOperation[] = Object.values(ZUORA_CORS_OPERATIONS).map(operation => ({
	method: operation.method,
	path: operation.path,
	pattern: new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
	signedParameter: operation.signedParameter,
	// Create Account signs the account name and RSA signatures the page id: both required.
	required: operation.signedParameter === 'name' || operation.signedParameter === 'pageId',
}));

/** Methods Zuora's HMAC API accepts (documented). */
export const SIGNATURE_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
