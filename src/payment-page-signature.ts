import type {CorsResponse} from './cors-request.js';
import {invalidOption, ownCopy} from './options.js';
import {resolveSignedCall, runSignedCall, signedValue, type SignedCallOptions} from './signed-call.js';

export type PaymentPageSignatureOptions = SignedCallOptions & {
	/** Zuora's RSA signature URL, e.g. `zuoraUrl('apisandbox', '/v1/rsa-signatures')`; optional when the backend's answer carries the `uri` it signed. */
	url?: string | URL;
	/** The Payment Page's id. Taken from the signature pair when the backend returns the one it signed. */
	pageId?: string;
	/** The Payment Page URL the form posts to, e.g. `'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do'`. */
	uri: string;
	/**
	 * The Payment Page form's method.
	 *
	 * @default 'POST'
	 */
	method?: string;
	/**
	 * Client parameters Zuora signs too (`field_accountId`, `param_supportedTypes`, …). Each one
	 * lengthens what is signed; with too many, Zuora answers a null signature.
	 */
	params?: Record<string, string>;
};

/** What Payment Pages 2.0's `Z.render` needs: the RSA signature, its token, the tenant and the public key. */
export type PaymentPageSignature = CorsResponse & {signature: string; token: string; tenantId: string; key: string};

/**
 * Asks Zuora for a Payment Pages 2.0 RSA signature from the browser (`POST /v1/rsa-signatures`,
 * CORS), signed with an HMAC pair from the merchant backend (bound to `pageId`). Same flow as
 * `createPaymentMethod`: one re-sign on 90000011, nothing else re-sent.
 *
 * A `signature` that is null or empty (Zuora warns it happens, e.g. with too many signed
 * fields) rejects with `kind: 'invalid-response'`, not retryable: the same request gets the same.
 *
 * @example
 * const {signature, token, tenantId, key} = await createPaymentPageSignature({
 * 	signatureUrl: '/signature/payment-page',
 * 	url: zuoraUrl('https://apisandbox.zuora.com/apps', '/v1/rsa-signatures'),
 * 	uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do',
 * });
 */
export async function createPaymentPageSignature(pageOptions: PaymentPageSignatureOptions): Promise<PaymentPageSignature> {
	const call = resolveSignedCall(pageOptions, {operation: 'rsaSignature'});
	const {uri, method = 'POST', pageId} = call.options;
	const params = ownCopy(call.options.params ?? {});
	for (const [name, value] of [
		['uri', uri],
		['method', method],
	] as const) {
		if (typeof value !== 'string' || value === '') {
			invalidOption('request', name, 'not_string');
		}
	}

	return runSignedCall(call, {fields: ['signature', 'token', 'tenantId', 'key'], json: signed => ({...params, uri, method, pageId: signedValue(signed, 'pageId', pageId)})});
}
