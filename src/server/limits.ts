/**
 * Issuance limits kept by rate-limiter-flexible: in this process's memory by default, or in
 * Redis (`store`), where every instance behind a load balancer shares one count.
 */
import {RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract} from 'rate-limiter-flexible';

/** At most `points` tokens per `duration` seconds. */
export type LimitRule = {points: number; duration: number};

/** The three limits; `false` turns one off. */
export type Limits = {
	/** Per session (the `session` authorize returns). @default {points: 10, duration: 60} */
	session?: LimitRule | false;
	/** Per client address (IPv6 per /64). @default {points: 30, duration: 60} */
	address?: LimitRule | false;
	/** Per account (accountKey, account name, or the `account` authorize returns). @default {points: 20, duration: 3600} */
	account?: LimitRule | false;
};

export type LimitKind = keyof Limits;

/**
 * A Redis client: ioredis (`new Redis(...)`) or node-redis v4+ (`createClient(...)`, connected).
 * Kept loose on purpose so the server entry does not depend on either package's types.
 */
export type RedisStore = object;

export const DEFAULT_LIMITS: Required<{[Kind in LimitKind]: LimitRule}> = {
	session: {points: 10, duration: 60},
	address: {points: 30, duration: 60},
	account: {points: 20, duration: 3600},
};

/** The limit store failed or did not answer in time: the handler then issues nothing. */
export class LimitStoreError extends Error {
	override name = 'LimitStoreError';
}

export type Limiter = {
	/** Counts one token for `key`; the milliseconds to wait when over the limit, else undefined. Throws LimitStoreError. */
	take(kind: LimitKind, key: string): Promise<number | undefined>;
};

export function createLimiter(limits: Limits | undefined, store: RedisStore | undefined, prefix: string, storeTimeoutMs: number): Limiter {
	const limiters = new Map<LimitKind, RateLimiterAbstract>();
	for (const kind of ['session', 'address', 'account'] as const) {
		const given = limits?.[kind];
		if (given === false) {
			continue;
		}

		const rule = given ?? DEFAULT_LIMITS[kind];
		if (!(Number.isInteger(rule.points) && rule.points > 0 && Number.isFinite(rule.duration) && rule.duration > 0)) {
			throw new TypeError(`limits.${kind} must be {points: a positive integer, duration: seconds > 0} or false`);
		}

		const common = {keyPrefix: `${prefix}:${kind}`, points: rule.points, duration: rule.duration};
		// rejectIfRedisNotReady: a client that is reconnecting fails at once instead of queueing.
		limiters.set(kind, store === undefined ? new RateLimiterMemory(common) : new RateLimiterRedis({...common, storeClient: store, rejectIfRedisNotReady: true}));
	}

	return {
		async take(kind, key) {
			const limiter = limiters.get(kind);
			if (limiter === undefined) {
				return undefined;
			}

			let timer: ReturnType<typeof setTimeout> | undefined;
			try {
				// The memory store answers at once: a timer (and a race) only for a store that can hang.
				await (store === undefined ? limiter.consume(key) : Promise.race([limiter.consume(key), new Promise<never>((_resolve, reject) => {
					timer = setTimeout(() => {
						reject(new LimitStoreError(`the limit store did not answer within ${storeTimeoutMs} ms`));
					}, storeTimeoutMs);
				})]));
				return undefined;
			} catch (error) {
				if (error instanceof RateLimiterRes) {
					return Math.max(1, error.msBeforeNext);
				}

				if (error instanceof LimitStoreError) {
					throw error;
				}

				throw new LimitStoreError(`the limit store failed: ${error instanceof Error ? error.message : String(error)}`);
			} finally {
				clearTimeout(timer);
			}
		},
	};
}
