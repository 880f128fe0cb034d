// The limits' order and refunds, in-process (no sockets): generated request sequences from
// neighbours in one IPv4 /24 or one IPv6 /48 (several addresses, sessions and accounts) are
// compared with a model in which only admitted requests count. A refused request costs no limit a
// point, so no client spends its neighbours' network budget by being refused, and a spent limit
// (an account's hour) stops counting the limits taken after it.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {addressKey, networkKey} from './address.js';
import {admit, createGate, limitChecks, type Authorization, type Gate} from './gate.js';
import {isRefusal} from './answers.js';
import type {LimitKind, LimitRule} from './limits.js';

const SHOP = 'http://127.0.0.1:8080';
const ORDER: readonly LimitKind[] = ['session', 'account', 'address', 'network'];

/** A gate whose `authorize` answers the authorization set before each call. */
function gateWith(limits: Record<LimitKind, LimitRule>): {gate: Gate; ask: (authorization: Authorization, address: string) => Promise<LimitKind | undefined>} {
	let current: Authorization = {session: ''};
	const gate = createGate({authorize: () => current, limits, trustProxy: 0}, {keyPrefix: 'test', maxBodyBytes: 0, bodyRequired: false}, undefined);
	const ask = async (authorization: Authorization, address: string) => {
		current = authorization;
		const keys = {addressKey: addressKey(address)!, networkKey: networkKey(address)!};
		const answer = await admit(new Request(`${SHOP}/signature`, {method: 'POST'}), gate, keys, given => given.account ?? given.accountKey);
		if (answer instanceof Response) {
			throw new TypeError('authorize answered a Response');
		}

		if (!isRefusal(answer)) {
			return undefined;
		}

		expect(answer.status).toBe(429);
		return /^refused: (\w+) limit reached$/.exec(answer.log)![1] as LimitKind;
	};

	return {gate, ask};
}

/** The model: a request is refused by the first limit (in ORDER) whose key already admitted `points` requests; only admitted requests count. */
function modelLimits(limits: Record<LimitKind, LimitRule>) {
	const admitted = new Map<string, number>();
	return (keys: Record<LimitKind, string | undefined>): LimitKind | undefined => {
		const refusing = ORDER.find(kind => keys[kind] !== undefined && (admitted.get(`${kind}:${keys[kind]}`) ?? 0) >= limits[kind].points);
		if (refusing === undefined) {
			for (const kind of ORDER) {
				if (keys[kind] !== undefined) {
					admitted.set(`${kind}:${keys[kind]}`, (admitted.get(`${kind}:${keys[kind]}`) ?? 0) + 1);
				}
			}
		}

		return refusing;
	};
}

/** Neighbours: addresses in one /24 (IPv4) or distinct /64s of one /48 (IPv6). */
const neighbourhood = fc.oneof(
	fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(
		([a, b, c]) =>
			(host: number) =>
				`${a}.${b}.${c}.${host}`,
	),
	fc.tuple(fc.nat(0xff_ff), fc.nat(0xff_ff)).map(
		([a, b]) =>
			(host: number) =>
				`2001:db8:${a.toString(16)}:${host.toString(16)}:${b.toString(16)}::1`,
	),
);

/** One request: which of a few addresses, sessions and accounts it comes with (`undefined`: an operation without an account). */
const request = fc.record({host: fc.nat(5), session: fc.nat(4), account: fc.option(fc.nat(3), {nil: undefined})});
const rule = (max: number) => fc.integer({min: 1, max}).map(points => ({points, duration: 3600}));
const limitSet = fc.record({session: rule(6), account: rule(8), address: rule(8), network: rule(16)});

describe('limits: order and refunds', () => {
	test('the order is data: session, account, address, network; no account, no account limit', () => {
		const keys = {addressKey: '192.0.2.1', networkKey: '192.0.2.0/24'};
		expect(limitChecks('s', 'A1', keys).map(([kind]) => kind)).toEqual(ORDER);
		expect(limitChecks('s', undefined, keys)).toEqual([
			['session', 's'],
			['address', '192.0.2.1'],
			['network', '192.0.2.0/24'],
		]);
	});

	test('generated sequences from /24 and /48 neighbours: every answer is the model in which refused requests cost nothing', async () => {
		await fc.assert(
			fc.asyncProperty(limitSet, neighbourhood, fc.array(request, {minLength: 1, maxLength: 80}), async (limits, hostIn, requests) => {
				const {ask} = gateWith(limits);
				const model = modelLimits(limits);
				for (const {host, session, account} of requests) {
					const address = hostIn(host);
					const accountKey = account === undefined ? undefined : `A${account}`;
					const keys = {session: `s${session}`, account: accountKey, address: addressKey(address), network: networkKey(address)};
					// eslint-disable-next-line no-await-in-loop
					expect(await ask({session: `s${session}`, ...(accountKey === undefined ? {} : {accountKey})}, address)).toBe(model(keys));
				}
			}),
			{numRuns: 150, seed: 2124},
		);
	});

	test('an attacker on four addresses of a /24 or four /64s of a /48, one account, fresh sessions: its neighbour is still answered (defaults)', async () => {
		for (const [attacker, neighbour] of [
			[(n: number) => `198.51.100.${n + 1}`, '198.51.100.200'],
			[(n: number) => `2001:db8:1:${n.toString(16)}::1`, '2001:db8:1:ff::1'],
		] as const) {
			const {ask} = gateWith({session: {points: 10, duration: 60}, account: {points: 20, duration: 3600}, address: {points: 30, duration: 60}, network: {points: 120, duration: 60}});
			const refusals = new Map<string, number>();
			for (let n = 0; n < 400; n++) {
				const refused = await ask({session: `attacker-${n}`, accountKey: 'A-attacker'}, attacker(n % 4)); // eslint-disable-line no-await-in-loop
				refusals.set(String(refused), (refusals.get(String(refused)) ?? 0) + 1);
			}

			// 20 admitted (the account's hour), 380 refused by the account, none by the network.
			expect(Object.fromEntries(refusals)).toEqual({undefined: 20, account: 380});
			expect(await ask({session: 'neighbour', accountKey: 'A-neighbour'}, neighbour)).toBeUndefined();
		}
	});
});
