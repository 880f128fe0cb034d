/**
 * The types `bindForm`'s modules share (its options and what it returns), in a module of their
 * own so that the modules beside it read them without importing `index.ts`, which imports them.
 */
import type {ZuoraCorsError} from '../errors.js';
import type {PaymentMethodResult, CreatePaymentMethodOptions} from '../payment-method.js';
import type {CorsSignature} from '../signature.js';
import type {ZuoraCardBrand} from '../zuora.js';
import type {OptionalFormField} from './fields.js';

/** `createPaymentMethod`'s options (but the card, which the form holds), and the binding's own. */
export type BindFormOptions = Omit<CreatePaymentMethodOptions, 'card' | 'signature' | 'signal' | 'idempotencyKey' | 'onOutcomeUnknown'> & {
	/**
	 * Opt-in (Zuora does not document whether its CORS preflight allows the header: try it on your
	 * tenant first). Each card attempt gets its own `Idempotency-Key`, the same across that card's
	 * retries and re-sign, a new one after `reset()` and after any outcome that says what Zuora did.
	 * A string is a prefix (`<prefix>-<random UUID>`); a function is called once per card attempt.
	 *
	 * @example idempotencyKey: `checkout-${orderId}`
	 */
	idempotencyKey?: string | (() => string);
	/**
	 * Values added to what the form holds (and winning over it), e.g. `{accountKey}` when it is
	 * not a form field: own properties only, each a string, number or boolean (`cardHolderInfo`:
	 * an object of strings, merged with the form's). Checked when bound, and read again at each
	 * submission (the card frame sets the page's choices in it before each one).
	 */
	fields?: Record<string, unknown>;
	/**
	 * The Zuora fields beyond the card that bindForm reads from the form's controls. By default it
	 * reads only the card: `creditCardNumber`, `expiry` (or `expirationMonth` and
	 * `expirationYear`), `securityCode`, `cardHolderInfo.cardHolderName`, and `creditCardType`
	 * when the form has that control at bind time. A control under any other name (an injected
	 * `cardHolderInfo.email`, a `zipCode` added later) is ignored unless named here.
	 *
	 * @example ['cardHolderInfo.email', 'cardHolderInfo.zipCode', 'defaultPaymentMethod']
	 */
	formFields?: readonly OptionalFormField[];
	/**
	 * The brands the merchant accepts (as Payment Pages 2.0's `param_supportedTypes`): a card of
	 * another brand is a field error while typing and on submit, before anything is sent.
	 *
	 * @default all six of Zuora's brands
	 */
	supportedBrands?: readonly ZuoraCardBrand[];
	/**
	 * The page's status region (a `role=status` element bindForm writes the outcome into, and the
	 * remaining wait after too many attempts). Give it from code, never found from markup.
	 *
	 * @default a `<p role="status" data-zuora-cors-status>` added at the end of the form
	 */
	status?: HTMLElement;
	/**
	 * Fetch a signature on the shopper's first interaction with the form (focus or input), not at
	 * page load: every issued token is fraud surface, and a form nobody touches needs none.
	 *
	 * @default true
	 */
	prefetch?: boolean;
	/**
	 * A prefetched pair older than this (ms) is replaced. Keep it below the token lifetime of your
	 * Zuora tenant (Zuora does not document it; the demo stub uses 20 minutes).
	 *
	 * @default 300000 (5 minutes)
	 */
	signatureMaxAge?: number;
	/**
	 * Add `<link rel="preconnect" crossorigin="use-credentials">` for the Zuora origin, so the
	 * connection is ready before the click (when `url` is given: otherwise the origin is known only
	 * from the signature answer).
	 *
	 * @default true
	 */
	preconnect?: boolean;
	onSuccess?: (result: PaymentMethodResult, form: HTMLFormElement) => void;
	onError?: (error: ZuoraCorsError, form: HTMLFormElement) => void;
};

export type FormBinding = {
	/** Validates and submits; concurrent calls share the submission in flight. */
	submit(): Promise<PaymentMethodResult>;
	/** Fetches a signature now (normally done on first interaction). */
	prefetch(): Promise<CorsSignature>;
	/**
	 * Unlocks the form after a success or an outcome nobody could confirm (it stays locked until
	 * then, so a second click never saves a second card): clears the status, the errors and the card's controls (number, expiry, security
	 * code, name; the fields named in `formFields` keep their values), and enables them again.
	 */
	reset(): void;
	/** Removes every listener, element and attribute the binding added, disables the card controls again; later calls are refused. */
	destroy(): void;
};
