import {invalidOption} from './options.js';
import {resolveSignedCall, runSignedCall, type SignedCallOptions} from './signed-call.js';

export type GetFileOptions = SignedCallOptions & {
	/** The file's Zuora URL, e.g. `zuoraUrl('apisandbox', '/v1/files/' + fileId)`; optional when the backend's answer carries the `uri` it signed. */
	url?: string | URL;
	/**
	 * The `Accept` header. Zuora's sample sends `application/pdf` (an invoice).
	 *
	 * @default 'application/pdf'
	 */
	accept?: string;
};

/**
 * Downloads a file from Zuora (`GET /v1/files/{file-id}`, CORS) with a signature from the
 * merchant backend, as a `Blob` of the exact bytes (no text decoding, any size). JSON error
 * answers (`{reasons: [{code: 'SystemError', …}]}`) reject like any other Zuora failure; a
 * used or expired token (90000011) is re-signed once, as the create operations do.
 *
 * @example
 * const pdf = await getFile({signatureUrl: '/signature/file', url: zuoraUrl('apisandbox', `/v1/files/${fileId}`)});
 * link.href = URL.createObjectURL(pdf);
 */
export async function getFile(fileOptions: GetFileOptions): Promise<Blob> {
	const call = resolveSignedCall(fileOptions, {operation: 'file'});
	const accept = call.options.accept ?? 'application/pdf';
	if (typeof accept !== 'string' || accept === '') {
		invalidOption('request', 'accept', 'not_media_type');
	}

	return runSignedCall(call, {fields: [], accept});
}
