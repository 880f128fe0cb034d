/**
 * `POST /oauth/token` and the bearer check of the backend-side operations. Zuora documents the
 * client-credentials grant and the answer `{access_token, token_type: "bearer", expires_in: 3599,
 * scope, jti}`; the error bodies below are the stub's choice in OAuth's own form.
 */
import {randomBytes, randomUUID} from 'node:crypto';
import type {StubContext, StubRequest} from './stub-state.js';
import {safeEqual, type Reply} from './values.js';

/** Payment Pages' sample tenant, also in the OAuth scope. */
export const TENANT_ID = '12270';

export function oauthScope(): string {
	return `user.${randomBytes(16).toString('hex')} entity.${randomUUID()} tenant.${TENANT_ID}`;
}

export function issueOAuthToken(context: StubContext, request: StubRequest): Reply {
	const {config} = context;
	const form = new URLSearchParams(request.text);
	const idOk = safeEqual(form.get('client_id') ?? '', config.clientId);
	const secretOk = safeEqual(form.get('client_secret') ?? '', config.clientSecret);
	if (!idOk || !secretOk) {
		return {status: 401, body: {error: 'invalid_client', error_description: 'Bad client credentials'}};
	}

	if (form.get('grant_type') !== 'client_credentials') {
		return {status: 400, body: {error: 'unsupported_grant_type', error_description: 'Unsupported grant type'}};
	}

	const accessToken = randomBytes(16).toString('hex');
	context.oauthTokens.set(accessToken, {expiresAt: config.now() + config.oauthTokenLifetimeSeconds * 1000});
	return {
		status: 200,
		body: {
			access_token: accessToken,
			token_type: 'bearer',
			expires_in: config.oauthTokenLifetimeSeconds,
			scope: context.oauthScope,
			jti: randomBytes(16).toString('hex'),
		},
	};
}

/** Whether the request carries a bearer token the stub issued and that has not expired. */
export function isAuthenticated(context: StubContext, request: StubRequest): boolean {
	const match = /^Bearer (\S+)$/i.exec(request.header('authorization') ?? '');
	const issued = match?.[1] === undefined ? undefined : context.oauthTokens.get(match[1]);
	return issued !== undefined && context.config.now() < issued.expiresAt;
}

export function authenticationError(): Reply {
	return {status: 401, body: {message: 'Authentication error'}};
}
