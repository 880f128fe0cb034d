// The demo's session table in-process, with an injected clock (issue 15 item 11): per-prefix
// creation limits at several prefix lengths, and a full table that keeps serving the shoppers
// who have a session and still admits new ones, under generated address floods.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {addressPrefixes, createSessions, SESSION_CREATION_LIMITS} from './sessions.mjs';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
	let time = start;
	return {
		now: () => time,
		advance: (/** @type {number} */ ms) => {
			time += ms;
		},
	};
}

/** Opens a session and returns its id, failing the test when the open was refused. */
function openOrFail(/** @type {ReturnType<typeof createSessions>} */ sessions, /** @type {string} */ address) {
	const opened = sessions.open(address);
	if (!('id' in opened)) {
		throw new Error(`${address} was refused: ${JSON.stringify(opened)}`);
	}

	return opened.id;
}

/** Page loads from every address until each is refused; counts what each outcome got. */
function flood(/** @type {ReturnType<typeof createSessions>} */ sessions, /** @type {string[]} */ addresses, perAddress = 40) {
	let opened = 0;
	let refused = 0;
	for (let round = 0; round < perAddress; round++) {
		for (const address of addresses) {
			if ('id' in sessions.open(address)) {
				opened++;
			} else {
				refused++;
			}
		}
	}

	return {opened, refused};
}

const ipv4 = (/** @type {number} */ a, /** @type {number} */ b, /** @type {number} */ c, /** @type {number} */ d) => `${a}.${b}.${c}.${d}`;
/** The `index`-th /64 inside the /56 2001:db8:0:ab00::/56 (index < 256), one host in it. */
const inSlash56 = (/** @type {number} */ index, host = 1) => `2001:db8:0:ab${index.toString(16).padStart(2, '0')}::${host.toString(16)}`;

describe('address prefixes', () => {
	test('IPv4 by /32 and /24, IPv6 by /64, /56 and /48, an IPv4-mapped address as IPv4, anything else as one group', () => {
		expect(addressPrefixes('203.0.113.7')).toEqual([
			{level: 'ipv4/32', key: '203.0.113.7'},
			{level: 'ipv4/24', key: '203.0.113.0/24'},
		]);
		expect(addressPrefixes('::ffff:203.0.113.7')).toEqual(addressPrefixes('203.0.113.7'));
		expect(addressPrefixes('2001:db8:1:abcd:1:2:3:4')).toEqual([
			{level: 'ipv6/64', key: '2001:db8:1:abcd::/64'},
			{level: 'ipv6/56', key: '2001:db8:1:ab00::/56'},
			{level: 'ipv6/48', key: '2001:db8:1::/48'},
		]);
		expect(addressPrefixes('')).toEqual([{level: 'other', key: 'other'}]);
		expect(addressPrefixes('/run/shop.sock')).toEqual([{level: 'other', key: 'other'}]);
	});
});

describe('creation limits per prefix', () => {
	test('one IPv4 address gets 30 a minute, its /24 120; another /24 is not affected; the window ends on the clock', () => {
		const time = clock();
		const sessions = createSessions({now: time.now});
		expect(flood(sessions, ['198.51.100.1'])).toEqual({opened: 30, refused: 10});
		expect(sessions.open('198.51.100.1')).toEqual({retryAfterMs: 60_000, prefix: '198.51.100.1'});
		// Rotating addresses inside the /24 stops at the /24's allowance.
		const neighbours = Array.from({length: 10}, (_, index) => ipv4(198, 51, 100, 10 + index));
		expect(flood(sessions, neighbours).opened).toBe(120 - 30);
		time.advance(20_000);
		expect(sessions.open('198.51.100.99')).toEqual({retryAfterMs: 40_000, prefix: '198.51.100.0/24'});
		expect('id' in sessions.open('198.51.101.1')).toBe(true);
		time.advance(40_000);
		expect('id' in sessions.open('198.51.100.1')).toBe(true);
	});

	test('IPv6: a /64 gets 30 a minute, a /56 60 and a /48 120, however many addresses rotate inside', () => {
		const sessions = createSessions({now: clock().now});
		// 1000 addresses in one /64.
		expect(
			flood(
				sessions,
				Array.from({length: 1000}, (_, index) => `2001:db8:0:ab00::${(index + 1).toString(16)}`),
				1,
			).opened,
		).toBe(30);
		// All 256 /64s of that /56.
		expect(
			flood(
				sessions,
				Array.from({length: 256}, (_, index) => inSlash56(index)),
				1,
			).opened,
		).toBe(60 - 30);
		// All 256 /56s of its /48.
		expect(
			flood(
				sessions,
				Array.from({length: 256}, (_, index) => `2001:db8:0:${(index << 8).toString(16)}::1`),
				1,
			).opened,
		).toBe(120 - 60);
		expect('id' in sessions.open('2001:db8:1::1')).toBe(true);
	});

	test('the limits are data: every level has one, and a coarser prefix allows at least as much as a finer one', () => {
		const limits = SESSION_CREATION_LIMITS.perPrefix;
		expect(limits['ipv4/24']).toBeGreaterThanOrEqual(limits['ipv4/32']);
		expect(limits['ipv6/56']).toBeGreaterThanOrEqual(limits['ipv6/64']);
		expect(limits['ipv6/48']).toBeGreaterThanOrEqual(limits['ipv6/56']);
	});
});

describe('the session table', () => {
	test('a session expires after idleMs unused; each use starts the wait again', () => {
		const time = clock();
		const sessions = createSessions({idleMs: 60_000, now: time.now});
		const id = openOrFail(sessions, '192.0.2.1');
		time.advance(59_999);
		expect(sessions.touch(id)).toBe(true);
		time.advance(59_999);
		expect(sessions.touch(id)).toBe(true);
		time.advance(60_000);
		expect(sessions.touch(id)).toBe(false);
		expect(sessions.size()).toBe(0);
		expect(sessions.touch(undefined)).toBe(false);
		expect(sessions.touch('not-a-session')).toBe(false);
	});

	test('when full, idle-expired sessions go first, then the least recently used one of the busiest group', () => {
		const time = clock();
		const sessions = createSessions({maxSessions: 4, idleMs: 60_000, now: time.now});
		const stale = openOrFail(sessions, '192.0.2.1');
		time.advance(30_000);
		const [busyOld, busyNew] = [openOrFail(sessions, '198.51.100.1'), openOrFail(sessions, '198.51.100.2')];
		const quiet = openOrFail(sessions, '203.0.113.1');
		time.advance(30_000);
		// Full; the stale one has idled out: it makes the room.
		const first = openOrFail(sessions, '203.0.113.50');
		expect([sessions.touch(stale), sessions.size()]).toEqual([false, 4]);
		// Full again, nothing idle: 198.51.100.0/24 and 203.0.113.0/24 hold two each; the first to get there gives way, oldest first.
		expect(sessions.touch(busyOld)).toBe(true);
		openOrFail(sessions, '192.0.2.7');
		expect([sessions.touch(busyNew), sessions.touch(busyOld), sessions.touch(quiet), sessions.touch(first)]).toEqual([false, true, true, true]);
	});

	test('issue 15 item 11, IPv4: 334 addresses flooding minute after minute lock no shopper out', () => {
		const time = clock();
		const sessions = createSessions({now: time.now});
		const shoppers = Array.from({length: 200}, (_, index) => openOrFail(sessions, ipv4(100, 64, index, 1)));
		// The review's flood: 334 addresses, each at its own allowance, every minute; distinct /24s (the worst case for the /24 limit).
		const attackers = Array.from({length: 334}, (_, index) => ipv4(10, index >> 8, index & 0xff, 1));
		for (let minute = 0; minute < 5; minute++) {
			flood(sessions, attackers, 31);
			// Shoppers keep using their sessions; a new shopper arrives every minute and gets one.
			expect(shoppers.filter(id => !sessions.touch(id))).toEqual([]);
			shoppers.push(openOrFail(sessions, ipv4(100, 65, minute, 1)));
			time.advance(60_000);
		}

		expect(sessions.size()).toBe(10_000);
	}, 60_000);

	test('issue 15 item 11, IPv6: one /56 cannot fill the table, and a whole /48 stays within its allowance', () => {
		const time = clock();
		const sessions = createSessions({now: time.now});
		const shopper = openOrFail(sessions, '2001:db8:ffff::1');
		let opened = 0;
		for (let minute = 0; minute < 30; minute++) {
			opened += flood(
				sessions,
				Array.from({length: 256}, (_, index) => inSlash56(index, minute + 1)),
				2,
			).opened;
			expect(sessions.touch(shopper)).toBe(true);
			expect('id' in sessions.open(`2001:db8:eeee:${minute}::1`)).toBe(true);
			time.advance(60_000);
		}

		expect(opened).toBe(30 * 60);
	}, 60_000);

	test("generated floods: whatever the attacker's prefixes, shoppers in quieter groups keep their sessions and new shoppers get one", () => {
		const attacker = fc.record({
			family: fc.constantFrom('ipv4', 'ipv6'),
			// How spread out the attacker is: groups (IPv4 /24s, IPv6 /48s) and addresses per group.
			groups: fc.integer({min: 1, max: 12}),
			perGroup: fc.integer({min: 1, max: 40}),
			rounds: fc.integer({min: 1, max: 20}),
			seed: fc.integer({min: 0, max: 255}),
		});
		fc.assert(
			fc.property(attacker, fc.integer({min: 20, max: 200}), ({family, groups, perGroup, rounds, seed}, maxSessions) => {
				const time = clock();
				const sessions = createSessions({maxSessions, now: time.now});
				const shopperCount = Math.min(10, Math.floor(maxSessions / 4));
				const shoppers = Array.from({length: shopperCount}, (_, index) => openOrFail(sessions, ipv4(100, 64, index, 1)));
				const addresses = Array.from({length: groups * perGroup}, (_, index) => {
					const [group, host] = [Math.floor(index / perGroup), index % perGroup];
					return family === 'ipv4' ? ipv4(10, seed, group, host + 1) : `2001:db8:${((seed << 8) + group).toString(16)}:${host.toString(16)}::${(seed + 1).toString(16)}`;
				});
				for (let round = 0; round < rounds; round++) {
					flood(sessions, addresses, 1);
					time.advance(5000);
					// A shopper's group holds one session: it gives way only once every group holds one, which needs as many groups as slots.
					expect(shoppers.filter(id => !sessions.touch(id))).toEqual([]);
				}

				expect(sessions.size()).toBeLessThanOrEqual(maxSessions);
				expect('id' in sessions.open('192.0.2.200')).toBe(true);
			}),
			{seed: 1511, numRuns: 100},
		);
	}, 60_000);
});

describe('each session its own account', () => {
	test('generated opens from any addresses: every live session has an account no other session has; unknown and evicted ids have none', () => {
		fc.assert(
			fc.property(fc.array(fc.ipV4(), {minLength: 1, maxLength: 60}), fc.integer({min: 1, max: 20}), (addresses, maxSessions) => {
				const sessions = createSessions({
					maxSessions,
					creationLimits: {windowMs: 60_000, perPrefix: {'ipv4/32': 1000, 'ipv4/24': 1000, 'ipv6/64': 1000, 'ipv6/56': 1000, 'ipv6/48': 1000, other: 1000}},
					now: clock().now,
				});
				const ids = addresses.map(address => openOrFail(sessions, address));
				const live = ids.filter(id => sessions.touch(id));
				const accounts = live.map(id => sessions.accountOf(id));
				expect(accounts.every(key => typeof key === 'string' && /^A\d{8}$/.test(key))).toBe(true);
				expect(new Set(accounts).size).toBe(live.length);
				for (const id of ids.filter(id => !live.includes(id))) {
					expect(sessions.accountOf(id)).toBeUndefined();
				}

				expect(sessions.accountOf('0'.repeat(32))).toBeUndefined();
				expect(sessions.accountOf(undefined)).toBeUndefined();
			}),
			{seed: 2104, numRuns: 100},
		);
	});

	test("the keys start past the stub's Create Account numbers (A10000001 up) and follow an injected source", () => {
		expect(sessions2Keys(createSessions())).toEqual(['A10000001', 'A10000002']);
		let n = 0;
		expect(sessions2Keys(createSessions({newAccountKey: () => `K${++n}`}))).toEqual(['K1', 'K2']);
	});
});

/** The accounts of two sessions opened one after the other. */
function sessions2Keys(/** @type {ReturnType<typeof createSessions>} */ sessions) {
	return [openOrFail(sessions, '192.0.2.1'), openOrFail(sessions, '192.0.2.2')].map(id => sessions.accountOf(id));
}
