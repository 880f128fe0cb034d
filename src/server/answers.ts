/**
 * What the endpoints answer: JSON that is never cached, and refusals as decisions (status,
 * reason, and the one line the server logs), so the checks that make them stay pure.
 */

/** A refusal: `{reasons: [{code, message}]}` (no `success` field) with its status, and the server's log line. */
export type Refusal = {
	status: number;
	code: string;
	/** For the page; never says more than the shopper may know. */
	message: string;
	/** For the merchant: what happened and, for a setup error, what to fix. Never secrets or card data. */
	log: string;
	headers?: Record<string, string>;
};

export const SETUP_ERROR = {code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'} as const;

/** The endpoint's own configuration is wrong (credentials, uri, authorize, trustProxy): 500, not retryable. */
export function setupError(log: string): Refusal {
	return {status: 500, ...SETUP_ERROR, log};
}

/** A store (limits or issued tokens) that failed: fail closed, never a token without its record. */
export function storeUnavailable(log: string): Refusal {
	return {
		status: 503,
		code: 'LIMITS_UNAVAILABLE',
		message: 'The checkout is unavailable for a moment. Please try again.',
		headers: {'retry-after': '5'},
		log: `${log}: failing closed (503)`,
	};
}

export function isRefusal(value: unknown): value is Refusal {
	return typeof value === 'object' && value !== null && Object.hasOwn(value, 'log') && Object.hasOwn(value, 'status');
}

export function refusalResponse(refusal: Refusal): Response {
	return json(refusal.status, {reasons: [{code: refusal.code, message: refusal.message}]}, refusal.headers);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: {'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers},
	});
}
