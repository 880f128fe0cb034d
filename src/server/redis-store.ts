/**
 * The Redis clients the limits can keep their counts in, told apart by shape (the server entry
 * depends on neither package), and the wait for one that is still connecting.
 */

/** An ioredis client (`new Redis(...)` or `new Redis.Cluster(...)`), ioredis 5: what the limits use of it. */
export type IoRedisStore = {
	readonly status: string;
	defineCommand(name: string, definition: {numberOfKeys?: number; lua: string}): void;
	connect(): Promise<void>;
	once(event: 'ready', listener: () => void): unknown;
};

/**
 * A node-redis v4+ client (`createClient(...)`), on which the merchant calls `connect()`. Told
 * apart by its `isReady`/`isOpen` flags; counted with rate-limiter-flexible's node-redis support.
 */
export type NodeRedisStore = {
	readonly isReady: boolean;
	readonly isOpen: boolean;
	once(event: 'ready', listener: () => void): unknown;
};

/** A Redis client the limits can use: ioredis 5, or node-redis v4+. */
export type RedisStore = IoRedisStore | NodeRedisStore;

export type StoreKind = 'ioredis' | 'node-redis';

/** Which client `store` is, by its own shape; throws a TypeError that names what is expected. */
export function storeKind(store: unknown): StoreKind {
	const value = store as Partial<Record<string, unknown>> | null;
	if (typeof value === 'object' && value !== null && typeof value['once'] === 'function') {
		if (typeof value['status'] === 'string' && typeof value['defineCommand'] === 'function' && typeof value['connect'] === 'function') {
			return 'ioredis';
		}

		if (typeof value['isReady'] === 'boolean' && typeof value['isOpen'] === 'boolean') {
			return 'node-redis';
		}
	}

	const got = typeof value === 'object' && value !== null ? ((value.constructor as {name?: unknown} | undefined)?.name ?? 'object') : typeof value;
	throw new TypeError(`store must be a Redis client: ioredis (new Redis(...)) or node-redis v4+ (createClient(...)); got ${String(got)}. Leave store out to count in this process's memory.`);
}

/** Whether the client can take a command now; a reason when it never will without the merchant. */
export function storeState(store: RedisStore, kind: StoreKind): 'ready' | 'connecting' | {closed: string} {
	if (kind === 'ioredis') {
		const {status} = store as IoRedisStore;
		if (status === 'ready') {
			return 'ready';
		}

		return status === 'end' ? {closed: 'the Redis client was closed (ioredis status "end"): create a new one'} : 'connecting';
	}

	const {isReady, isOpen} = store as NodeRedisStore;
	if (isReady) {
		return 'ready';
	}

	return isOpen ? 'connecting' : {closed: 'the Redis client is not open: call client.connect() at startup'};
}

/**
 * Resolves when `store` is ready. One pending wait per client, shared by every request that
 * arrives meanwhile (one `ready` listener, not one per request). A lazily connecting ioredis
 * client (`lazyConnect`, status "wait") is asked to connect.
 */
export function createReadiness(store: RedisStore, kind: StoreKind): () => Promise<void> {
	let pending: Promise<void> | undefined;
	return async () => {
		const state = storeState(store, kind);
		if (state === 'ready') {
			return;
		}

		if (typeof state === 'object') {
			throw new Error(state.closed);
		}

		pending ??= new Promise<void>(resolve => {
			store.once('ready', () => {
				pending = undefined;
				resolve();
			});
			if (kind === 'ioredis' && (store as IoRedisStore).status === 'wait') {
				// Errors reach the client's own 'error' listeners; the caller's timeout bounds the wait.
				(store as IoRedisStore).connect().catch(() => undefined);
			}
		});
		return pending;
	};
}
