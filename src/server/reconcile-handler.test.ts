// createReconcileHandler, called in-process with web Requests, against a small real Zuora that
// answers OAuth and the documented credit-card list (card-list-zuora.test-util.ts).
import fc from 'fast-check';
import {Redis} from 'ioredis';
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest';
import {CLIENT, listedCard, startCardListZuora, type CardListZuora} from './card-list-zuora.test-util.js';
import {createIssuedTokens, createReconcileHandler, createZuoraClient, type Authorization, type ReconcileHandlerOptions} from './index.js';
import {matchCard, parseReconcileQuery, readCardsPage} from './reconcile-handler.js';

const SHOP = 'http://127.0.0.1:8080';
const ACCOUNT = 'A00000001';
const TOKEN = 'QmF0Y2hUb2tlbkZvclRlc3RzMDAwMDAx';
/** The question the page asks after losing the answer to its card POST. */
const QUERY = {token: TOKEN, creditCardType: 'Visa', lastFour: '1111', expirationMonth: 12, expirationYear: 2031} as const;
const CARD_NUMBERS = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '30569309025904'];
let zuora: CardListZuora;

beforeAll(async () => {
	zuora = await startCardListZuora();
});
afterAll(async () => {
	await zuora.close();
});
beforeEach(() => {
	zuora.accounts.clear();
	zuora.requests.splice(0);
	zuora.accounts.set(ACCOUNT, [
		listedCard('8ad0000000000000000000000000000a', 'MasterCard', '4444', 3, 2030),
		listedCard('8ad0000000000000000000000000000b', 'Visa', '1111', 12, 2031),
		listedCard('8ad0000000000000000000000000000c', 'Visa', '1111', 11, 2031),
	]);
});

const GENEROUS = {session: {points: 1000, duration: 60}, address: {points: 1000, duration: 60}, network: {points: 1000, duration: 60}, account: {points: 1000, duration: 60}} as const;

/**
 * A reconcile handler; each `call` first records its body's token as issued to `issuedTo` (as
 * the signature handler does before the card POST whose answer was lost), fresh for each call.
 */
function setup(overrides: Partial<ReconcileHandlerOptions> = {}, authorization: Partial<Authorization> | null = {}, issuedTo: string | (() => string) | undefined = 's1') {
	const logs: string[] = [];
	const fetched: string[] = [];
	const tokens = createIssuedTokens();
	const handler = createReconcileHandler({
		zuora: createZuoraClient({
			baseUrl: zuora.url,
			...CLIENT,
			async fetch(input, init) {
				fetched.push(String(input));
				return fetch(input, init);
			},
		}),
		authorize: () => authorization && {session: 's1', accountKey: ACCOUNT, ...authorization},
		limits: GENEROUS,
		trustProxy: 0,
		log: line => logs.push(line),
		tokens,
		...overrides,
	});
	/** `body: undefined` sends none; left out, the usual question. */
	const call = async (options: {method?: string; headers?: Record<string, string>; body?: string | undefined; from?: string} = {}) => {
		const {method = 'POST', headers = {origin: SHOP}, from = '127.0.0.1'} = options;
		const body = 'body' in options ? options.body : JSON.stringify(QUERY);
		const withLength = body === undefined ? headers : {'content-length': String(Buffer.byteLength(body)), 'content-type': 'application/json', ...headers};
		const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
		const token = /"token":"([\w-]+)"/.exec(body ?? '')?.[1];
		if (token !== undefined && issuedTo !== undefined) {
			await tokens.record(token, typeof issuedTo === 'function' ? issuedTo() : issuedTo);
		}

		const response = await handler(new Request(`${SHOP}/reconcile`, {method, headers: withLength, ...(hasBody ? {body} : {})}), {clientAddress: from});
		const text = await response.text();
		let parsed: Record<string, unknown> | undefined;
		try {
			parsed = JSON.parse(text) as Record<string, unknown>;
		} catch {}

		return {status: response.status, headers: response.headers, text, body: parsed};
	};

	return {handler, call, logs, fetched, tokens};
}

const reasonsOf = (body: Record<string, unknown> | undefined) => (body?.['reasons'] as Array<{code: string}> | undefined)?.map(reason => reason.code);

describe('answers', () => {
	test('found: the id of the card with that brand, last four and expiry on the account authorize chose; nothing else in the answer', async () => {
		const {call, logs} = setup();
		const found = await call();
		expect([found.status, found.body]).toEqual([200, {success: true, paymentMethodId: '8ad0000000000000000000000000000b'}]);
		expect(found.headers.get('cache-control')).toBe('no-store');
		expect(zuora.requests).toEqual([{path: `/v1/payment-methods/credit-cards/accounts/${ACCOUNT}`, page: '1', pageSize: '40', authorized: true}]);
		expect(logs).toEqual([]);
	});

	test('not found when any one of brand, last four, month or year differs, or the account has no cards', async () => {
		const {call} = setup();
		for (const change of [{creditCardType: 'MasterCard'}, {lastFour: '1112'}, {expirationMonth: 10}, {expirationYear: 2032}, {creditCardType: 'Discover', lastFour: '4444'}]) {
			const answer = await call({body: JSON.stringify({...QUERY, ...change})}); // eslint-disable-line no-await-in-loop
			expect([change, answer.status, answer.body]).toEqual([change, 200, {success: true, paymentMethodId: null}]);
		}

		zuora.accounts.set(ACCOUNT, []);
		expect((await call()).body).toEqual({success: true, paymentMethodId: null});
	});

	test("the account is authorize's, never the page's: another account's identical card is not found", async () => {
		zuora.accounts.set('A00000002', [listedCard('8ad0000000000000000000000000000d', 'Amex', '0005', 1, 2029)]);
		const {call} = setup();
		const answer = await call({body: JSON.stringify({...QUERY, creditCardType: 'AmericanExpress', lastFour: '0005', expirationMonth: 1, expirationYear: 2029})});
		expect(answer.body).toEqual({success: true, paymentMethodId: null});
		expect(zuora.requests.map(request => request.path)).toEqual([`/v1/payment-methods/credit-cards/accounts/${ACCOUNT}`]);
	});

	test("paging: pages of 40 are read until the card is found or nextPage is gone; nextPage's URL is never fetched (the bearer token stays on baseUrl)", async () => {
		const cards = Array.from({length: 100}, (_, index) => listedCard(`8ad1${String(index).padStart(28, '0')}`, 'Visa', String(1000 + index), 1 + (index % 12), 2030));
		zuora.accounts.set(ACCOUNT, cards);
		const {call, fetched} = setup();
		const target = cards[85]!;
		const found = await call({body: JSON.stringify({...QUERY, lastFour: target.cardNumber.slice(-4), expirationMonth: target.expirationMonth, expirationYear: 2030})});
		expect(found.body).toEqual({success: true, paymentMethodId: target.id});
		expect(zuora.requests.map(request => [request.page, request.pageSize])).toEqual([
			['1', '40'],
			['2', '40'],
			['3', '40'],
		]);
		zuora.requests.splice(0);
		expect((await call()).body).toEqual({success: true, paymentMethodId: null});
		expect(zuora.requests.map(request => request.page)).toEqual(['1', '2', '3']);
		expect(fetched.every(url => url.startsWith(zuora.url))).toBe(true);
		expect(fetched.some(url => url.startsWith(zuora.nextPageBase))).toBe(false);
	});

	test('an account with more cards than maxPages reads answers 502 RECONCILE_INCOMPLETE (the page keeps its unknown outcome), not a "not found" it cannot know', async () => {
		zuora.accounts.set(
			ACCOUNT,
			Array.from({length: 81}, (_, index) => listedCard(`8ad2${String(index).padStart(28, '0')}`, 'JCB', '0000', 1, 2030)),
		);
		const {call, logs} = setup({maxPages: 2});
		const answer = await call();
		expect([answer.status, reasonsOf(answer.body)]).toEqual([502, ['RECONCILE_INCOMPLETE']]);
		expect(logs).toEqual(['zuora-cors/server reconcile: the account has more than 80 credit cards: raise maxPages to check them all']);
	});

	test("Zuora's list read as data: cards without an id, with a malformed id or number, or inherited fields never match; both brand field names are read", () => {
		const query = parseReconcileQuery(JSON.stringify(QUERY));
		if ('log' in query) {
			throw new Error('expected a query');
		}

		const page = (creditCards: unknown[]) => readCardsPage({status: 200, headers: new Headers(), body: {success: true, creditCards}});
		const cardsOf = (creditCards: unknown[]) => {
			const read = page(creditCards);
			return 'cards' in read ? read.cards : [];
		};

		const inherited = Object.create({id: '8ad3', cardType: 'Visa', cardNumber: '************1111', expirationMonth: 12, expirationYear: 2031}) as object;
		expect(
			matchCard(
				cardsOf([
					inherited,
					{cardType: 'Visa', cardNumber: '************1111', expirationMonth: 12, expirationYear: 2031},
					{id: 'x y', cardType: 'Visa', cardNumber: '************1111', expirationMonth: 12, expirationYear: 2031},
					{id: '8ad4', cardType: 'Visa', cardNumber: '*****foo CC #', expirationMonth: 12, expirationYear: 2031},
				]),
				query,
			),
		).toBeUndefined();
		expect(matchCard(cardsOf([{id: '8ad5', creditCardType: 'Visa', cardNumber: '************1111', expirationMonth: '12', expirationYear: '2031'}]), query)).toBe('8ad5');
		expect(page([])).toEqual({cards: [], more: false});
		for (const body of [{success: true}, {success: false, creditCards: []}, {creditCards: []}, {success: true, creditCards: {}}]) {
			expect(reasonsOf({reasons: [{code: (readCardsPage({status: 200, headers: new Headers(), body}) as {code: string}).code}]})).toEqual(['ZUORA_INVALID_RESPONSE']);
		}
	});
});

describe('hostile input', () => {
	test('every method but POST gets 405 before authorize; cross-site origins 403; one log line each; Zuora never asked', async () => {
		let authorized = 0;
		const {call, logs} = setup({
			authorize: () => {
				authorized++;
				return {session: 's1', accountKey: ACCOUNT};
			},
		});
		for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'BREW']) {
			const answer = await call({method}); // eslint-disable-line no-await-in-loop
			expect([method, answer.status, answer.headers.get('allow')]).toEqual([method, 405, 'POST']);
		}

		const crossSite: Array<Record<string, string>> = [
			{},
			{origin: 'null'},
			{origin: 'https://evil.example'},
			{origin: 'http://127.0.0.1:8081'},
			{origin: SHOP, 'sec-fetch-site': 'cross-site'},
			{'sec-fetch-site': 'same-site'},
		];
		for (const headers of crossSite) {
			const answer = await call({headers}); // eslint-disable-line no-await-in-loop
			expect([headers, answer.status, reasonsOf(answer.body)]).toEqual([headers, 403, ['CROSS_SITE']]);
		}

		expect(authorized).toBe(0);
		expect(logs).toHaveLength(13);
		expect(zuora.requests).toEqual([]);
	});

	test('without a configured origin, a non-loopback host is a setup error (DNS rebinding); with one, the shop is answered', async () => {
		const {handler, logs} = setup();
		const body = JSON.stringify(QUERY);
		const rebound = await handler(new Request('http://evil.example:8080/reconcile', {method: 'POST', headers: {origin: 'http://evil.example:8080', 'content-length': String(body.length)}, body}), {
			clientAddress: '127.0.0.1',
		});
		expect([rebound.status, await rebound.json()]).toEqual([500, {reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]}]);
		expect(logs[0]).toContain('set origin');
		const shop = setup({origin: 'https://shop.example'});
		await shop.tokens.record(TOKEN, 's1');
		const answer = await shop.handler(new Request('https://shop.example/reconcile', {method: 'POST', headers: {origin: 'https://shop.example', 'content-length': String(body.length)}, body}), {
			clientAddress: '203.0.113.5',
		});
		expect(await answer.json()).toEqual({success: true, paymentMethodId: '8ad0000000000000000000000000000b'});
	});

	test('a body over the cap, without a length, or empty is refused before authorize', async () => {
		const {call, handler} = setup();
		expect((await call({body: JSON.stringify({...QUERY, token: 'a'.repeat(2000)})})).status).toBe(413);
		expect((await call({body: undefined})).status).toBe(413);
		expect((await call({body: ''})).status).toBe(413);
		const chunked = await handler(new Request(`${SHOP}/reconcile`, {method: 'POST', headers: {origin: SHOP, 'transfer-encoding': 'chunked'}, body: JSON.stringify(QUERY)}), {
			clientAddress: '127.0.0.1',
		});
		expect(chunked.status).toBe(413);
		// A body longer than its declared length is cut at maxBodyBytes, never read further.
		const lying = await handler(new Request(`${SHOP}/reconcile`, {method: 'POST', headers: {origin: SHOP, 'content-length': '10'}, body: 'x'.repeat(5000)}), {clientAddress: '127.0.0.1'});
		expect([lying.status, reasonsOf((await lying.json()) as Record<string, unknown>)]).toEqual([400, ['BAD_REQUEST']]);
		expect(zuora.requests).toEqual([]);
	});

	test('malformed bodies are refused with 400 BAD_REQUEST (generated variants); Zuora is never asked', async () => {
		const {call} = setup();
		const fixed = [
			'not json',
			'[]',
			'null',
			'"x"',
			'{}',
			JSON.stringify({...QUERY, lastFour: 1111}),
			JSON.stringify({...QUERY, lastFour: '111'}),
			JSON.stringify({...QUERY, creditCardType: 'visa'}),
			JSON.stringify({...QUERY, creditCardType: 'toString'}),
			JSON.stringify({...QUERY, expirationMonth: 13}),
			JSON.stringify({...QUERY, expirationMonth: 1.5}),
			JSON.stringify({...QUERY, expirationYear: 31}),
			JSON.stringify({...QUERY, token: ''}),
			JSON.stringify({...QUERY, token: 'short'}),
			JSON.stringify({...QUERY, extra: 1}),
			`{"__proto__": {"lastFour": "1111"}, "token": "${TOKEN}"}`,
			JSON.stringify({...QUERY, constructor: {}}),
		];
		for (const body of fixed) {
			const answer = await call({body}); // eslint-disable-line no-await-in-loop
			expect([body, answer.status, reasonsOf(answer.body)]).toEqual([body, 400, ['BAD_REQUEST']]);
		}

		await fc.assert(
			fc.asyncProperty(
				fc.dictionary(
					fc.constantFrom('token', 'creditCardType', 'lastFour', 'expirationMonth', 'expirationYear', 'name', '__proto__'),
					fc.oneof(fc.string({maxLength: 20}), fc.integer(), fc.constant(null), fc.boolean()),
				),
				async fields => {
					const parsed = parseReconcileQuery(JSON.stringify(fields));
					fc.pre('log' in parsed);
					const answer = await call({body: JSON.stringify(fields)});
					expect(answer.status).toBe(400);
				},
			),
			{numRuns: 100, seed: 1818},
		);
		expect(zuora.requests).toEqual([]);
	}, 30_000);

	test('a body carrying a card number (any field, any spelling, generated) is refused, and no card digit reaches the answer or the log', async () => {
		const {call, logs} = setup();
		const seen: string[] = [];
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...CARD_NUMBERS),
				fc.constantFrom('creditCardNumber', 'cardNumber', 'token', 'lastFour', 'number', 'securityCode', 'name'),
				fc.constantFrom('plain', 'spaced', 'dashed', 'number'),
				async (number, field, spelling) => {
					const value =
						spelling === 'plain'
							? number
							: spelling === 'spaced'
								? number.replace(/(\d{4})/g, '$1 ').trim()
								: spelling === 'dashed'
									? number.replace(/(\d{4})/g, '$1-').replace(/-$/, '')
									: Number(number);
					const answer = await call({body: JSON.stringify({...QUERY, [field]: value, ...(field === 'lastFour' ? {} : {securityCode: '737'})})});
					seen.push(answer.text);
					expect([field, spelling, answer.status]).toEqual([field, spelling, 400]);
				},
			),
			{numRuns: 80, seed: 2024},
		);
		// Without the servers' origins: a random port may hold the security code's digits.
		const everything = [...seen, ...logs].join('\n').replace(/127\.0\.0\.1:\d+/g, '');
		for (const number of CARD_NUMBERS) {
			expect(everything).not.toContain(number);
			expect(everything).not.toContain(number.slice(0, 8));
		}

		expect(everything).not.toContain('737');
		expect(zuora.requests).toEqual([]);
	}, 30_000);
});

test('a card number split by any separators that are not letters or digits (generated, up to three between two digits) is refused in any field', async () => {
	const {call, logs} = setup();
	// Characters JSON leaves as they are (an escape like \\n would put a letter between the digits).
	const separator = fc.constantFrom(' ', '-', '_', '.', '/', '|', '*', '+', '~', ':', ';', ',', '(', ')', '#', '=', "'", '\u00A0', '\u2009', '\u00B7', '\u2013', '\u2014', '\u30FB');
	await fc.assert(
		fc.asyncProperty(
			fc.constantFrom(...CARD_NUMBERS),
			fc.array(
				fc.array(separator, {minLength: 0, maxLength: 3}).map(parts => parts.join('')),
				{minLength: 20, maxLength: 20},
			),
			fc.constantFrom('token', 'creditCardType', 'lastFour', 'note'),
			async (number, gaps, field) => {
				const value = [...number].map((digit, index) => (index === 0 ? digit : `${gaps[index]!}${digit}`)).join('');
				const answer = await call({body: JSON.stringify({...QUERY, [field]: value})});
				expect([value, answer.status, reasonsOf(answer.body)]).toEqual([value, 400, ['CARD_DATA_REFUSED']]);
			},
		),
		{numRuns: 150, seed: 3131},
	);
	expect(logs.join('\n')).not.toMatch(/\d{5}/);
	expect(zuora.requests).toEqual([]);
}, 30_000);

describe('authorize and limits', () => {
	test('authorize: null refuses (403), a Response is answered as is, no valid accountKey is a setup error', async () => {
		const none = setup({}, null);
		expect([(await none.call()).status, none.logs]).toEqual([403, ['zuora-cors/server reconcile: refused: authorize found no session']]);
		const own = setup({authorize: () => new Response('login first', {status: 401})});
		expect([(await own.call()).status]).toEqual([401]);
		// `.` and `..` would change the list's path (/accounts/.. is /credit-cards/).
		for (const accountKey of [undefined, '', 'A1\r\nX: y', '.', '..']) {
			const bad = setup({authorize: () => ({session: 's1', ...(accountKey === undefined ? {} : {accountKey})})});
			const answer = await bad.call(); // eslint-disable-line no-await-in-loop
			expect([answer.status, reasonsOf(answer.body), bad.logs]).toEqual([500, ['SETUP_ERROR'], ['zuora-cors/server reconcile: authorize returned no valid accountKey']]);
		}

		expect(zuora.requests).toEqual([]);
	});

	test('limits per session and per account: 429 with Retry-After, one log line each', async () => {
		const {call, logs} = setup({limits: {session: {points: 2, duration: 60}}});
		const statuses = [];
		for (let index = 0; index < 4; index++) {
			statuses.push((await call()).status); // eslint-disable-line no-await-in-loop
		}

		expect(statuses).toEqual([200, 200, 429, 429]);
		expect(logs).toEqual(['zuora-cors/server reconcile: refused: session limit reached', 'zuora-cors/server reconcile: refused: session limit reached']);
		let session = 0;
		const byAccount = setup({limits: {account: {points: 1, duration: 3600}}, authorize: () => ({session: `s${session++}`, accountKey: ACCOUNT})}, {}, () => `s${session}`);
		expect([(await byAccount.call({from: '127.0.0.2'})).status, (await byAccount.call({from: '127.0.0.3'})).status]).toEqual([200, 429]);
		expect((await byAccount.call()).headers.get('retry-after')).toMatch(/^\d+$/);
	});

	test('Redis down: 503 LIMITS_UNAVAILABLE after storeTimeoutMs, Zuora never asked', async () => {
		const store = new Redis({host: '127.0.0.1', port: 1, retryStrategy: () => 50, maxRetriesPerRequest: 1});
		store.on('error', () => undefined);
		try {
			const {call, logs} = setup({store, limitKeySecret: 'a-test-secret-of-32-characters!!', storeTimeoutMs: 200});
			const answer = await call();
			expect([answer.status, reasonsOf(answer.body), answer.headers.get('retry-after')]).toEqual([503, ['LIMITS_UNAVAILABLE'], '5']);
			expect(logs).toEqual(['zuora-cors/server reconcile: the limit store did not answer within 200 ms: failing closed (503)']);
			expect(zuora.requests).toEqual([]);
		} finally {
			store.disconnect();
		}
	});
});

describe('Zuora', () => {
	test('down, failing, busy or hanging: 503 ZUORA_UNAVAILABLE (the page keeps its unknown outcome)', async () => {
		const down = setup({zuora: {baseUrl: 'http://127.0.0.1:9', ...CLIENT}});
		expect([(await down.call()).status, down.logs[0]]).toEqual([503, expect.stringMatching(/^zuora-cors\/server reconcile: Zuora unavailable: POST \/oauth\/token failed: /)]);
		for (const fault of [
			{status: 500, body: undefined},
			{status: 503, body: {success: false, reasons: [{code: 50_000_061, message: 'Temporary'}]}},
			{status: 429, body: {success: false, reasons: [{code: 50_000_070, message: 'Too many'}]}},
			{status: 200, body: {success: false, reasons: [{code: 50_000_050, message: 'Lock'}]}},
			'reset',
		] as const) {
			zuora.failNext(fault);
			const answer = await setup().call(); // eslint-disable-line no-await-in-loop
			expect([fault, answer.status, reasonsOf(answer.body)]).toEqual([fault, 503, ['ZUORA_UNAVAILABLE']]);
		}

		zuora.failNext('hang');
		const slow = setup({zuora: createZuoraClient({baseUrl: zuora.url, ...CLIENT, timeoutMs: 200})});
		const hung = await slow.call();
		expect([hung.status, slow.logs]).toEqual([
			503,
			[`zuora-cors/server reconcile: Zuora unavailable: GET /v1/payment-methods/credit-cards/accounts/${ACCOUNT} failed: The operation was aborted due to timeout`],
		]);
	});

	test('setup errors answer 500 SETUP_ERROR with a log line that says what to fix: wrong credentials, an account Zuora does not know, a fresh token refused', async () => {
		const wrong = setup({zuora: {baseUrl: zuora.url, clientId: CLIENT.clientId, clientSecret: 'wrong'}});
		expect([(await wrong.call()).status, wrong.logs]).toEqual([
			500,
			[`zuora-cors/server reconcile: Zuora OAuth refused the client credentials (HTTP 401): check clientId and clientSecret, and that the OAuth client belongs to ${zuora.url}`],
		]);
		const unknown = setup({}, {accountKey: 'A99999999'});
		const answer = await unknown.call();
		expect([answer.status, answer.body]).toEqual([500, {reasons: [{code: 'SETUP_ERROR', message: 'The checkout is not set up correctly.'}]}]);
		expect(unknown.logs).toEqual([
			"zuora-cors/server reconcile: Zuora refused the credit-card list request (HTTP 200, 50000040 \"Cannot find entity by key: 'A99999999'.\"): check the endpoint's configuration and what authorize returns",
		]);
		zuora.failNext({status: 401, body: {message: 'Authentication error'}}, {status: 401, body: {message: 'Authentication error'}});
		const refused = setup();
		expect([(await refused.call()).status, refused.logs[0]]).toContain(500);
		expect(refused.logs[0]).toContain('with a fresh OAuth token (HTTP 401)');
		zuora.failNext({status: 200, body: {success: true}});
		const odd = await setup().call();
		expect([odd.status, reasonsOf(odd.body)]).toEqual([502, ['ZUORA_INVALID_RESPONSE']]);
	});

	test('a client that cannot list (a custom one without get) is refused when the handler is created', () => {
		expect(() =>
			createReconcileHandler({
				zuora: {baseUrl: 'x', post: async () => ({status: 200, body: undefined, headers: new Headers()}), token: async () => 't'},
				authorize: () => null,
				trustProxy: 0,
				tokens: createIssuedTokens(),
			}),
		).toThrow('zuora must be a client from createZuoraClient');
		expect(() => createReconcileHandler({zuora: {baseUrl: zuora.url, ...CLIENT}, authorize: () => null, trustProxy: 0, maxPages: 0, tokens: createIssuedTokens()})).toThrow(
			'maxPages must be a positive whole number',
		);
		// @ts-expect-error tokens is required: without the signature handler's record, reconcile would answer any token
		expect(() => createReconcileHandler({zuora: {baseUrl: zuora.url, ...CLIENT}, authorize: () => null, trustProxy: 0})).toThrow(
			"tokens must be the signature handler's record from createIssuedTokens()",
		);
	});
});
