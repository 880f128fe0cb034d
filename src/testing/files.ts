/**
 * `GET /v1/files/{file-id}` (CORS). Zuora documents the answer (the file itself, an invoice as
 * `application/pdf;charset=UTF-8`) and its errors (`{reasons: [{code: "SystemError", message}]}`
 * without `success`). The stub's choices: the request needs an HMAC pair signed for `publicUrl` +
 * its path (method GET, no signed parameter); a token problem answers the CORS envelope like the
 * other operations; the files are small valid PDFs the stub makes (one invoice after start and
 * after `reset()`).
 */
import {makePdf} from './pdf.js';
import {spendToken, tokenFailure} from './signatures.js';
import type {StubContext, StubRequest} from './stub-state.js';
import {randomHex, type Reply} from './values.js';

export const FILE_PATH = /^\/v1\/files\/([^/]+)$/;

export function getFile(context: StubContext, request: StubRequest): Reply {
	const tokenProblem = spendToken(context, request, undefined);
	if (tokenProblem) {
		return tokenFailure(context, tokenProblem);
	}

	const id = decodeURIComponent(FILE_PATH.exec(request.path)?.[1] ?? '');
	const file = context.state.files.get(id);
	if (!file) {
		return {status: 404, body: {reasons: [{code: 'SystemError', message: 'File not found.'}]}};
	}

	return {status: 200, body: undefined, raw: file, headers: {'Content-Type': 'application/pdf;charset=UTF-8'}};
}

/** Makes a PDF file showing `text` and returns its id. */
export function addFile(context: StubContext, text = 'Invoice INV00000001'): string {
	if (typeof text !== 'string') {
		throw new TypeError('addFile: text must be a string');
	}

	const id = randomHex();
	context.state.files.set(id, makePdf(text));
	return id;
}
