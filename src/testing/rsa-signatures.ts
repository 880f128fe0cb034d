/**
 * `POST /v1/rsa-signatures` (Payment Pages 2.0). Zuora documents the answer `{success, signature,
 * token, tenantId, key}` and warns that `signature` can be null while `token` is present. The
 * stub signs RSA-SHA256 over uri, method, pageId and token with a key pair made on first use;
 * `key` is that public key (base64 DER SPKI, as in Zuora's sample); `tenantId` is Zuora's
 * sample "12270". A backend calls with its bearer token; a browser (CORS) with an HMAC pair
 * signed for this uri and its pageId.
 */
import {generateKeyPair, sign, type KeyObject} from 'node:crypto';
import {authenticationError, isAuthenticated, TENANT_ID} from './oauth.js';
import {randomAlphanumeric, signatureRequestProblem, spendToken, tokenFailure} from './signatures.js';
import type {StubContext, StubRequest} from './stub-state.js';
import {failure, ok, parseJsonBody, reason, type Reply} from './values.js';
import {STUB_CODES as CODES, MESSAGES} from './zuora-facts.js';

type RsaKeys = {privateKey: KeyObject; publicKey: string};

/**
 * One key pair per process, generated off the event loop (2048-bit generation takes from a
 * tenth of a second to seconds on a busy machine, and a synchronous one would stall every
 * socket of the process meanwhile). `startZuoraStub` starts it; the first RSA answer awaits it.
 */
let rsaKeys: Promise<RsaKeys> | undefined;

export function rsaKeysOnce(): Promise<RsaKeys> {
	rsaKeys ??= new Promise((resolve, reject) => {
		generateKeyPair('rsa', {modulusLength: 2048}, (error, publicKey, privateKey) => {
			if (error) {
				rsaKeys = undefined;
				reject(error);
				return;
			}

			resolve({privateKey, publicKey: publicKey.export({type: 'spki', format: 'der'}).toString('base64')});
		});
	});
	return rsaKeys;
}

async function issueRsaSignature(context: StubContext, text: string): Promise<Reply> {
	const parsed = parseJsonBody(text);
	if (!parsed) {
		return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
	}

	const problem = signatureRequestProblem(parsed, ['uri', 'method', 'pageId']);
	if (problem) {
		return ok(failure(problem));
	}

	const {privateKey, publicKey} = await rsaKeysOnce();
	const token = randomAlphanumeric(32);
	const signed = [parsed['uri'], parsed['method'], parsed['pageId'], token].join('\n');
	let signature: string | null = sign('sha256', Buffer.from(signed), privateKey).toString('base64');
	if (context.state.nullRsaSignatures > 0) {
		context.state.nullRsaSignatures -= 1;
		signature = null;
	}

	return ok({signature, token, tenantId: TENANT_ID, key: publicKey, success: true});
}

/** A backend calls with its bearer token; a browser (CORS) with an HMAC pair signed for this uri and pageId. */
export async function rsaSignatureViaBearerOrPair(context: StubContext, request: StubRequest): Promise<Reply> {
	if (request.header('authorization') !== undefined || request.header('token') === undefined) {
		return isAuthenticated(context, request) ? issueRsaSignature(context, request.text) : authenticationError();
	}

	const tokenProblem = spendToken(context, request, parseJsonBody(request.text));
	if (tokenProblem) {
		return tokenFailure(context, tokenProblem);
	}

	return issueRsaSignature(context, request.text);
}
