import {normalizeCreditCard, validateCreditCard, type CreditCardInput} from './card.js';
import {makeCorsRequest, type CorsResponse} from './cors-request.js';
import {ZuoraCorsError} from './errors.js';
import type {Messages} from './messages.js';
import {defaults, invalidOption, resolveHeaders, resolveIdempotencyKey, resolveOptions, ownCopy, resolveSignal, resolveTimeout, resolveZuoraUrl, type Timeout} from './options.js';
import {prepareSignatureRequest, requestSignature, type CorsSignature, type FetchSignatureOptions} from './signature.js';
import type {Exchange} from './transport.js';
import {isInvalidTokenCode} from './zuora.js';

export type CreatePaymentMethodOptions = {
	/** The merchant backend endpoint that returns a signature and token. */
	signatureUrl: string | URL;
	/** The Zuora URL the backend signed, e.g. `zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')`. */
	url: string | URL;
	card: CreditCardInput;
	/**
	 * A pair fetched earlier (or its promise), used for the first attempt instead of fetching one.
	 * If it turns out used or expired, the one re-sign on 90000011 still applies; if its promise
	 * rejected, a fresh one is fetched.
	 */
	signature?: CorsSignature | Promise<CorsSignature>;
	/** Options for the call to `signatureUrl` (method, json, headers, credentials, timeout). */
	signatureOptions?: Omit<FetchSignatureOptions, 'signal'>;
	/** Extra headers for the Zuora request. */
	headers?: HeadersInit;
	/**
	 * Milliseconds for the Zuora request, or `false`.
	 *
	 * @default 30000
	 */
	timeout?: Timeout;
	/** Aborts whichever call is in flight. */
	signal?: AbortSignal;
	/**
	 * Sent as `Idempotency-Key` (see `makeCorsRequest`). Opt-in. The one re-sign after 90000011
	 * sends a key derived from it (`<key>-resign`), because Zuora stores the refused first answer
	 * under the key and would replay it; a repeated call with the same key derives the same one.
	 */
	idempotencyKey?: string;
	/** Hosts or origins allowed besides https hosts under zuora.com (see `makeCorsRequest`). */
	allowedHosts?: readonly string[];
	/** Texts of the card's field errors, replacing the built-in English ones by code (e.g. `zuora-cors/locales/de`). */
	messages?: Messages;
};

export type PaymentMethodResult = CorsResponse & {paymentMethodId: string};

/**
 * The whole flow for a credit card: validate and normalise the card (refused before any network
 * call when invalid), fetch a signature from the merchant backend, post the card to Zuora.
 *
 * When Zuora answers 90000011 (token used, expired or unknown) it fetches one fresh signature and
 * tries once more; any other failure is thrown as is, and nothing is ever re-sent blindly.
 *
 * @example
 * const {paymentMethodId} = await createPaymentMethod({
 * 	signatureUrl: '/signature',
 * 	url: zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards'),
 * 	card: {accountKey: 'A00000001', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2030, securityCode: '123'},
 * });
 */
export async function createPaymentMethod(paymentOptions: CreatePaymentMethodOptions): Promise<PaymentMethodResult> {
	// Own properties only, the card's too: nothing a page put on Object.prototype is read.
	const options = resolveOptions('request', paymentOptions);
	const {signature, idempotencyKey, allowedHosts} = options;
	const card = ownCopy(options.card);
	// Every option is checked before anything is sent: a token fetched for nothing is fraud surface.
	const url = resolveZuoraUrl(options.url, allowedHosts);
	const headers = resolveHeaders('request', options.headers);
	const timeout = resolveTimeout('request', options.timeout, defaults.requestTimeout);
	const signal = resolveSignal('request', options.signal);
	resolveIdempotencyKey(idempotencyKey);
	const signatureRequest = prepareSignatureRequest(options.signatureUrl, {...options.signatureOptions, signal}, 'signatureUrl');
	const checked = validateCreditCard(card, {messages: options.messages});
	if (!checked.valid || !checked.creditCardType) {
		throw new ZuoraCorsError(`The card was not sent: ${Object.keys(checked.errors).join(', ')} invalid`, {kind: 'validation', stage: 'request', fields: checked.errors});
	}

	const json = normalizeCreditCard(card, checked.creditCardType);
	refuseCardInSignatureRequest(signatureRequest, json.creditCardNumber);

	const sign = async () => requestSignature(signatureRequest);
	const post = async ({signature, token}: CorsSignature, key = idempotencyKey) => makeCorsRequest({url, signature, token, json, headers, timeout, signal, idempotencyKey: key, allowedHosts});

	let pair: CorsSignature;
	try {
		pair = signature === undefined ? await sign() : await untilAborted(signature, signal);
	} catch (error) {
		// A prefetched pair that failed costs nothing to replace: nothing was sent to Zuora yet.
		if (signature === undefined || signal?.aborted) {
			throw error;
		}

		pair = await sign();
	}

	let result: CorsResponse;
	try {
		result = await post(pair);
	} catch (error) {
		if (!(error instanceof ZuoraCorsError) || error.kind !== 'zuora' || !isInvalidTokenCode(error.code)) {
			throw error;
		}

		// Zuora refused the token before doing anything, so exactly one fresh attempt is safe. Zuora
		// stored that refusal under the key and would replay it (409): the retry uses a key
		// derived from it, the same for every repeat of this call, so a repeat replays this one.
		result = await post(await sign(), idempotencyKey === undefined ? undefined : `${idempotencyKey.slice(0, 248)}-resign`);
	}

	if (typeof result.paymentMethodId !== 'string' || result.paymentMethodId === '') {
		throw new ZuoraCorsError('Zuora answered success without a `paymentMethodId`', {kind: 'invalid-response', stage: 'request'});
	}

	return result as PaymentMethodResult;
}

/** A prefetched pair, or an `aborted` error as soon as the caller's signal fires while waiting for it. */
async function untilAborted(pair: CorsSignature | Promise<CorsSignature>, signal: AbortSignal | undefined): Promise<CorsSignature> {
	if (!signal) {
		return pair;
	}

	return new Promise((resolve, reject) => {
		const onAbort = () => {
			reject(new ZuoraCorsError('Aborted by the caller while waiting for the prefetched signature', {kind: 'aborted', stage: 'signature', cause: signal.reason}));
		};

		if (signal.aborted) {
			onAbort();
			return;
		}

		signal.addEventListener('abort', onAbort, {once: true});
		Promise.resolve(pair).then(resolve, reject).finally(() => {
			signal.removeEventListener('abort', onAbort);
		});
	});
}

/**
 * The merchant backend must never see card data: refuse a signature request whose URL, headers
 * or body carry the card number, however it is spaced, dashed or URL-encoded.
 */
function refuseCardInSignatureRequest(request: Exchange, number: string) {
	let url = request.url;
	try {
		url = decodeURIComponent(url);
	} catch {}

	const outgoing = [url, request.body ?? '', ...request.headers.values()].join(' ').replace(/[\s-]/g, '');
	if (outgoing.includes(number)) {
		invalidOption('signature', 'signatureOptions', 'no card data: the signature request goes to the merchant backend');
	}
}
