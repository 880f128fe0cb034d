/**
 * `POST /v1/rsa-signatures` (Payment Pages 2.0). Zuora documents the answer `{success, signature,
 * token, tenantId, key}` and warns that `signature` can be null while `token` is present. The
 * stub signs RSA-SHA256 over uri, method, pageId and token with a key pair made on first use;
 * `key` is that public key (base64 DER SPKI, as in Zuora's sample); `tenantId` is Zuora's
 * sample "12270". A backend calls with its bearer token; a browser (CORS) with an HMAC pair
 * signed for this uri and its pageId.
 */
import {generateKeyPairSync, sign, type KeyObject} from 'node:crypto';
import {authenticationError, isAuthenticated, TENANT_ID} from './oauth.js';
import {randomAlphanumeric, signatureRequestProblem, spendToken, tokenFailure} from './signatures.js';
import type {StubContext, StubRequest} from './stub-state.js';
import {failure, ok, parseJsonObject, reason, type Reply} from './values.js';
import {STUB_CODES as CODES, MESSAGES} from './zuora-facts.js';

type RsaKeys = {privateKey: KeyObject; publicKey: string};

/** One key pair per process, made on first use (2048-bit generation is slow). */
let rsaKeys: RsaKeys | undefined;

function keys(): RsaKeys {
	if (!rsaKeys) {
		const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
		rsaKeys = {privateKey, publicKey: publicKey.export({type: 'spki', format: 'der'}).toString('base64')};
	}

	return rsaKeys;
}

function issueRsaSignature(context: StubContext, text: string): Reply {
	const parsed = parseJsonObject(text);
	if (!parsed) {
		return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
	}

	const problem = signatureRequestProblem(parsed, ['uri', 'method', 'pageId']);
	if (problem) {
		return ok(failure(problem));
	}

	const {privateKey, publicKey} = keys();
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
export function rsaSignatureViaBearerOrPair(context: StubContext, request: StubRequest): Reply {
	if (request.header('authorization') !== undefined || request.header('token') === undefined) {
		return isAuthenticated(context, request) ? issueRsaSignature(context, request.text) : authenticationError();
	}

	const tokenProblem = spendToken(context, request, parseJsonObject(request.text));
	if (tokenProblem) {
		return tokenFailure(context, tokenProblem);
	}

	return issueRsaSignature(context, request.text);
}
