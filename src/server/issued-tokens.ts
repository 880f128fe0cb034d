/**
 * Which session each signature token was issued to. The signature handler records it; the
 * reconcile handler answers only for a token issued to the same session, at most 8 times per token
 * (the page's questions over its settle window), so it is not an oracle anyone with a session can ask about an account's cards. Tokens and
 * sessions are kept only as keyed hashes (HMAC-SHA-256, as the limit keys), in this process's
 * memory or in Redis (`store`), where every instance shares them.
 */
import {createKeyHasher} from './limits.js';
import {ownFields} from './own-fields.js';
import {createReadiness, type RedisStore, storeKind} from './redis-store.js';

export type IssuedTokensOptions = {
	/** A Redis client (as the handlers' `store`): every instance then knows every token. Default: this process's memory. */
	store?: RedisStore;
	/** The HMAC key of tokens and sessions; required with `store` (at least 16 characters). */
	limitKeySecret?: string;
	/** @default `zuora-cors:tokens` */
	keyPrefix?: string;
	/**
	 * How long a token is remembered. Zuora documents no lifetime for its CORS tokens; a page
	 * reconciles within seconds of the lost answer, so 20 minutes covers it with room.
	 *
	 * @default 1200
	 */
	lifetimeSeconds?: number;
	/** @default 1000 */
	storeTimeoutMs?: number;
};

/** What `claim` found: `'answer'` is the only one reconcile answers. */
export type TokenClaim = 'answer' | 'not-issued' | 'other-session' | 'used-up';

/** Share one between the signature handler (`tokens`, records) and the reconcile handler (`tokens`, claims). */
export type IssuedTokens = {
	/** Remembers that `token` was issued to `session`. Throws when the store fails. */
	record(token: string, session: string): Promise<void>;
	/** Counts one reconcile of `token` by `session`. Throws when the store fails. */
	claim(token: string, session: string): Promise<TokenClaim>;
};

/**
 * Reconciles answered per token: the page asks at most 6 times over its settle window
 * (`MAX_RECONCILE_ASKS` in the browser library), and twice more if answers are lost.
 */
export const CLAIMS_PER_TOKEN = 8;

/** Every option of `IssuedTokensOptions`, the only ones read (own properties). */
export const ISSUED_TOKENS_OPTION_NAMES = ['store', 'limitKeySecret', 'keyPrefix', 'lifetimeSeconds', 'storeTimeoutMs'] as const satisfies ReadonlyArray<keyof IssuedTokensOptions>;

/** The record of issued tokens both handlers share. Throws a TypeError naming a bad option. */
export function createIssuedTokens(given: IssuedTokensOptions = {}): IssuedTokens {
	const options = ownFields(given, ISSUED_TOKENS_OPTION_NAMES);
	const lifetime = options.lifetimeSeconds ?? 1200;
	const timeoutMs = options.storeTimeoutMs ?? 1000;
	if (!(Number.isInteger(lifetime) && lifetime > 0) || !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
		throw new TypeError('lifetimeSeconds must be a positive whole number of seconds, storeTimeoutMs a number of milliseconds > 0');
	}

	const hash = createKeyHasher(options.limitKeySecret, options.store !== undefined);
	const records = options.store === undefined ? memoryRecords(lifetime) : redisRecords(options.store, `${options.keyPrefix ?? 'zuora-cors:tokens'}:`, lifetime, timeoutMs);
	return {
		async record(token, session) {
			await records.set(await hash(token), await hash(session));
		},
		async claim(token, session) {
			const found = await records.take(await hash(token));
			if (found === undefined) {
				return 'not-issued';
			}

			if (found.session !== (await hash(session))) {
				return 'other-session';
			}

			return found.claims > CLAIMS_PER_TOKEN ? 'used-up' : 'answer';
		},
	};
}

/** Where hashed tokens live: `take` counts a claim and says who the token was issued to. */
type Records = {
	set(token: string, session: string): Promise<void>;
	take(token: string): Promise<{session: string; claims: number} | undefined>;
};

function memoryRecords(lifetimeSeconds: number): Records {
	const records = new Map<string, {session: string; claims: number; expires: number}>();
	return {
		async set(token, session) {
			const now = Date.now();
			// Map keeps insertion order, so the expired ones are at the front.
			for (const [key, record] of records) {
				if (record.expires > now) {
					break;
				}

				records.delete(key);
			}

			records.set(token, {session, claims: 0, expires: now + lifetimeSeconds * 1000});
		},
		async take(token) {
			const record = records.get(token);
			if (record === undefined || record.expires <= Date.now()) {
				return undefined;
			}

			record.claims++;
			return {session: record.session, claims: record.claims};
		},
	};
}

/** The commands used, alike in ioredis and node-redis but for SET's expiry argument. */
type Commands = {
	set(...args: unknown[]): Promise<unknown>;
	get(key: string): Promise<string | null>;
	incr(key: string): Promise<number>;
	expire(key: string, seconds: number): Promise<unknown>;
};

function redisRecords(store: RedisStore, prefix: string, lifetimeSeconds: number, timeoutMs: number): Records {
	const kind = storeKind(store);
	const ready = createReadiness(store, kind);
	const redis = store as unknown as Commands;
	const bounded = async <Value>(work: () => Promise<Value>): Promise<Value> => {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => {
				reject(new Error(`the token store did not answer within ${timeoutMs} ms`));
			}, timeoutMs);
		});
		try {
			return await Promise.race([ready().then(work), timeout]);
		} finally {
			clearTimeout(timer);
		}
	};

	return {
		set: async (token, session) =>
			bounded(async () => {
				await (kind === 'ioredis' ? redis.set(prefix + token, session, 'EX', lifetimeSeconds) : redis.set(prefix + token, session, {EX: lifetimeSeconds}));
			}),
		take: async token =>
			bounded(async () => {
				const session = await redis.get(prefix + token);
				if (session === null) {
					return undefined;
				}

				const claims = await redis.incr(`${prefix + token}:claims`);
				if (claims === 1) {
					await redis.expire(`${prefix + token}:claims`, lifetimeSeconds);
				}

				return {session, claims};
			}),
	};
}
