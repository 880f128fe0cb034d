/**
 * Zuora facts this library depends on, as data. Source: Zuora's CORS REST guide, its HMAC and
 * RSA signature API references, and its REST base-URL table (see README, "Zuora facts").
 */

/**
 * Zuora REST base URLs per environment.
 *
 * @example
 * ZUORA_BASE_URLS.apisandbox // 'https://rest.apisandbox.zuora.com'
 */
export const ZUORA_BASE_URLS = {
	/** US Cloud 1 production. */
	na: 'https://rest.na.zuora.com',
	/** US Cloud 1 API sandbox. */
	'sandbox-na': 'https://rest.sandbox.na.zuora.com',
	/** US Cloud 2 production. */
	production: 'https://rest.zuora.com',
	/** US Cloud 2 API sandbox. */
	apisandbox: 'https://rest.apisandbox.zuora.com',
	/** US Central sandbox / Developer sandbox. */
	test: 'https://rest.test.zuora.com',
	/** EU production. */
	eu: 'https://rest.eu.zuora.com',
	/** EU sandbox. */
	'sandbox-eu': 'https://rest.sandbox.eu.zuora.com',
	/** EU Central sandbox. */
	'test-eu': 'https://rest.test.eu.zuora.com',
	/** APAC production. */
	ap: 'https://rest.ap.zuora.com',
	/** APAC Central sandbox. */
	'test-ap': 'https://rest.test.ap.zuora.com',
} as const;

export type ZuoraEnvironment = keyof typeof ZUORA_BASE_URLS;

/**
 * The only Zuora operations that accept a CORS call, with the parameter the HMAC signature
 * binds besides uri and method (`undefined`: Zuora does not document one).
 */
export const CORS_OPERATIONS = [
	{method: 'POST', path: '/v1/payment-methods/credit-cards', signedParameter: 'accountKey'},
	{method: 'POST', path: '/v1/accounts', signedParameter: 'name'},
	{method: 'GET', path: '/v1/files/{file-id}', signedParameter: undefined},
	{method: 'POST', path: '/v1/rsa-signatures', signedParameter: 'pageId'},
] as const;

/** The path of Create Payment Method (credit card), the operation `createPaymentMethod` calls. */
export const CREDIT_CARDS_PATH = '/v1/payment-methods/credit-cards';

/** Zuora's documented CORS error codes. */
export const ZUORA_ERROR_CODES = {
	/** "Invalid token. Note: a token can only be used once." */
	invalidToken: 90_000_011,
	/** "This API is not CORS enabled." */
	notCorsEnabled: 90_000_010,
	/** "'uri' may not be empty" (from POST /v1/hmac-signatures). */
	emptyUri: 59_010_220,
} as const;

/**
 * The card brands Zuora's `creditCardType` accepts, keyed by Zuora's spelling, with the
 * `credit-card-type` id that detects them. Zuora takes at most 16 digits whatever the brand.
 */
export const ZUORA_CARD_BRANDS = {
	Visa: 'visa',
	MasterCard: 'mastercard',
	AmericanExpress: 'american-express',
	Discover: 'discover',
	JCB: 'jcb',
	Diners: 'diners-club',
} as const;

export type ZuoraCardBrand = keyof typeof ZUORA_CARD_BRANDS;

/** Zuora's longest accepted `creditCardNumber`. */
export const MAX_CARD_DIGITS = 16;
