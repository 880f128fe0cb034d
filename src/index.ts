export {fetchSignature, type CorsSignature, type FetchSignatureOptions} from './signature.js';
export {makeCorsRequest, type CorsRequestOptions, type CorsResponse} from './cors-request.js';
export {createPaymentMethod, type CreatePaymentMethodOptions, type PaymentMethodResult} from './payment-method.js';
export type {ReconcileOptions} from './reconcile.js';
export {
	validateCreditCard,
	normalizeCreditCard,
	type CreditCardInput,
	type CreditCard,
	type CardHolderInfo,
	type CardValidation,
	type ValidateCreditCardOptions,
} from './card.js';
export {
	ZuoraCorsError,
	type ZuoraCorsErrorKind,
	type ZuoraCorsStage,
	type ZuoraReason,
} from './errors.js';
export {zuoraUrl, type ZuoraBaseUrl} from './zuora-url.js';
export {
	ZUORA_BASE_URLS,
	ZUORA_CORS_OPERATIONS,
	ZUORA_ERROR_CODES,
	ZUORA_CARD_BRANDS,
	type ZuoraEnvironment,
	type ZuoraCardBrand,
	type ZuoraCorsOperationName,
} from './zuora.js';
export {bindForm, FORM_EVENTS, type BindFormOptions, type FormBinding, type FieldChange, type FormEventDetails, type FormEventMap, type OptionalFormField} from './form/index.js';
export {describeError, type DescribeErrorOptions, type ErrorDescription} from './describe-error.js';
export type {
	Messages,
	MessageCatalogue,
	MessageCode,
	FieldErrorCode,
	ErrorMessageCode,
	StatusMessageCode,
	FieldError,
	MessageValues,
} from './messages.js';
export {createAccount, type CreateAccountOptions, type AccountInput, type AccountCreditCard, type AccountResult} from './account.js';
export {getFile, type GetFileOptions} from './file.js';
export {createPaymentPageSignature, type PaymentPageSignatureOptions, type PaymentPageSignature} from './payment-page-signature.js';
export type {SignedCallOptions} from './signed-call.js';
