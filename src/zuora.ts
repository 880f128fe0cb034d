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
 * The hosts a signed CORS call may go to, as `<labels>.zuora.com`, by the path prefix Zuora's
 * REST API hangs from there: the ten REST base URLs above and `rest.pt1` (bare); the CORS guide's
 * own sample and recorded clients (`/rest`); Create RSA signature as seen in use (`/apps`). Only
 * hosts with evidence (Zuora's "API endpoints" list, and hosts seen in real use); the
 * Payment Pages hosts of the RSA signature reference serve the page, not shown to serve REST.
 * Any other host only through `allowedHosts`.
 */
export const ZUORA_REST_HOSTS = {
	'': ['rest.na', 'rest.sandbox.na', 'rest', 'rest.apisandbox', 'rest.test', 'rest.eu', 'rest.sandbox.eu', 'rest.test.eu', 'rest.ap', 'rest.test.ap', 'rest.pt1'],
	'/rest': ['api', 'apisandbox-api'],
	'/apps': ['apisandbox'],
} as const;

/**
 * Whether a URL is the operation's: its path exactly (`{file-id}`: one non-empty segment), no
 * query, fragment or credentials, after a prefix that is that host's in `ZUORA_REST_HOSTS` on an https host
 * there, or after any prefix on a host the page allowed (`anyHost`: a stub, a test double).
 */
export function isOperationUrl(url: string, operation: ZuoraCorsOperationName, anyHost: boolean): boolean {
	const {protocol, host, pathname} = new URL(url);
	const want = ZUORA_CORS_OPERATIONS[operation].path.split('/');
	const got = pathname.split('/');
	const cut = got.length - want.length;
	const prefix = got.slice(0, cut + 1).join('/');
	const labels = Object.hasOwn(ZUORA_REST_HOSTS, prefix) ? (ZUORA_REST_HOSTS[prefix as keyof typeof ZUORA_REST_HOSTS] as readonly string[]) : [];
	return (
		cut >= 0 &&
		!/[?#@]/.test(url) &&
		want.every((segment, index) => index === 0 || got[cut + index] === segment || (segment === '{file-id}' && got[cut + index] !== '')) &&
		(anyHost || (protocol === 'https:' && host.endsWith('.zuora.com') && labels.includes(host.slice(0, -10))))
	);
}

/**
 * Zuora's RSA signatures path: a CORS operation (Payment Pages 2.0's page signature) that the
 * backend also calls. One constant for both tables: a property read of the first (as
 * `ZUORA_CORS_OPERATIONS.rsaSignature.path`) would stay in every page bundle, unused.
 */
const RSA_SIGNATURES_PATH = '/v1/rsa-signatures';

/**
 * The only Zuora operations that accept a CORS call, keyed by name, with the parameter the HMAC
 * signature binds besides uri and method (`undefined`: Zuora does not document one).
 */
export const ZUORA_CORS_OPERATIONS = {
	/** Create Payment Method (credit card): `createPaymentMethod`, `bindForm`. */
	creditCard: {method: 'POST', path: '/v1/payment-methods/credit-cards', signedParameter: 'accountKey'},
	/** Create Account: `createAccount`. */
	account: {method: 'POST', path: '/v1/accounts', signedParameter: 'name'},
	/** Get File: `getFile` (the file id is in the signed uri). */
	file: {method: 'GET', path: '/v1/files/{file-id}', signedParameter: undefined},
	/** RSA signatures for Payment Pages 2.0: `createPaymentPageSignature`. */
	rsaSignature: {method: 'POST', path: RSA_SIGNATURES_PATH, signedParameter: 'pageId'},
} as const;

export type ZuoraCorsOperationName = keyof typeof ZUORA_CORS_OPERATIONS;
export type ZuoraCorsOperation = (typeof ZUORA_CORS_OPERATIONS)[ZuoraCorsOperationName];

/** Zuora's documented CORS error codes. */
export const ZUORA_ERROR_CODES = {
	/** "Invalid token. Note: a token can only be used once." */
	invalidToken: 90_000_011,
	/** "This API is not CORS enabled." */
	notCorsEnabled: 90_000_010,
	/** "Invalid signature": the signature does not match the call (wrong key, uri, method or signed value). */
	invalidSignature: 90_000_012,
	/** "'uri' may not be empty" (from POST /v1/hmac-signatures). */
	emptyUri: 59_010_220,
} as const;

/** Whether a reason code is 90000011 (token used, expired or unknown: Zuora did nothing), as a number or a string. */
export function isInvalidTokenCode(code: unknown): boolean {
	return code !== undefined && code !== '' && Number(code) === ZUORA_ERROR_CODES.invalidToken;
}

/**
 * The card brands Zuora's `creditCardType` accepts, keyed by Zuora's spelling, with their BIN
 * prefixes (a number or an inclusive range), lengths and security-code size. The prefixes come
 * from Braintree's maintained table (`credit-card-type`, `id` names its entry); lengths are cut
 * at Zuora's 16 digits. Kept as data here because the package costs 1.3 KiB gzipped in the
 * script-tag bundle; `card.test.ts` fails as soon as the installed `credit-card-type` disagrees.
 */
export const ZUORA_CARD_BRANDS = {
	Visa: {id: 'visa', niceType: 'Visa', patterns: [4], lengths: [16], securityCodeSize: 3},
	MasterCard: {id: 'mastercard', niceType: 'Mastercard', patterns: [[51, 55], [2221, 2229], [223, 229], [23, 26], [270, 271], 2720], lengths: [16], securityCodeSize: 3},
	AmericanExpress: {id: 'american-express', niceType: 'American Express', patterns: [34, 37], lengths: [15], securityCodeSize: 4},
	Discover: {id: 'discover', niceType: 'Discover', patterns: [6011, [644, 649], 65], lengths: [16], securityCodeSize: 3},
	JCB: {id: 'jcb', niceType: 'JCB', patterns: [2131, 1800, [3528, 3589]], lengths: [16], securityCodeSize: 3},
	Diners: {id: 'diners-club', niceType: 'Diners Club', patterns: [[300, 305], 36, 38, 39], lengths: [14, 16], securityCodeSize: 3},
} as const satisfies Record<string, CardBrandInfo>;

export type CardBrandInfo = {
	id: string;
	niceType: string;
	patterns: ReadonlyArray<number | readonly [number, number]>;
	lengths: readonly number[];
	securityCodeSize: number;
};

export type ZuoraCardBrand = keyof typeof ZUORA_CARD_BRANDS;

/** Zuora's longest accepted `creditCardNumber`. */
export const MAX_CARD_DIGITS = 16;

/**
 * The backend-side Zuora paths (bearer token, not CORS-enabled) that `zuora-cors/server` calls and
 * `zuora-cors/testing` serves: OAuth and the two signature operations.
 */
export const ZUORA_BACKEND_PATHS = {
	oauthToken: '/oauth/token',
	hmacSignatures: '/v1/hmac-signatures',
	rsaSignatures: RSA_SIGNATURES_PATH,
} as const;

/**
 * A Zuora REST base as an option may spell it, normalised: an environment name (a key of
 * `ZUORA_BASE_URLS`) or an http(s) base URL, with or without a trailing slash, bare or with
 * Zuora's legacy `/rest` or `/apps` prefix. Undefined for anything else (a query, a fragment,
 * credentials, another path). The one parser behind `zuoraUrl` (page) and `createZuoraClient`
 * (server), so both take the same spellings; each then applies its own host rule.
 *
 * @example
 * zuoraBaseUrl('apisandbox') // 'https://rest.apisandbox.zuora.com'
 * zuoraBaseUrl('https://api.zuora.com/rest/') // 'https://api.zuora.com/rest'
 */
export function zuoraBaseUrl(spelling: unknown): string | undefined {
	if (typeof spelling !== 'string') {
		return undefined;
	}

	if (Object.hasOwn(ZUORA_BASE_URLS, spelling)) {
		return ZUORA_BASE_URLS[spelling as ZuoraEnvironment];
	}

	const match = /^(https?:\/\/[^/?#@\\\s]+)(\/rest|\/apps)?\/?$/.exec(spelling);
	if (!match) {
		return undefined;
	}

	try {
		return new URL(match[1]!).origin + (match[2] ?? '');
	} catch {
		return undefined;
	}
}

/**
 * Zuora's "List all credit card payment methods of an account" (bearer, not CORS-enabled):
 * answers `{success, creditCards: [{id, cardNumber: '************1111', cardType, expirationMonth,
 * expirationYear, defaultPaymentMethod, cardHolderInfo}], nextPage?}`, paged by `page` (from 1)
 * and `pageSize` (at most 40); `nextPage`, an absolute URL, is there while more pages are.
 * The answer carries no creation time (Zuora documents none for this operation).
 */
export const CREDIT_CARDS_OF_ACCOUNT = {path: '/v1/payment-methods/credit-cards/accounts/{account-key}', maxPageSize: 40} as const;
