// Which client a request comes from: the hop count of trusted proxies read from the right of
// X-Forwarded-For (a request that bypassed a proxy has no address), and the two limit keys, the
// address (IPv6 /64) and the network (IPv4 /24, IPv6 /48). Handlers are called in-process; the
// Zuora client is a fake (Zuora is the one thing mocked).
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {addressKey, clientAddress, createSignatureHandler, DEFAULT_LIMITS, networkKey, type Limits, type TrustProxy, type ZuoraClient} from './index.js';

const SHOP = 'https://shop.example';

/** A Zuora that signs everything, counting the signature calls. */
function signingZuora(): ZuoraClient & {calls: () => number} {
	let calls = 0;
	return {
		baseUrl: 'https://rest.apisandbox.zuora.com',
		token: async () => 't',
		post: async () => {
			calls++;
			return {status: 200, body: {success: true, signature: 's', token: 'QmF0Y2hUb2tlbkZvclRlc3RzMDAwMDAx'}, headers: new Headers()};
		},
		get: async () => ({status: 200, body: {success: true, creditCards: []}, headers: new Headers()}),
		calls: () => calls,
	};
}

function handlerWith(options: {trustProxy?: TrustProxy; limits?: Limits}) {
	const logs: string[] = [];
	const zuora = signingZuora();
	let session = 0;
	const handler = createSignatureHandler({
		operation: 'credit-card',
		zuora,
		origin: SHOP,
		authorize: () => ({session: `s${session++}`, accountKey: 'A1'}),
		log: line => logs.push(line),
		trustProxy: 0,
		...options,
	});
	const post = async (forwarded: string | undefined, socket = '192.0.2.1') => {
		const headers: Record<string, string> = {origin: SHOP, 'content-length': '0', ...(forwarded === undefined ? {} : {'x-forwarded-for': forwarded})};
		const response = await handler(new Request(`${SHOP}/signature`, {method: 'POST', headers}), {clientAddress: socket});
		return {status: response.status, body: (await response.json()) as unknown};
	};

	return {post, logs, zuora};
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map(parts => parts.join('.'));
const ipv6 = fc.array(fc.nat(0xff_ff), {minLength: 8, maxLength: 8}).map(groups => groups.map(group => group.toString(16)).join(':'));
const address = fc.oneof(ipv4, ipv6);
/** What a client may write to the left of the proxies' entries: anything without a comma. */
const claim = fc.oneof(
	address,
	fc.string({maxLength: 20}).filter(text => !text.includes(',')),
);

describe('trustProxy: n', () => {
	test('generated chains: fewer entries than n trusted proxies are refused (400, its own log line); more are keyed by the n-th from the right, whatever stands to its left', async () => {
		await fc.assert(
			fc.asyncProperty(fc.integer({min: 1, max: 4}), fc.array(address, {maxLength: 6}), fc.array(claim, {maxLength: 3}), address, async (hops, written, claims, socket) => {
				// The proxies' entries (rightmost `written.length`), after whatever the client wrote first.
				const forwarded = [...claims, ...written];
				const request = new Request(`${SHOP}/signature`, {headers: {'x-forwarded-for': forwarded.join(', ')}});
				const chain = [socket, ...[...forwarded].reverse()];
				const {post, logs, zuora} = handlerWith({trustProxy: hops, limits: {session: false, address: false, network: false, account: false}});
				const answer = await post(forwarded.length === 0 ? undefined : forwarded.join(', '), socket);
				if (chain.length <= hops) {
					expect(clientAddress(request, socket, hops)).toBeUndefined();
					expect(answer).toEqual({status: 400, body: {reasons: [{code: 'BAD_REQUEST', message: 'The request did not come through the expected proxies.'}]}});
					expect(logs).toEqual(['zuora-cors/server credit-card: X-Forwarded-For has fewer entries than trustProxy (a proxy was bypassed)']);
					expect(zuora.calls()).toBe(0);
				} else {
					expect(clientAddress(request, socket, hops)).toBe(chain[hops]);
					expect(answer.status).toBe(addressKey(chain[hops]!) === undefined ? 500 : 200);
				}
			}),
			{numRuns: 150, seed: 4242},
		);
	});

	test('the review case: a client reaching the load balancer of trustProxy: 2 directly gets no fresh limit key per request', async () => {
		const {post, logs} = handlerWith({trustProxy: 2, limits: {session: false, address: {points: 3, duration: 60}, network: false, account: false}});
		const statuses = [];
		for (let n = 0; n < 6; n++) {
			statuses.push((await post(`10.9.${n}.1`)).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
		expect(logs).toHaveLength(6);
		// Through both proxies: keyed by what the CDN saw, so the limit holds whatever the client writes.
		const through = [];
		for (let n = 0; n < 5; n++) {
			through.push((await post(`10.9.${n}.1, 203.0.113.66, 198.51.100.2`)).status); // eslint-disable-line no-await-in-loop
		}

		expect(through).toEqual([200, 200, 200, 429, 429]);
	});
});

describe('the network limit', () => {
	test('generated addresses: one /48 (IPv6) or one /24 (IPv4) is one network key; the address key stays per /64 or per address', () => {
		fc.assert(
			fc.property(fc.array(fc.nat(0xff_ff), {minLength: 8, maxLength: 8}), fc.array(fc.nat(0xff_ff), {minLength: 5, maxLength: 5}), (groups, other) => {
				const a = groups.map(group => group.toString(16)).join(':');
				const sameSite = [...groups.slice(0, 3), ...other].map(group => group.toString(16)).join(':');
				expect(networkKey(a)).toBe(
					`${groups
						.slice(0, 3)
						.map(group => group.toString(16))
						.join(':')}::/48`,
				);
				expect(networkKey(sameSite)).toBe(networkKey(a));
				expect(addressKey(sameSite) === addressKey(a)).toBe(other[0] === groups[3]);
			}),
			{numRuns: 200, seed: 4848},
		);
		fc.assert(
			fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), fc.nat(255), fc.nat(255), (prefix, a, b) => {
				expect(networkKey(`${prefix.join('.')}.${a}`)).toBe(`${prefix.join('.')}.0/24`);
				expect(networkKey(`::ffff:${prefix.join('.')}.${b}`)).toBe(networkKey(`${prefix.join('.')}.${a}`));
			}),
			{numRuns: 200, seed: 2424},
		);
		expect(networkKey('not an address')).toBeUndefined();
	});

	test('1000 /64s of one /48 each get their own address count but share the network limit (default 120 a minute)', async () => {
		expect(DEFAULT_LIMITS.network).toEqual({points: 120, duration: 60});
		const {post, logs} = handlerWith({limits: {session: false, account: false}});
		const statuses = [];
		for (let n = 0; n < 125; n++) {
			statuses.push((await post(undefined, `2001:db8:1:${n.toString(16)}::1`)).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses.slice(0, 120).every(status => status === 200)).toBe(true);
		expect(statuses.slice(120)).toEqual([429, 429, 429, 429, 429]);
		expect(logs).toEqual(Array.from({length: 5}, () => 'zuora-cors/server credit-card: refused: network limit reached'));
		// Another /48 is counted apart.
		expect((await post(undefined, '2001:db8:2::1')).status).toBe(200);
	});

	test('a given address rule sets the network default to four times its points', async () => {
		const {post, logs} = handlerWith({limits: {session: false, account: false, address: {points: 5, duration: 60}}});
		const statuses = [];
		for (let n = 0; n < 22; n++) {
			statuses.push((await post(undefined, `198.51.100.${n + 1}`)).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([...Array.from({length: 20}, () => 200), 429, 429]);
		expect(logs).toEqual(['zuora-cors/server credit-card: refused: network limit reached', 'zuora-cors/server credit-card: refused: network limit reached']);
	});
});
