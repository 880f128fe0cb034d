// The public types as a consumer sees them. Every import is type-only and comes from the package
// name, so `.ci/check-package.mjs` can type-check this file with tsc against the BUILT
// declarations (dist/index.d.ts, through package.json `exports`): a wrong .d.ts fails there.
// Under `vitest run` the type-only imports are erased and `expectTypeOf` does nothing, so this
// file needs no build to pass as a unit test; its assertions only bite under tsc.
import {expectTypeOf, test} from 'vitest';
import type {
	AccountResult,
	bindForm,
	createAccount,
	CreateAccountOptions,
	createPaymentPageSignature,
	getFile,
	GetFileOptions,
	PaymentPageSignature,
	PaymentPageSignatureOptions,
	BindFormOptions,
	CardValidation,
	CorsResponse,
	CorsSignature,
	createPaymentMethod,
	CreatePaymentMethodOptions,
	CorsRequestOptions,
	describeError,
	DescribeErrorOptions,
	ErrorDescription,
	ErrorMessageCode,
	fetchSignature,
	FetchSignatureOptions,
	FieldError,
	FieldErrorCode,
	FORM_EVENTS,
	FormBinding,
	makeCorsRequest,
	MessageCatalogue,
	MessageCode,
	Messages,
	PaymentMethodResult,
	validateCreditCard,
	ZUORA_BASE_URLS,
	ZuoraCardBrand,
	ZuoraCorsError,
	ZuoraCorsErrorKind,
	ZuoraCorsStage,
	ZuoraEnvironment,
	ZuoraBaseUrl,
	ZuoraReason,
	zuoraUrl,
} from 'zuora-cors';
import type {de} from 'zuora-cors/locales/de';
import type {en} from 'zuora-cors/locales/en';
import type {es} from 'zuora-cors/locales/es';
import type {fr} from 'zuora-cors/locales/fr';
import type {ja} from 'zuora-cors/locales/ja';

type Timeout = number | false;

test('fetchSignature: (url, options?) → Promise<CorsSignature>, with exactly the documented options', () => {
	expectTypeOf<typeof fetchSignature>().parameters.toEqualTypeOf<[url: string | URL, options?: FetchSignatureOptions]>();
	expectTypeOf<typeof fetchSignature>().returns.toEqualTypeOf<Promise<CorsSignature>>();
	expectTypeOf<keyof FetchSignatureOptions>().toEqualTypeOf<'method' | 'json' | 'headers' | 'credentials' | 'timeout' | 'signal'>();
	expectTypeOf<FetchSignatureOptions['method']>().toEqualTypeOf<'GET' | 'POST' | undefined>();
	expectTypeOf<FetchSignatureOptions['timeout']>().toEqualTypeOf<Timeout | undefined>();
	expectTypeOf<CorsSignature['signature']>().toEqualTypeOf<string>();
	expectTypeOf<CorsSignature['token']>().toEqualTypeOf<string>();

	expectTypeOf<typeof fetchSignature>().toBeCallableWith('/signature');
	expectTypeOf<typeof fetchSignature>().toBeCallableWith(new URL('https://shop.example/signature'), {method: 'POST', json: {cart: 1}, timeout: false});
	// @ts-expect-error `PUT` is not a method the backend is called with
	expectTypeOf<typeof fetchSignature>().toBeCallableWith('/signature', {method: 'PUT'});
	// @ts-expect-error a misspelt option is refused
	const misspelt: FetchSignatureOptions = {timout: 1000};
	// @ts-expect-error `timeout` is milliseconds or false, never true
	const always: FetchSignatureOptions = {timeout: true};
	void [misspelt, always];
});

test('makeCorsRequest: ({url, signature, token, …}) → Promise<CorsResponse>', () => {
	expectTypeOf<typeof makeCorsRequest>().parameters.toEqualTypeOf<[options: CorsRequestOptions]>();
	expectTypeOf<typeof makeCorsRequest>().returns.toEqualTypeOf<Promise<CorsResponse>>();
	expectTypeOf<keyof CorsRequestOptions>().toEqualTypeOf<'url' | 'signature' | 'token' | 'json' | 'method' | 'headers' | 'idempotencyKey' | 'allowedHosts' | 'timeout' | 'signal'>();
	expectTypeOf<CorsRequestOptions['allowedHosts']>().toEqualTypeOf<readonly string[] | undefined>();
	expectTypeOf<CorsRequestOptions['method']>().toEqualTypeOf<'POST' | 'GET' | undefined>();
	expectTypeOf<CorsResponse['success']>().toEqualTypeOf<true>();
	expectTypeOf<CorsResponse['paymentMethodId']>().toEqualTypeOf<string | undefined>();
	// An Idempotency-Key replay (HTTP 409 carrying the stored success) is marked.
	expectTypeOf<CorsResponse['replayed']>().toEqualTypeOf<true | undefined>();

	expectTypeOf<typeof makeCorsRequest>().toBeCallableWith({url: 'https://rest.apisandbox.zuora.com/v1/accounts', signature: 's', token: 't'});
	// @ts-expect-error `token` is required: a CORS call without one is refused by Zuora
	expectTypeOf<typeof makeCorsRequest>().toBeCallableWith({url: 'https://rest.apisandbox.zuora.com/v1/accounts', signature: 's'});
	// @ts-expect-error a misspelt option is refused
	const misspelt: CorsRequestOptions = {url: '/', signature: 's', token: 't', jsonBody: {}};
	void misspelt;
});

test('createPaymentMethod: resolves with a string paymentMethodId', () => {
	expectTypeOf<typeof createPaymentMethod>().parameters.toEqualTypeOf<[options: CreatePaymentMethodOptions]>();
	expectTypeOf<typeof createPaymentMethod>().returns.toEqualTypeOf<Promise<PaymentMethodResult>>();
	expectTypeOf<typeof createPaymentMethod>().returns.resolves.toHaveProperty('paymentMethodId').toEqualTypeOf<string>();
	expectTypeOf<PaymentMethodResult['success']>().toEqualTypeOf<true>();
	expectTypeOf<keyof CreatePaymentMethodOptions>().toEqualTypeOf<
		| 'signatureUrl'
		| 'url'
		| 'card'
		| 'signature'
		| 'signatureOptions'
		| 'headers'
		| 'timeout'
		| 'signal'
		| 'idempotencyKey'
		| 'allowedHosts'
		| 'messages'
		| 'reconcileUrl'
		| 'reconcileDelay'
		| 'reconcileWindow'
		| 'reconcileTimeout'
		| 'onOutcomeUnknown'
	>();
	expectTypeOf<PaymentMethodResult['recovered']>().toEqualTypeOf<true | undefined>();
	expectTypeOf<CreatePaymentMethodOptions['messages']>().toEqualTypeOf<Messages | undefined>();
	expectTypeOf<CreatePaymentMethodOptions['signature']>().toEqualTypeOf<CorsSignature | Promise<CorsSignature> | undefined>();
	// The signal of the signature call is the one of the whole flow.
	expectTypeOf<keyof NonNullable<CreatePaymentMethodOptions['signatureOptions']>>().toEqualTypeOf<'method' | 'json' | 'headers' | 'credentials' | 'timeout'>();

	const card = {creditCardNumber: '4111 1111 1111 1111', expirationMonth: '12', expirationYear: 2031, securityCode: '737'};
	expectTypeOf<typeof createPaymentMethod>().toBeCallableWith({signatureUrl: '/signature', url: new URL('https://rest.apisandbox.zuora.com'), card});
	// @ts-expect-error `card` is required
	expectTypeOf<typeof createPaymentMethod>().toBeCallableWith({signatureUrl: '/signature', url: 'https://rest.apisandbox.zuora.com'});
	// @ts-expect-error `signatureUrl` is required
	expectTypeOf<typeof createPaymentMethod>().toBeCallableWith({url: 'https://rest.apisandbox.zuora.com', card});
	// With a backend that answers what it signed (`uri`, `accountKey`), the signature URL and the card are the whole call.
	expectTypeOf<typeof createPaymentMethod>().toBeCallableWith({signatureUrl: '/signature', card});
	expectTypeOf<typeof createPaymentMethod>().toBeCallableWith({signatureUrl: '/signature', card, reconcileUrl: '/reconcile'});
	// @ts-expect-error `signal` belongs to the whole call, not to `signatureOptions`
	const nested: CreatePaymentMethodOptions = {signatureUrl: '/signature', url: '/', card, signatureOptions: {signal: new AbortController().signal}};
	// @ts-expect-error a misspelt option is refused
	const misspelt: CreatePaymentMethodOptions = {signatureUrl: '/signature', url: '/', card, timout: 1000};
	void [nested, misspelt];
});

test('createAccount, getFile, createPaymentPageSignature: the same signed-call options, their own results', () => {
	type Shared = 'url' | 'signatureUrl' | 'signature' | 'signatureOptions' | 'headers' | 'timeout' | 'signal' | 'allowedHosts';
	expectTypeOf<keyof CreateAccountOptions>().toEqualTypeOf<Shared | 'account' | 'idempotencyKey' | 'messages'>();
	expectTypeOf<keyof GetFileOptions>().toEqualTypeOf<Shared | 'accept'>();
	expectTypeOf<keyof PaymentPageSignatureOptions>().toEqualTypeOf<Shared | 'pageId' | 'uri' | 'method' | 'params'>();
	expectTypeOf<typeof createAccount>().returns.toEqualTypeOf<Promise<AccountResult>>();
	expectTypeOf<AccountResult['accountId']>().toEqualTypeOf<string>();
	expectTypeOf<AccountResult['accountNumber']>().toEqualTypeOf<string>();
	expectTypeOf<AccountResult['paymentMethodId']>().toEqualTypeOf<string | undefined>();
	expectTypeOf<typeof getFile>().returns.toEqualTypeOf<Promise<Blob>>();
	expectTypeOf<typeof createPaymentPageSignature>().returns.toEqualTypeOf<Promise<PaymentPageSignature>>();
	expectTypeOf<Pick<PaymentPageSignature, 'signature' | 'token' | 'tenantId' | 'key'>>().toEqualTypeOf<{signature: string; token: string; tenantId: string; key: string}>();

	const billToContact = {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'};
	expectTypeOf<typeof createAccount>().toBeCallableWith({
		url: '/v1/accounts',
		signatureUrl: '/signature/account',
		account: {currency: 'USD', billToContact, creditCard: {cardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031}},
	});
	expectTypeOf<typeof createAccount>().toBeCallableWith({
		url: '/v1/accounts',
		signature: {signature: 's', token: 't', name: 'Ada'},
		account: {currency: 'USD', billToContact, hpmCreditCardPaymentMethodId: 'id'},
	});
	// @ts-expect-error Create Account requires currency and billToContact
	expectTypeOf<typeof createAccount>().toBeCallableWith({url: '/v1/accounts', signatureUrl: '/s', account: {name: 'Ada'}});
	expectTypeOf<typeof getFile>().toBeCallableWith({url: '/v1/files/1', signatureUrl: '/signature/file', accept: 'text/csv'});
	expectTypeOf<typeof createPaymentPageSignature>().toBeCallableWith({
		url: '/v1/rsa-signatures',
		signatureUrl: '/s',
		uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do',
		params: {field_accountId: 'A1'},
	});
	// @ts-expect-error `uri` (the Payment Page URL) is required
	expectTypeOf<typeof createPaymentPageSignature>().toBeCallableWith({url: '/v1/rsa-signatures', signatureUrl: '/s'});
	// @ts-expect-error a misspelt option is refused
	const misspelt: GetFileOptions = {url: '/', signatureUrl: '/s', acept: 'text/csv'};
	void misspelt;
});

test('bindForm: (form | selector, options) → {submit, prefetch, reset, destroy}', () => {
	expectTypeOf<typeof bindForm>().parameters.toEqualTypeOf<[target: HTMLFormElement | string, options: BindFormOptions]>();
	expectTypeOf<typeof bindForm>().returns.toEqualTypeOf<FormBinding>();
	// Every createPaymentMethod option but the card, the pair and the signal, plus the binding's own.
	expectTypeOf<keyof BindFormOptions>().toEqualTypeOf<
		| 'signatureUrl'
		| 'url'
		| 'fields'
		| 'signatureOptions'
		| 'headers'
		| 'timeout'
		| 'idempotencyKey'
		| 'allowedHosts'
		| 'prefetch'
		| 'signatureMaxAge'
		| 'preconnect'
		| 'onSuccess'
		| 'onError'
		| 'messages'
		| 'formFields'
		| 'supportedBrands'
		| 'status'
		| 'reconcileUrl'
		| 'reconcileDelay'
		| 'reconcileWindow'
		| 'reconcileTimeout'
		| 'formFields'
		| 'supportedBrands'
		| 'status'
	>();
	expectTypeOf<keyof FormBinding>().toEqualTypeOf<'submit' | 'prefetch' | 'reset' | 'destroy'>();
	expectTypeOf<FormBinding['submit']>().returns.toEqualTypeOf<Promise<PaymentMethodResult>>();
	expectTypeOf<FormBinding['prefetch']>().returns.toEqualTypeOf<Promise<CorsSignature>>();
	expectTypeOf<NonNullable<BindFormOptions['onSuccess']>>().parameters.toEqualTypeOf<[result: PaymentMethodResult, form: HTMLFormElement]>();
	expectTypeOf<NonNullable<BindFormOptions['onError']>>().parameters.toEqualTypeOf<[error: ZuoraCorsError, form: HTMLFormElement]>();
	expectTypeOf<typeof FORM_EVENTS>().toEqualTypeOf<{
		readonly success: 'zuora-cors:success';
		readonly error: 'zuora-cors:error';
		readonly checking: 'zuora-cors:checking';
		readonly change: 'zuora-cors:change';
		readonly brand: 'zuora-cors:brand';
	}>();

	expectTypeOf<typeof bindForm>().toBeCallableWith('#card-form', {signatureUrl: '/signature', url: 'https://rest.apisandbox.zuora.com', prefetch: false});
	// The BRIEF's contract 1: with a backend that answers what it signed, the signature URL is the whole configuration.
	expectTypeOf<typeof bindForm>().toBeCallableWith('#card-form', {signatureUrl: '/signature'});
	// @ts-expect-error `signatureUrl` is required
	expectTypeOf<typeof bindForm>().toBeCallableWith('#card-form', {url: 'https://rest.apisandbox.zuora.com'});
	// @ts-expect-error a misspelt option is refused
	const misspelt: BindFormOptions = {signatureUrl: '/signature', url: '/', preFetch: false};
	void misspelt;
});

test("the form's events are typed for addEventListener (the README's snippet under strict)", () => {
	expectTypeOf<HTMLElementEventMap[(typeof FORM_EVENTS)['error']]>().toEqualTypeOf<CustomEvent<{error: ZuoraCorsError}>>();
	expectTypeOf<HTMLElementEventMap[(typeof FORM_EVENTS)['success']]>().toEqualTypeOf<CustomEvent<{result: PaymentMethodResult}>>();
	expectTypeOf<HTMLElementEventMap[(typeof FORM_EVENTS)['change']]['detail']['field']>().toEqualTypeOf<string>();
	expectTypeOf<HTMLElementEventMap[(typeof FORM_EVENTS)['brand']]['detail']['brand']>().toEqualTypeOf<ZuoraCardBrand | undefined>();
	const listen = (form: HTMLFormElement, events: typeof FORM_EVENTS) => {
		form.addEventListener(events.error, event => expectTypeOf(event.detail.error).toEqualTypeOf<ZuoraCorsError>());
		form.addEventListener(events.success, event => expectTypeOf(event.detail.result.paymentMethodId).toEqualTypeOf<string>());
	};

	void listen;
});

test('ZuoraCorsError: kind, stage, code, reasons, status, retryable, fields, retryAfter', () => {
	expectTypeOf<ZuoraCorsError>().toExtend<Error>();
	expectTypeOf<ZuoraCorsError['name']>().toEqualTypeOf<'ZuoraCorsError'>();
	expectTypeOf<ZuoraCorsError['kind']>().toEqualTypeOf<'zuora' | 'http' | 'network' | 'timeout' | 'invalid-response' | 'validation' | 'aborted' | 'setup' | 'not-saved'>();
	expectTypeOf<ZuoraCorsErrorKind>().toEqualTypeOf<ZuoraCorsError['kind']>();
	expectTypeOf<ZuoraCorsError['stage']>().toEqualTypeOf<'signature' | 'request'>();
	expectTypeOf<ZuoraCorsStage>().toEqualTypeOf<ZuoraCorsError['stage']>();
	expectTypeOf<ZuoraCorsError['code']>().toEqualTypeOf<number | string | undefined>();
	expectTypeOf<ZuoraCorsError['reasons']>().toEqualTypeOf<ZuoraReason[]>();
	// A reason Zuora sent without a code keeps none.
	expectTypeOf<ZuoraReason>().toEqualTypeOf<{code?: number | string; message: string}>();
	expectTypeOf<ZuoraCorsError['status']>().toEqualTypeOf<number | undefined>();
	expectTypeOf<ZuoraCorsError['retryable']>().toEqualTypeOf<boolean>();
	expectTypeOf<ZuoraCorsError['fields']>().toEqualTypeOf<Record<string, FieldError> | undefined>();
	expectTypeOf<ZuoraCorsError['retryAfter']>().toEqualTypeOf<number | undefined>();
	expectTypeOf<ZuoraCorsError['processId']>().toEqualTypeOf<string | undefined>();

	// Never called: these only have to fail to compile.
	const readonlyFields = (error: ZuoraCorsError) => {
		// @ts-expect-error the fields are read-only
		error.kind = 'http';
		// @ts-expect-error the fields are read-only
		error.retryable = true;
	};

	const exhaustive = (kind: ZuoraCorsErrorKind) => {
		switch (kind) {
			case 'zuora':
			case 'http':
			case 'network':
			case 'timeout':
			case 'invalid-response':
			case 'validation':
			case 'aborted':
			case 'setup':
			case 'not-saved': {
				return kind;
			}

			default: {
				// A kind added to the union without being listed above lands here and fails to compile.
				return expectTypeOf(kind).toBeNever();
			}
		}
	};

	void [readonlyFields, exhaustive];
});

test('validateCreditCard: {valid, creditCardType, errors}', () => {
	expectTypeOf<typeof validateCreditCard>().returns.toEqualTypeOf<CardValidation>();
	expectTypeOf<CardValidation>().toEqualTypeOf<{valid: boolean; creditCardType: ZuoraCardBrand | undefined; errors: Record<string, FieldError>}>();
	expectTypeOf<FieldError>().toEqualTypeOf<{code: FieldErrorCode | 'option_invalid'; message: string; values?: Readonly<Record<string, string | number>>}>();
	expectTypeOf<typeof validateCreditCard>().toBeCallableWith({}, {messages: {card_expired: 'Abgelaufen.'}});
	// @ts-expect-error an unknown code is refused (a typo would silently keep the English text)
	expectTypeOf<typeof validateCreditCard>().toBeCallableWith({}, {messages: {card_expird: 'Abgelaufen.'}});
	expectTypeOf<ZuoraCardBrand>().toEqualTypeOf<'Visa' | 'MasterCard' | 'AmericanExpress' | 'Discover' | 'JCB' | 'Diners'>();
	expectTypeOf<typeof validateCreditCard>().toBeCallableWith({creditCardNumber: 4_111_111_111_111_111, expirationMonth: 12, expirationYear: '31'}, {now: new Date()});
	// @ts-expect-error `now` is a Date
	expectTypeOf<typeof validateCreditCard>().toBeCallableWith({}, {now: Date.now()});
});

test('zuoraUrl: known environments or a Zuora base URL', () => {
	expectTypeOf<typeof zuoraUrl>().parameters.toEqualTypeOf<[environment: ZuoraEnvironment | ZuoraBaseUrl, path?: string]>();
	expectTypeOf<typeof zuoraUrl>().returns.toEqualTypeOf<string>();
	expectTypeOf<ZuoraEnvironment>().toEqualTypeOf<'na' | 'sandbox-na' | 'production' | 'apisandbox' | 'test' | 'eu' | 'sandbox-eu' | 'test-eu' | 'ap' | 'test-ap'>();
	expectTypeOf<ZuoraEnvironment>().toEqualTypeOf<keyof typeof ZUORA_BASE_URLS>();
	expectTypeOf<(typeof ZUORA_BASE_URLS)['apisandbox']>().toEqualTypeOf<'https://rest.apisandbox.zuora.com'>();

	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('apisandbox');
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('test-eu', '/v1/accounts');
	// @ts-expect-error 'sandbox' is not an environment: Zuora has several, the caller must say which
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('sandbox');
	// A base URL under zuora.com, with the legacy /rest and /apps forms.
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('https://rest.zuora.com');
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('https://api.zuora.com/rest', '/v1/payment-methods/credit-cards');
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('https://apisandbox.zuora.com/apps', '/v1/rsa-signatures');
	// @ts-expect-error a base URL off zuora.com is not accepted
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('https://rest.zuora.com.evil.io');
	// @ts-expect-error plain http is not a Zuora base URL
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('http://rest.zuora.com');
	// @ts-expect-error any string is not an environment
	expectTypeOf<typeof zuoraUrl>().toBeCallableWith('apisandbox' as string);
});

test('messages: codes as data, complete locales, describeError → {code, message, field?}', () => {
	expectTypeOf<MessageCode>().toEqualTypeOf<FieldErrorCode | ErrorMessageCode | 'card_saved' | 'still_working' | 'card_checking'>();
	expectTypeOf<FieldErrorCode>().toExtend<string>();
	expectTypeOf<'card_number_required' | 'card_number_invalid' | 'card_brand_not_accepted' | 'expiry_month_invalid' | 'card_expired' | 'security_code_invalid'>().toExtend<FieldErrorCode>();
	expectTypeOf<'card_declined' | 'session_expired' | 'too_many_attempts_seconds' | 'outcome_unknown_connection' | 'outcome_unknown_timeout'>().toExtend<ErrorMessageCode>();
	expectTypeOf<MessageCatalogue>().toEqualTypeOf<Record<MessageCode, string>>();
	expectTypeOf<Messages>().toEqualTypeOf<Partial<Readonly<MessageCatalogue>>>();
	// Each locale is a complete catalogue, and fits the messages option as is.
	expectTypeOf<typeof en>().toEqualTypeOf<MessageCatalogue>();
	expectTypeOf<typeof de>().toEqualTypeOf<MessageCatalogue>();
	expectTypeOf<typeof es>().toEqualTypeOf<MessageCatalogue>();
	expectTypeOf<typeof fr>().toEqualTypeOf<MessageCatalogue>();
	expectTypeOf<typeof ja>().toEqualTypeOf<MessageCatalogue>();
	expectTypeOf<typeof de>().toExtend<Messages>();

	// A catch's value as it comes.
	expectTypeOf<typeof describeError>().parameters.toEqualTypeOf<[error: unknown, describeOptions?: DescribeErrorOptions]>();
	expectTypeOf<typeof describeError>().returns.toEqualTypeOf<ErrorDescription>();
	expectTypeOf<ErrorDescription>().toEqualTypeOf<{code: ErrorMessageCode | FieldErrorCode; message: string; field?: string}>();
	expectTypeOf<DescribeErrorOptions>().toEqualTypeOf<{messages?: Messages}>();
	expectTypeOf<BindFormOptions['messages']>().toEqualTypeOf<Messages | undefined>();
});
