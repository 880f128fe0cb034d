/**
 * `POST /v1/hmac-signatures` and the one-time signature/token pairs the CORS operations take.
 *
 * Zuora documents the formats (signature: base64 of 40 lowercase hex characters; token: 32
 * alphanumeric characters), the four CORS-enabled operations, 90000010, 90000011 and 59010220.
 * The stub chooses the rest: HMAC-SHA1(secret, uri + "\n" + method + "\n" + signed value (or "")
 * + "\n" + token); a token lives `tokenLifetimeMs` and is spent on first use, before any other
 * check, whatever the outcome; a signature that does not match (another uri, method, signed
 * value, or a tampered header) answers 90000012 "Invalid signature.".
 */
import {createHmac, randomInt} from 'node:crypto';
import {authenticationError, isAuthenticated} from './oauth.js';
import type {IssuedToken, StubContext, StubRequest} from './stub-state.js';
import {failure, isBlank, ok, parseJsonBody, reason, safeEqual, type Reason, type Reply} from './values.js';
import {STUB_CODES as CODES, MESSAGES, SIGNATURE_METHODS, STUB_OPERATIONS} from './zuora-facts.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A pair whose signature matches the request (used, expired or not). */
export type VerifiedPair = {token: string; issued: IssuedToken; value: string};

/** The documented signature format: base64 of 40 lowercase hex characters. */
export function hmacSignature(secret: string, uri: string, method: string, value: string, token: string): string {
	const hex = createHmac('sha1', secret).update([uri, method, value, token].join('\n')).digest('hex');
	return Buffer.from(hex).toString('base64');
}

export function randomAlphanumeric(length: number): string {
	let text = '';
	for (let index = 0; index < length; index++) {
		text += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
	}

	return text;
}

/** A signed parameter as the string the signature binds: absent is "". */
export function signedText(value: unknown): string {
	if (value === undefined || value === null) {
		return '';
	}

	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The first missing or bad field of a signature request, reported like Zuora's empty uri. */
export function signatureRequestProblem(body: Record<string, unknown>, fields: string[]): Reason | undefined {
	for (const field of fields) {
		const value = body[field];
		if (isBlank(value)) {
			return reason(CODES.signatureField, `'${field}' may not be empty`);
		}

		if (typeof value !== 'string' || (field === 'method' && !SIGNATURE_METHODS.has(value))) {
			return reason(CODES.signatureField, `'${field}' has an invalid value`);
		}
	}

	return undefined;
}

function findCorsOperation(uri: string, method: string) {
	if (!URL.canParse(uri)) {
		return undefined;
	}

	const {pathname} = new URL(uri);
	return STUB_OPERATIONS.find(operation => operation.method === method && operation.pattern.test(pathname));
}

/** `POST /v1/hmac-signatures` (bearer): a pair for one of the four CORS operations. */
export function issueHmacSignature(context: StubContext, request: StubRequest): Reply {
	if (!isAuthenticated(context, request)) {
		return authenticationError();
	}

	const parsed = parseJsonBody(request.text);
	if (!parsed) {
		return {status: 400, body: failure(reason(CODES.signatureMalformed, MESSAGES.malformed))};
	}

	const problem = signatureRequestProblem(parsed, ['uri', 'method']);
	if (problem) {
		return ok(failure(problem));
	}

	const uri = parsed['uri'] as string;
	const method = parsed['method'] as string;
	const operation = findCorsOperation(uri, method);
	if (!operation) {
		return ok(failure(reason(CODES.notCorsEnabled, MESSAGES.notCorsEnabled)));
	}

	const name = operation.signedParameter;
	if (name !== undefined && operation.required && isBlank(parsed[name])) {
		return ok(failure(reason(CODES.signatureField, `'${name}' may not be empty`)));
	}

	const token = randomAlphanumeric(32);
	const value = name === undefined ? '' : signedText(parsed[name]);
	const signedParameter = name === undefined ? undefined : {name, value};
	context.state.tokens.set(token, {uri, method, signedParameter, issuedAt: context.config.now(), used: false, expired: false});
	return ok({signature: hmacSignature(context.config.secret, uri, method, value, token), token, success: true});
}

function signatureMatches(context: StubContext, request: StubRequest, body: Record<string, unknown> | undefined, token: string, issued: IssuedToken): boolean {
	const value = issued.signedParameter?.value ?? '';
	const bodyValue = issued.signedParameter === undefined ? '' : signedText(body?.[issued.signedParameter.name]);
	const expected = hmacSignature(context.config.secret, issued.uri, issued.method, value, token);
	return issued.uri === context.publicUrl + request.path && issued.method === request.method && safeEqual(request.header('signature') ?? '', expected) && bodyValue === value;
}

/**
 * The issued pair the request presents, when its signature matches the request (uri, method,
 * signed value, signature header), used and expired pairs included. Spends nothing.
 */
export function verifyPair(context: StubContext, request: StubRequest, body: Record<string, unknown> | undefined): VerifiedPair | undefined {
	const token = request.header('token');
	const issued = token === undefined ? undefined : context.state.tokens.get(token);
	if (token === undefined || !issued || !signatureMatches(context, request, body, token, issued)) {
		return undefined;
	}

	return {token, issued, value: issued.signedParameter?.value ?? ''};
}

/** Checks the `token` and `signature` headers, spending the token first: a token is a one-time ticket. */
export function spendToken(context: StubContext, request: StubRequest, body: Record<string, unknown> | undefined): Reason | undefined {
	const token = request.header('token');
	const issued = token === undefined ? undefined : context.state.tokens.get(token);
	if (token === undefined || !issued || issued.used) {
		return reason(CODES.invalidToken, MESSAGES.usedToken);
	}

	issued.used = true;
	if (issued.expired || context.config.now() - issued.issuedAt > context.config.tokenLifetimeMs) {
		return reason(CODES.invalidToken, MESSAGES.expiredToken);
	}

	return signatureMatches(context, request, body, token, issued) ? undefined : reason(CODES.invalidSignature, MESSAGES.invalidSignature);
}

/** The 90000011 / 90000012 answer, with `invalidTokenStatus` for 90000011. */
export function tokenFailure(context: StubContext, problem: Reason): Reply {
	return {status: problem.code === CODES.invalidToken ? context.config.invalidTokenStatus : 200, body: failure(problem)};
}
