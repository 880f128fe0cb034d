/**
 * Issuance limits kept by rate-limiter-flexible: in this process's memory by default, or in
 * Redis (`store`), where every instance behind a load balancer shares one count. Keys leave the
 * process only as a keyed hash (HMAC-SHA-256): a session id, an address or an account never
 * reaches Redis as is.
 */
import {RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract} from 'rate-limiter-flexible';
import {ownField} from './own-fields.js';
import {createReadiness, type RedisStore, storeKind} from './redis-store.js';

/** At most `points` requests per `duration` seconds. */
export type LimitRule = {points: number; duration: number};

/** The four limits; `false` turns one off. */
export type Limits = {
	/** Per session (the `session` authorize returns). @default {points: 10, duration: 60} */
	session?: LimitRule | false;
	/** Per client address (IPv6 per /64). @default {points: 30, duration: 60} */
	address?: LimitRule | false;
	/**
	 * Per client network (IPv4 /24, IPv6 /48): one holder of many /64s (a tunnel broker's free
	 * /48 is 65,536 of them) counts once. Four times the address limit (a /24 is often an office
	 * or a carrier's NAT, many shoppers at once): four times a given `address` rule's points.
	 *
	 * @default {points: 120, duration: 60}
	 */
	network?: LimitRule | false;
	/** Per account (accountKey, account name, or the `account` authorize returns). @default {points: 20, duration: 3600} */
	account?: LimitRule | false;
};

export type LimitKind = keyof Limits;

export const DEFAULT_LIMITS: Required<{[Kind in LimitKind]: LimitRule}> = {
	session: {points: 10, duration: 60},
	address: {points: 30, duration: 60},
	network: {points: 120, duration: 60},
	account: {points: 20, duration: 3600},
};

/** The limit store failed, is closed, or did not answer in time: the handler then answers nothing. */
export class LimitStoreError extends Error {
	override name = 'LimitStoreError';
}

export type Limiter = {
	/** Counts one request for `key`; the milliseconds to wait when over the limit, else undefined. Throws LimitStoreError. */
	take(kind: LimitKind, key: string): Promise<number | undefined>;
	/** Gives back the point `take` counted (the request was refused). Throws LimitStoreError. */
	give(kind: LimitKind, key: string): Promise<void>;
};

export type LimiterOptions = {
	limits: Limits | undefined;
	store: RedisStore | undefined;
	prefix: string;
	storeTimeoutMs: number;
	/** The HMAC key of limit keys; required with a store (every instance must hash alike). */
	keySecret: string | undefined;
};

/** Checks the options (throws a TypeError naming the bad one) and builds the limiter. */
export function createLimiter(options: LimiterOptions): Limiter {
	const {store, storeTimeoutMs} = options;
	const kind = store === undefined ? undefined : storeKind(store);
	if (!(Number.isFinite(storeTimeoutMs) && storeTimeoutMs > 0)) {
		throw new TypeError('storeTimeoutMs must be a number of milliseconds > 0');
	}

	const hashKey = createKeyHasher(options.keySecret, store !== undefined);
	const ready = store === undefined || kind === undefined ? undefined : createReadiness(store, kind);
	const limiters = new Map<LimitKind, RateLimiterAbstract>();
	for (const limitKind of ['session', 'address', 'network', 'account'] as const) {
		const rule = limitRule(options.limits, limitKind);
		if (rule === undefined) {
			continue;
		}

		const common = {keyPrefix: `${options.prefix}:${limitKind}`, points: rule.points, duration: rule.duration};
		// rejectIfRedisNotReady: the wait for a connecting client is ours (bounded, one listener);
		// a command is never queued inside the client to run after the request has been answered.
		limiters.set(
			limitKind,
			store === undefined ? new RateLimiterMemory(common) : new RateLimiterRedis({...common, storeClient: store, rejectIfRedisNotReady: true, useRedisPackage: kind === 'node-redis'}),
		);
	}

	async function consume(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
		try {
			await ready?.();
			await limiter.consume(await hashKey(key));
			return undefined;
		} catch (error) {
			if (error instanceof RateLimiterRes) {
				return Math.max(1, error.msBeforeNext);
			}

			throw storeError(error);
		}
	}

	async function reward(limiter: RateLimiterAbstract, key: string): Promise<void> {
		try {
			await ready?.();
			await limiter.reward(await hashKey(key));
		} catch (error) {
			throw storeError(error);
		}
	}

	/** A memory store answers at once; a Redis can hang (connecting, failing over): every call to it is bounded. */
	async function bounded<T>(call: Promise<T>): Promise<T> {
		if (store === undefined) {
			return call;
		}

		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => {
				reject(new LimitStoreError(`the limit store did not answer within ${storeTimeoutMs} ms`));
			}, storeTimeoutMs);
		});
		try {
			return await Promise.race([call, timeout]);
		} finally {
			clearTimeout(timer);
		}
	}

	return {
		async take(limitKind, key) {
			const limiter = limiters.get(limitKind);
			return limiter === undefined ? undefined : bounded(consume(limiter, key));
		},
		async give(limitKind, key) {
			const limiter = limiters.get(limitKind);
			return limiter === undefined ? undefined : bounded(reward(limiter, key));
		},
	};
}

function storeError(error: unknown): LimitStoreError {
	return error instanceof LimitStoreError ? error : new LimitStoreError(`the limit store failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** A limit's rule, read by own properties only (a polluted Object.prototype sets no limit). */
function limitRule(limits: Limits | undefined, kind: LimitKind): LimitRule | undefined {
	const given = ownField(limits, kind);
	if (given === false) {
		return undefined;
	}

	const rule = given === undefined ? defaultRule(limits, kind) : {points: ownField(given, 'points'), duration: ownField(given, 'duration')};
	if (!(Number.isInteger(rule.points) && rule.points! > 0 && Number.isFinite(rule.duration) && rule.duration! > 0)) {
		throw new TypeError(`limits.${kind} must be {points: a positive integer, duration: seconds > 0} or false`);
	}

	return rule as LimitRule;
}

/** The default rule; the network's follows a given address rule (four times its points), so raising one raises both. */
function defaultRule(limits: Limits | undefined, kind: LimitKind): Partial<LimitRule> {
	const address = ownField(limits, 'address');
	if (kind !== 'network' || typeof address !== 'object' || address === null) {
		return DEFAULT_LIMITS[kind];
	}

	const points = ownField(address, 'points');
	return {points: typeof points === 'number' ? points * 4 : points, duration: ownField(address, 'duration')};
}

/**
 * Limit keys as HMAC-SHA-256 (Web Crypto, so the handler runs wherever `Request` does), 128 bits
 * in base64url. The key: the merchant's `limitKeySecret`, required with a shared store (every
 * instance must hash one shopper alike); else a random key made per process, which is all the
 * memory store needs (its counts live and die with the process).
 */
export function createKeyHasher(secret: string | undefined, shared: boolean): (key: string) => Promise<string> {
	if (secret === undefined && shared) {
		throw new TypeError('limitKeySecret is required with store: every instance sharing the Redis must hash limit keys with the same secret (at least 16 characters, e.g. 32 random bytes in base64)');
	}

	if (secret !== undefined && (typeof secret !== 'string' || secret.length < 16)) {
		throw new TypeError('limitKeySecret must be a string of at least 16 characters');
	}

	const material = secret === undefined ? crypto.getRandomValues(new Uint8Array(32)) : new TextEncoder().encode(secret);
	let key: ReturnType<typeof crypto.subtle.importKey> | undefined;
	return async text => {
		key ??= crypto.subtle.importKey('raw', material, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
		const digest = new Uint8Array(await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(text)));
		return btoa(String.fromCodePoint(...digest.subarray(0, 16)))
			.replace(/\+/g, '-')
			.replace(/\//g, '_')
			.replace(/=+$/, '');
	};
}
