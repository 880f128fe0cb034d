/**
 * The demo shop's checkout sessions: who may ask for signatures. A session starts when a page is
 * served and is the cookie the signature endpoints check. Two defences keep a flood of page
 * loads from locking shoppers out:
 *
 * - **New sessions are limited per address prefix, at several prefix lengths**: IPv4 per
 *   address (/32) and per /24; IPv6 per /64, /56 and /48. One subscriber's allocation (a /56 or
 *   /48 of IPv6, a few neighbouring IPv4 addresses) cannot multiply its allowance by rotating
 *   addresses inside it.
 * - **A full table makes room from the busiest group, never by refusing**: idle-expired sessions
 *   go first; then the least recently used session of the group (IPv4 /24, IPv6 /48) holding the
 *   most sessions is dropped. A flood from a few groups only ever displaces its own sessions,
 *   so shoppers who already have a session keep it and new shoppers still get one. Only an
 *   attacker holding about as many groups as the table has slots can displace a shopper's
 *   session; that shopper then reloads the page for a new one.
 *
 * Each session has **its own Zuora account key** (`accountKey`): what one visitor's page may
 * sign and reconcile is that session's account only, so nobody lists another visitor's cards.
 * By default the keys are A10000001, A10000002, ... (the stub accepts any key as an account;
 * its own Create Account numbers from A00000001, so the two ranges meet only after ten million
 * accounts). A real tenant's demo configures one account instead (merchant-server.mjs).
 *
 * Decisions only: the clock is injected (`now`), nothing here does I/O.
 */
import {randomUUID} from 'node:crypto';
import {addressKey} from 'zuora-cors/server';

/** New sessions allowed per prefix and window. The coarser the prefix, the more shoppers share it. */
export const SESSION_CREATION_LIMITS = {
	windowMs: 60_000,
	perPrefix: {'ipv4/32': 30, 'ipv4/24': 120, 'ipv6/64': 30, 'ipv6/56': 60, 'ipv6/48': 120, other: 30},
};

/**
 * @typedef {keyof typeof SESSION_CREATION_LIMITS.perPrefix} PrefixLevel
 * @typedef {{windowMs: number, perPrefix: Record<PrefixLevel, number>}} CreationLimits
 * @typedef {object} SessionOptions
 * @property {number} [maxSessions] Sessions held at most. Default: 10,000.
 * @property {number} [idleMs] A session unused this long expires. Default: 30 minutes.
 * @property {CreationLimits} [creationLimits] Default: SESSION_CREATION_LIMITS.
 * @property {() => number} [now] Default: Date.now.
 * @property {() => string} [newAccountKey] The account key a new session gets. Default: A10000001, A10000002, ...
 * @typedef {{id: string} | {retryAfterMs: number, prefix: string}} Opened
 */

/**
 * The prefixes an address belongs to, finest first, each as `level` and `key`. The last one is
 * the group a full table balances. An address that is not an IP (a Unix socket) is one group.
 * @param {string} address
 * @returns {Array<{level: PrefixLevel, key: string}>}
 */
export function addressPrefixes(address) {
	// addressKey: an IPv4 address (IPv4-mapped IPv6 included) as is, an IPv6 one as its /64.
	const key = addressKey(address);
	if (key === undefined) {
		return [{level: 'other', key: 'other'}];
	}

	if (!key.endsWith('/64')) {
		return [
			{level: 'ipv4/32', key},
			{level: 'ipv4/24', key: `${key.split('.').slice(0, 3).join('.')}.0/24`},
		];
	}

	const groups = key
		.replace('::/64', '')
		.split(':')
		.map(group => Number.parseInt(group, 16));
	const [a, b, c, d = 0] = groups;
	const hex = (/** @type {number[]} */ parts) => parts.map(part => part.toString(16)).join(':');
	return [
		{level: 'ipv6/64', key},
		{level: 'ipv6/56', key: `${hex([a ?? 0, b ?? 0, c ?? 0, d & 0xff_00])}::/56`},
		{level: 'ipv6/48', key: `${hex([a ?? 0, b ?? 0, c ?? 0])}::/48`},
	];
}

/**
 * Counts per key in fixed windows. Keys are kept in the order their window started, so the
 * ended ones are dropped from the front: memory follows the keys seen in one window.
 * @param {number} windowMs
 * @param {() => number} now
 */
function createWindowCounter(windowMs, now) {
	/** @type {Map<string, {start: number, count: number}>} */
	const windows = new Map();
	return {
		/**
		 * The milliseconds until `key` may count again when it is at `limit`, else 0.
		 * @param {string} key @param {number} limit
		 */
		waitFor(key, limit) {
			for (const [first, window] of windows) {
				if (now() - window.start < windowMs) {
					break;
				}

				windows.delete(first);
			}

			const window = windows.get(key);
			return window !== undefined && window.count >= limit ? window.start + windowMs - now() : 0;
		},
		/** @param {string} key */
		count(key) {
			const window = windows.get(key);
			if (window === undefined) {
				windows.set(key, {start: now(), count: 1});
			} else {
				window.count++;
			}
		},
	};
}

/**
 * Groups by how many sessions each holds, so the busiest one is found without a scan.
 */
function createGroupCounts() {
	/** @type {Map<string, number>} */
	const counts = new Map();
	/** @type {Map<number, Set<string>>} count → groups holding that many */
	const byCount = new Map();
	let top = 0;
	const move = (/** @type {string} */ group, /** @type {number} */ from, /** @type {number} */ to) => {
		byCount.get(from)?.delete(group);
		if (to === 0) {
			counts.delete(group);
		} else {
			counts.set(group, to);
			byCount.set(to, (byCount.get(to) ?? new Set()).add(group));
		}

		top = Math.max(top, to);
		while (top > 0 && !byCount.get(top)?.size) {
			top--;
		}
	};

	return {
		/** @param {string} group */
		add: group => move(group, counts.get(group) ?? 0, (counts.get(group) ?? 0) + 1),
		/** @param {string} group */
		remove: group => move(group, counts.get(group) ?? 0, (counts.get(group) ?? 1) - 1),
		/** The group holding the most sessions (the first to reach that count), if any. */
		busiest: () => byCount.get(top)?.values().next().value,
	};
}

/**
 * The session table and its creation limits.
 * @param {SessionOptions} [options]
 */
export function createSessions({maxSessions = 10_000, idleMs = 30 * 60_000, creationLimits = SESSION_CREATION_LIMITS, now = Date.now, newAccountKey = accountKeySequence()} = {}) {
	/** @type {Map<string, {group: string, lastUse: number, accountKey: string}>} every session, least recently used first */
	const sessions = new Map();
	/** @type {Map<string, Set<string>>} group → its session ids, least recently used first */
	const members = new Map();
	const counts = createGroupCounts();
	const created = createWindowCounter(creationLimits.windowMs, now);

	const drop = (/** @type {string} */ id) => {
		const session = sessions.get(id);
		if (session !== undefined) {
			sessions.delete(id);
			members.get(session.group)?.delete(id);
			if (members.get(session.group)?.size === 0) {
				members.delete(session.group);
			}

			counts.remove(session.group);
		}
	};

	const makeRoom = () => {
		for (const [id, session] of sessions) {
			if (now() - session.lastUse < idleMs) {
				break;
			}

			drop(id);
		}

		const busiest = counts.busiest();
		if (sessions.size >= maxSessions && busiest !== undefined) {
			drop(/** @type {string} */ (members.get(busiest)?.values().next().value));
		}
	};

	return {
		size: () => sessions.size,
		/**
		 * The account key of a live session (its own, given when it opened); undefined for anything else.
		 * Does not mark the session used: `touch` decides whether it is live.
		 * @param {string | undefined} id
		 */
		accountOf: id => (id === undefined ? undefined : sessions.get(id)?.accountKey),
		/**
		 * Whether `id` is a live session; if so, marks it used now.
		 * @param {string | undefined} id
		 */
		touch(id) {
			const session = id === undefined ? undefined : sessions.get(id);
			if (id === undefined || session === undefined) {
				return false;
			}

			if (now() - session.lastUse >= idleMs) {
				drop(id);
				return false;
			}

			session.lastUse = now();
			sessions.delete(id);
			sessions.set(id, session);
			members.get(session.group)?.delete(id);
			members.get(session.group)?.add(id);
			return true;
		},
		/**
		 * A new session for a client at `address`, or how long that client's busiest prefix must wait.
		 * @param {string} address
		 * @returns {Opened}
		 */
		open(address) {
			const prefixes = addressPrefixes(address);
			for (const {level, key} of prefixes) {
				const retryAfterMs = created.waitFor(key, creationLimits.perPrefix[level]);
				if (retryAfterMs > 0) {
					return {retryAfterMs, prefix: key};
				}
			}

			for (const {key} of prefixes) {
				created.count(key);
			}

			makeRoom();
			// 122 random bits; randomUUID draws from a buffered pool (randomBytes costs a system call each).
			const id = randomUUID().replaceAll('-', '');
			const group = /** @type {{key: string}} */ (prefixes.at(-1)).key;
			sessions.set(id, {group, lastUse: now(), accountKey: newAccountKey()});
			members.set(group, (members.get(group) ?? new Set()).add(id));
			counts.add(group);
			return {id};
		},
	};
}

/**
 * A00000001-style account keys from A10000001 up, one per call, never repeated (this process).
 * @returns {() => string}
 */
export function accountKeySequence() {
	let next = 10_000_001;
	return () => `A${next++}`;
}
