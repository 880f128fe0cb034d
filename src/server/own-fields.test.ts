// Object.prototype pollution changes nothing the server does. Every name it reads from the
// merchant's options, from authorize's answer, from Zuora's answers and from the page's body is
// taken from the lists in the code (tied to the types below), polluted with a hostile value, and
// the same requests must then get the same answers. The Zuora client is a fake (Zuora is the one
// thing mocked).
import {afterEach, describe, expect, expectTypeOf, test} from 'vitest';
import {AUTHORIZATION_FIELDS, type Authorization, type ENDPOINT_OPTION_NAMES, type EndpointOptions} from './gate.js';
import {
	createIssuedTokens,
	createReconcileHandler,
	createSignatureHandler,
	createZuoraClient,
	DEFAULT_LIMITS,
	type IssuedTokensOptions,
	type LimitRule,
	type Limits,
	type ReconcileHandlerOptions,
	type SignatureHandlerOptions,
	type ZuoraClient,
	type ZuoraClientOptions,
} from './index.js';
import {ISSUED_TOKENS_OPTION_NAMES} from './issued-tokens.js';
import {QUERY_FIELDS, RECONCILE_OPTION_NAMES, type ReconcileQuery} from './reconcile-handler.js';
import {SIGNATURE_OPTION_NAMES} from './signature-handler.js';
import {ZUORA_CLIENT_OPTION_NAMES} from './zuora-client.js';

const SHOP = 'https://shop.example';
const TOKEN = 'QmF0Y2hUb2tlbkZvclRlc3RzMDAwMDAx';
const QUERY = {token: TOKEN, creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2031};
const ZUORA_CLIENT_MEMBERS = ['baseUrl', 'post', 'get', 'token'] as const satisfies ReadonlyArray<keyof ZuoraClient>;
const LIMIT_RULE_FIELDS = ['points', 'duration'] as const satisfies ReadonlyArray<keyof LimitRule>;

test('the name lists are every key of their types', () => {
	expectTypeOf<(typeof AUTHORIZATION_FIELDS)[number]>().toEqualTypeOf<keyof Authorization>();
	expectTypeOf<(typeof ENDPOINT_OPTION_NAMES)[number]>().toEqualTypeOf<keyof EndpointOptions>();
	expectTypeOf<(typeof SIGNATURE_OPTION_NAMES)[number]>().toEqualTypeOf<keyof SignatureHandlerOptions>();
	expectTypeOf<(typeof RECONCILE_OPTION_NAMES)[number]>().toEqualTypeOf<keyof ReconcileHandlerOptions>();
	expectTypeOf<(typeof ZUORA_CLIENT_OPTION_NAMES)[number]>().toEqualTypeOf<keyof ZuoraClientOptions>();
	expectTypeOf<(typeof ISSUED_TOKENS_OPTION_NAMES)[number]>().toEqualTypeOf<keyof IssuedTokensOptions>();
	expectTypeOf<(typeof QUERY_FIELDS)[number]>().toEqualTypeOf<keyof ReconcileQuery>();
	expectTypeOf<(typeof ZUORA_CLIENT_MEMBERS)[number]>().toEqualTypeOf<keyof ZuoraClient>();
	expectTypeOf<(typeof LIMIT_RULE_FIELDS)[number]>().toEqualTypeOf<keyof LimitRule>();
	expectTypeOf<keyof typeof DEFAULT_LIMITS>().toEqualTypeOf<keyof Limits>();
});

/** Every name read, from the code's own lists, plus Zuora's answer fields the handlers read. */
const NAMES = [
	...new Set([
		...SIGNATURE_OPTION_NAMES,
		...RECONCILE_OPTION_NAMES,
		...AUTHORIZATION_FIELDS,
		...ZUORA_CLIENT_OPTION_NAMES,
		...ISSUED_TOKENS_OPTION_NAMES,
		...QUERY_FIELDS,
		...ZUORA_CLIENT_MEMBERS,
		...LIMIT_RULE_FIELDS,
		...Object.keys(DEFAULT_LIMITS),
		...['success', 'signature', 'creditCards', 'nextPage', 'cardNumber', 'cardType', 'id', 'reasons', 'tenantId', 'key'],
	]),
	// A polluted `get` breaks every property descriptor in the engine (defineProperty throws): nothing runs to test.
].filter(name => name !== 'get');

const hostileFetch = async () => new Response(JSON.stringify({success: true, access_token: 'stolen', expires_in: 3600, signature: 'forged', token: TOKEN}));
/** The value an attacker would plant for a name; a plain string where nothing worse fits. */
const HOSTILE: Record<string, unknown> = {
	trustProxy: 1,
	origin: 'https://evil.example',
	authorize: () => ({session: 'attacker', accountKey: 'VICTIM'}),
	limits: {session: false, address: false, network: false, account: false},
	session: false,
	address: false,
	network: false,
	account: 'VICTIM',
	points: 1_000_000,
	duration: 0.001,
	success: true,
	signature: 'forged',
	token: TOKEN,
	creditCards: [{id: 'pm_victim', cardNumber: '************1111', cardType: 'Visa', expirationMonth: 12, expirationYear: 2031}],
	expirationMonth: 12,
	expirationYear: 2031,
	lastFour: '1111',
	creditCardType: 'Visa',
	tokens: {record: async () => undefined, claim: async () => 'answer'},
	maxBodyBytes: 1e9,
	maxPages: 1e6,
	fetch: hostileFetch,
	post: async () => ({status: 200, body: {success: true, signature: 'forged', token: TOKEN}, headers: new Headers()}),
	get: async () => ({status: 200, body: {success: true, creditCards: HOSTILE['creditCards']}, headers: new Headers()}),
	log() {},
	now: () => 0,
	viaBrowser: true,
	storeTimeoutMs: 1,
	lifetimeSeconds: 1,
};

const prototype = Object.prototype as Record<string, unknown>;
afterEach(() => {
	for (const name of NAMES) {
		delete prototype[name];
	}
});

/** A Zuora whose OAuth and hmac-signatures calls are recorded; `answer` is its signature answer. */
function fakeZuora(answer: Record<string, unknown>) {
	const seen: string[] = [];
	const fetch = async (input: string | URL | Request, init?: RequestInit) => {
		const headers = new Headers(init?.headers);
		seen.push(`${String(input)} entity=${headers.get('zuora-entity-ids') ?? '-'}`);
		if (String(input).endsWith('/oauth/token')) {
			return new Response(JSON.stringify({access_token: 'bearer', expires_in: 3600}));
		}

		const listed = String(input).includes('/accounts/');
		return new Response(JSON.stringify(listed ? {success: true, creditCards: String(input).includes('/VICTIM') ? HOSTILE['creditCards'] : []} : answer));
	};

	return {zuora: createZuoraClient({baseUrl: 'https://rest.apisandbox.zuora.com', clientId: 'id', clientSecret: 'secret', fetch}), seen};
}

const post = (body?: unknown, headers: Record<string, string> = {}) => {
	const text = body === undefined ? undefined : JSON.stringify(body);
	return new Request(`${SHOP}/endpoint`, {method: 'POST', headers: {origin: SHOP, 'content-length': String(text?.length ?? 0), ...headers}, ...(text === undefined ? {} : {body: text})});
};

/** The requests whose answers must not change: what each answered, logged and sent to Zuora. */
async function scenario() {
	const results: unknown[] = [];
	const logs: string[] = [];
	const log = (line: string) => logs.push(line);
	const answerOf = async (response: Response) => [response.status, await response.text()];

	// A guest session: authorize gives no accountKey (refused as a setup error, never another account).
	const signing = fakeZuora({success: true, signature: 'sig', token: TOKEN});
	const tokens = createIssuedTokens();
	const card = createSignatureHandler({operation: 'credit-card', zuora: signing.zuora, origin: SHOP, trustProxy: 0, authorize: () => ({session: 'guest'}), tokens, log});
	results.push(await answerOf(await card(post(), {clientAddress: '192.0.2.1'})));
	const reconcile = createReconcileHandler({zuora: signing.zuora, origin: SHOP, trustProxy: 0, authorize: () => ({session: 'guest'}), tokens, log});
	results.push(await answerOf(await reconcile(post(QUERY), {clientAddress: '192.0.2.1'})));

	// A paying session: a token issued, then reconciled; a body missing its token is refused.
	const payer = createSignatureHandler({operation: 'credit-card', zuora: signing.zuora, origin: SHOP, trustProxy: 0, authorize: () => ({session: 'payer', accountKey: 'A1'}), tokens, log});
	results.push(await answerOf(await payer(post(), {clientAddress: '192.0.2.1'})));
	const ownReconcile = createReconcileHandler({zuora: signing.zuora, origin: SHOP, trustProxy: 0, authorize: () => ({session: 'payer', accountKey: 'A1'}), tokens, log});
	results.push(await answerOf(await ownReconcile(post(QUERY), {clientAddress: '192.0.2.1'})));
	const {token: _token, ...tokenless} = QUERY;
	results.push(await answerOf(await ownReconcile(post(tokenless), {clientAddress: '192.0.2.1'})));

	// X-Forwarded-For is ignored with trustProxy 0: one socket address, address limit 2.
	const limited = createSignatureHandler({
		operation: 'credit-card',
		zuora: signing.zuora,
		origin: SHOP,
		trustProxy: 0,
		authorize: () => ({session: 's', accountKey: 'A1'}),
		limits: {session: false, address: {points: 2, duration: 60}, network: false, account: false},
		log,
	});
	for (let n = 0; n < 3; n++) {
		results.push((await limited(post(undefined, {'x-forwarded-for': `10.8.${n}.1`}), {clientAddress: '192.0.2.1'})).status); // eslint-disable-line no-await-in-loop
	}

	// Zuora answers without a token: nothing is handed out.
	const tokenlessZuora = fakeZuora({success: true, signature: 'sig'});
	const broken = createSignatureHandler({operation: 'credit-card', zuora: tokenlessZuora.zuora, origin: SHOP, trustProxy: 0, authorize: () => ({session: 's', accountKey: 'A1'}), log});
	results.push(await answerOf(await broken(post(), {clientAddress: '192.0.2.1'})));
	return {results, logs, zuora: [...signing.seen, ...tokenlessZuora.seen]};
}

describe('a polluted Object.prototype', () => {
	test(`every name the server reads (${NAMES.length} of them) polluted: the same answers, logs and Zuora calls`, async () => {
		const clean = await scenario();
		expect(clean.results.slice(0, 5).map(result => (result as unknown[])[0])).toEqual([500, 500, 200, 200, 400]);
		expect(clean.results.slice(5)).toEqual([200, 200, 429, [502, expect.stringContaining('ZUORA_INVALID_RESPONSE')]]);
		for (const name of NAMES) {
			prototype[name] = Object.hasOwn(HOSTILE, name) ? HOSTILE[name] : 'VICTIM';
		}

		const polluted = await scenario();
		for (const name of NAMES) {
			delete prototype[name];
		}

		expect(polluted).toEqual(clean);
	});

	test('each name alone, polluted: the same answers', async () => {
		const clean = await scenario();
		for (const name of NAMES) {
			prototype[name] = Object.hasOwn(HOSTILE, name) ? HOSTILE[name] : 'VICTIM';
			let polluted: unknown;
			try {
				polluted = await scenario(); // eslint-disable-line no-await-in-loop
			} finally {
				delete prototype[name];
			}

			expect({name, polluted}).toEqual({name, polluted: clean});
		}
	});
});
