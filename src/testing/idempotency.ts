/**
 * The `Idempotency-Key` of the two CORS create operations, and the shared path they take.
 *
 * ## The one model (the stub's, the library's and the README's)
 * **The first processed answer to a key, success or failure, is stored under the key and
 * replayed, with HTTP 409, to every later request with that key. A request refused before it
 * is processed stores nothing.**
 * - Processed means: its one-time token was spent on a pair whose signature matches. Whatever
 *   follows is stored: a created method, a card error, a decline, a 400 for a body that is not
 *   JSON; also when the answer never reaches the client (`failNext(n, 'answerLost')`).
 * - Refused before processing: 90000011 (token used, unknown or expired), 90000012 (signature
 *   does not match), a request without a pair the stub issued, and every fault but
 *   'answerLost' (they fire in front of Zuora). So a client re-signing after 90000011 sends the
 *   **same** key: if an earlier attempt was processed, the re-sign gets its answer back (409)
 *   instead of saving the card twice; if none was, the re-sign is processed normally.
 *
 * ## The evidence (the README's "Zuora facts this library depends on"; Zuora's guide, "Idempotent requests",
 * https://developer.zuora.com/docs/guides/idempotent-requests)
 * - "the resulting status code, headers, and the body of this request is saved regardless of
 *   whether it succeeded or failed. Subsequent requests with the same key return the same
 *   result"; the operations' reference: the replay comes with 409 ("this is not an error"),
 *   409 also answers a concurrent request with the same key, 422 the key used with another
 *   URL, method or tenant; a key is removed 24 hours after it is set.
 *
 * ## What stays a choice (Zuora does not say)
 * - Whether a refused 90000011 is "a request" whose answer is saved. The stub says no: the
 *   token check is authentication, which runs before the operation (as Stripe documents for
 *   its keys: only a request that started executing is saved). Either way the same key is
 *   never a duplicate: at worst the re-sign gets back a stored 90000011 (an error, not a
 *   second card).
 * - Scope: stored answers are scoped to the signed value (the accountKey or account name the
 *   merchant's backend signed; "" when none), the stub's stand-in for Zuora's tenant: another
 *   account's request with the same key never sees them and is processed as its own.
 * - Within one scope, the same key with another path, method or body (byte for byte) answers
 *   422 (code 50000020); the key while its first request runs answers 409 (code 50000050);
 *   neither spends the token. With `idempotencyModel: 'zuora'` another body is not checked: the
 *   stored answer is replayed whatever the body, as Zuora's guide reads (422 only for another
 *   path or method), so a second card under the first card's key gets the first card's answer.
 * - A replay needs a pair the stub issued for this uri, method and signed value, with a matching
 *   signature: the first request's own (spent) pair or a fresh one. A replay spends nothing and
 *   does not check the pair's lifetime (nothing new is done). Without such a pair the request
 *   is handled as any other (90000011 / 90000012), never replayed.
 */
import {createHash} from 'node:crypto';
import {spendToken, tokenFailure, verifyPair} from './signatures.js';
import type {IdempotencyEntry, StubContext, StubRequest} from './stub-state.js';
import {failure, ok, parseJsonBody, reason, type Reply} from './values.js';
import {STUB_CODES as CODES, MESSAGES} from './zuora-facts.js';

/** Zuora removes a key 24 hours after it is set. */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** A create operation's own work, once the pair is verified and the key reserved. */
export type Create = (context: StubContext, body: Record<string, unknown>, idempotencyKey: string | undefined) => Reply;

/** What the stored entry says about a request with the same key: replay, refuse, or nothing stored. */
export function storedAnswer(entry: IdempotencyEntry | undefined, request: {path: string; method: string; bodyHash: string}, key: string, model: 'stub' | 'zuora' = 'stub'): Reply | undefined {
	if (!entry) {
		return undefined;
	}

	if (entry.path !== request.path || entry.method !== request.method || (model === 'stub' && entry.bodyHash !== request.bodyHash)) {
		return {status: 422, body: failure(reason(CODES.idempotencyMismatch, `Idempotency-Key '${key}' was used with another request.`))};
	}

	if (!entry.reply) {
		return {status: 409, body: failure(reason(CODES.idempotencyInFlight, `A request with Idempotency-Key '${key}' is being processed.`))};
	}

	return {...entry.reply, status: 409};
}

/** The entry stored under `storeKey`, forgetting it once Zuora would have. */
function liveEntry(context: StubContext, storeKey: string | undefined): IdempotencyEntry | undefined {
	if (storeKey === undefined) {
		return undefined;
	}

	const entry = context.state.idempotent.get(storeKey);
	if (entry && context.config.now() - entry.storedAt >= KEY_LIFETIME_MS) {
		context.state.idempotent.delete(storeKey);
		return undefined;
	}

	return entry;
}

/**
 * The shared path of the two create operations: the stored answer (for a verified pair), else
 * the one-time token and signature, then the body; the answer is stored under the key once the
 * token is spent on a matching pair.
 */
export async function createViaCors(context: StubContext, request: StubRequest, create: Create): Promise<Reply> {
	const idempotencyKey = request.header('idempotency-key');
	const body = parseJsonBody(request.text);
	const verified = idempotencyKey === undefined ? undefined : verifyPair(context, request, body);
	const storeKey = verified === undefined ? undefined : `${verified.value}\n${idempotencyKey}`;
	const bodyHash = createHash('sha256').update(request.text).digest('hex');
	const stored = storedAnswer(liveEntry(context, storeKey), {path: request.path, method: request.method, bodyHash}, idempotencyKey ?? '', context.config.idempotencyModel);
	if (stored) {
		return stored;
	}

	const tokenProblem = spendToken(context, request, body);
	if (tokenProblem) {
		return tokenFailure(context, tokenProblem);
	}

	// Processed from here on: whatever follows is the stored first answer.
	const entry: IdempotencyEntry = {path: request.path, method: request.method, bodyHash, reply: undefined, storedAt: context.config.now()};
	if (storeKey !== undefined) {
		context.state.idempotent.set(storeKey, entry);
	}

	const held = await parkWhileHeld(context);
	const reply =
		held === 'gatewayTimeout'
			? ok(failure(reason(CODES.gatewayTimeout, MESSAGES.gatewayTimeout)))
			: body
				? create(context, body, idempotencyKey)
				: {status: 400, body: failure(reason(CODES.cardMalformed, MESSAGES.malformed))};
	entry.reply = {...reply, headers: {'Content-Type': 'application/json; charset=utf-8', ...reply.headers}};
	return reply;
}

/** Parks a create while `holdCreates` holds; how it was released (`gatewayTimeout`: Zuora gave up, nothing created). */
async function parkWhileHeld(context: StubContext): Promise<'process' | 'gatewayTimeout'> {
	const {hold} = context;
	if (!hold.promise) {
		return 'process';
	}

	hold.parked += 1;
	const outcome = await hold.promise;
	hold.parked -= 1;
	return outcome;
}
