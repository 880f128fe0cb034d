/**
 * The stub's CORS answers (Zuora does not document its CORS response headers; these are the
 * stub's choice, what a credentialed CORS call needs):
 * - an allowed origin (exact string match, never `*`) gets `Access-Control-Allow-Origin:
 *   <origin>`, `Access-Control-Allow-Credentials: true` and `Access-Control-Expose-Headers:
 *   Retry-After, ratelimit-limit, ratelimit-remaining, ratelimit-reset` on every answer; every
 *   answer carries `Vary: Origin` (a cache must not serve one origin's answer to another);
 * - a preflight (any OPTIONS, on any path) from an allowed origin answers 204 with
 *   `Access-Control-Allow-Methods: POST, GET, OPTIONS`, `Access-Control-Allow-Headers: signature,
 *   token, content-type, accept, idempotency-key` and `Access-Control-Max-Age` only when
 *   `preflightMaxAge` is set; any other OPTIONS answers 403 with an empty body and no CORS headers;
 * - a non-preflight request from a disallowed origin is still processed, without CORS headers,
 *   as any server would: CORS is enforced by the browser, which then hides the answer.
 */
import type {StubContext} from './stub-state.js';
import type {Reply} from './values.js';

const EXPOSE_HEADERS = 'Retry-After, ratelimit-limit, ratelimit-remaining, ratelimit-reset';
const ALLOW_METHODS = 'POST, GET, OPTIONS';
const ALLOW_HEADERS = 'signature, token, content-type, accept, idempotency-key';

/** The CORS headers of every answer to a request from `origin`. */
export function corsHeaders(context: StubContext, origin: string | undefined): Record<string, string> {
	const headers: Record<string, string> = {Vary: 'Origin'};
	if (origin !== undefined && context.allowedOrigins.has(origin)) {
		headers['Access-Control-Allow-Origin'] = origin;
		headers['Access-Control-Allow-Credentials'] = 'true';
		headers['Access-Control-Expose-Headers'] = EXPOSE_HEADERS;
	}

	return headers;
}

/** The answer to an OPTIONS request (its CORS headers come from `corsHeaders`). */
export function preflight(context: StubContext, origin: string | undefined): Reply {
	if (origin === undefined || !context.allowedOrigins.has(origin)) {
		return {status: 403, body: undefined};
	}

	const headers: Record<string, string> = {'Access-Control-Allow-Methods': ALLOW_METHODS, 'Access-Control-Allow-Headers': ALLOW_HEADERS};
	if (context.config.preflightMaxAge !== undefined) {
		headers['Access-Control-Max-Age'] = String(context.config.preflightMaxAge);
	}

	return {status: 204, body: undefined, headers};
}

/** Adds an exact origin to the allowed ones. */
export function allowOrigin(context: StubContext, origin: string): void {
	if (origin === '*' || !URL.canParse(origin) || new URL(origin).origin !== origin) {
		throw new TypeError(`allowOrigin: "${origin}" is not an exact origin`);
	}

	context.allowedOrigins.add(origin);
}
