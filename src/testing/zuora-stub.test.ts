// The stub's decisions, in-process: every route called with a `Request` through the server's own
// order (in-process.ts), no socket. What the socket itself does (drops on the wire, slow clients,
// connection limits, the node adapter, main) is in zuora-stub.socket.test.ts.
import {createHmac, createPublicKey, verify} from 'node:crypto';
import fc from 'fast-check';
import {describe, it, expect, afterEach, beforeEach, vi} from 'vitest';
import {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from './zuora-stub.js';
import {matchCard, readCardsPage} from '../server/reconcile-handler.js';
import {
	ACCOUNTS,
	bearer,
	call,
	card,
	corsHeaderNames,
	corsPost,
	createCard,
	CREDIT_CARDS,
	DECLINED,
	EXPIRED_TOKEN,
	expectFailure,
	EXPOSED,
	FUTURE_YEAR,
	HEX32,
	INVALID_SIGNATURE,
	oauth,
	type Pair,
	postSigning,
	PROCESS_ID,
	SHOP,
	signFor,
	stubInProcess,
	USED_TOKEN,
	VISA,
} from './zuora-stub.test-util.js';
import type {InProcessStub} from './in-process.js';

// Explicit timeouts, generous for a loaded machine; no test waits on the wall clock for behaviour.
vi.setConfig({testTimeout: 30_000, hookTimeout: 30_000});

/** A fresh in-process stub for every test (nothing shared between tests), closed after it. */
function useStub(options: ZuoraStubOptions = {}) {
	const holder = {} as {stub: InProcessStub};
	beforeEach(() => {
		holder.stub = stubInProcess({allowedOrigins: [SHOP], ...options});
	});
	afterEach(() => holder.stub.close());
	return holder;
}

describe('POST /oauth/token', () => {
	const zuora = useStub();

	it('issues a bearer token', async () => {
		const {status, json} = await oauth(zuora.stub);
		expect(status).toBe(200);
		expect(json).toEqual({
			access_token: expect.stringMatching(HEX32),
			token_type: 'bearer',
			expires_in: 3599,
			scope: expect.stringMatching(/^user\.[0-9a-f]{32} entity\.[0-9a-f-]{36} tenant\.12270$/),
			jti: expect.stringMatching(HEX32),
		});
	});

	it('answers 401 invalid_client for bad credentials', async () => {
		const {status, json} = await oauth(zuora.stub, {client_secret: 'wrong'});
		expect(status).toBe(401);
		expect(json).toEqual({error: 'invalid_client', error_description: 'Bad client credentials'});
	});

	it('answers 400 for another grant type', async () => {
		const {status, json} = await oauth(zuora.stub, {grant_type: 'password'});
		expect(status).toBe(400);
		expect(json).toEqual({error: 'unsupported_grant_type', error_description: 'Unsupported grant type'});
	});

	it('refuses a missing or unknown bearer on the signature operations', async () => {
		const uri = `${zuora.stub.publicUrl}${CREDIT_CARDS}`;
		const missing = await call(`${zuora.stub.url}/v1/hmac-signatures`, {method: 'POST', body: JSON.stringify({uri, method: 'POST'})});
		expect(missing.status).toBe(401);
		expect(missing.json).toEqual({message: 'Authentication error'});
		const unknown = await postSigning(zuora.stub, '/v1/rsa-signatures', {uri, method: 'POST', pageId: 'p'}, 'not-a-token');
		expect(unknown.status).toBe(401);
		expect(unknown.json).toEqual({message: 'Authentication error'});
	});
});

describe('OAuth token expiry', () => {
	let clock = Date.now();
	const zuora = useStub({now: () => clock, oauthTokenLifetimeSeconds: 60});

	it('refuses a bearer once its lifetime has passed', async () => {
		const {json} = await oauth(zuora.stub);
		expect(json.expires_in).toBe(60);
		const request = {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, method: 'POST'};
		clock += 59_999;
		expect((await postSigning(zuora.stub, '/v1/hmac-signatures', request, json.access_token)).status).toBe(200);
		clock += 1;
		const expired = await postSigning(zuora.stub, '/v1/hmac-signatures', request, json.access_token);
		expect(expired.status).toBe(401);
		expect(expired.json).toEqual({message: 'Authentication error'});
	});
});

describe('POST /v1/hmac-signatures', () => {
	const zuora = useStub({secret: 'test-secret'});

	it('answers a signature and token in the documented formats', async () => {
		const uri = `${zuora.stub.publicUrl}${CREDIT_CARDS}`;
		const {status, json} = await postSigning(zuora.stub, '/v1/hmac-signatures', {uri, method: 'POST', accountKey: 'A00000001'});
		expect(status).toBe(200);
		expect(Object.keys(json)).toEqual(['signature', 'token', 'success']);
		expect(json.success).toBe(true);
		expect(json.token).toMatch(/^[A-Za-z0-9]{32}$/);
		expect(json.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
		expect(Buffer.from(json.signature, 'base64').toString()).toMatch(/^[0-9a-f]{40}$/);
		const hex = createHmac('sha1', 'test-secret').update([uri, 'POST', 'A00000001', json.token].join('\n')).digest('hex');
		expect(json.signature).toBe(Buffer.from(hex).toString('base64'));
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 0});
	});

	it('answers 59010220 with a processId for an empty uri', async () => {
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {uri: '', method: 'POST'}), [{code: 59010220, message: "'uri' may not be empty"}]);
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {method: 'POST'}), [{code: 59010220, message: "'uri' may not be empty"}]);
	});

	it('refuses a method Zuora does not list', async () => {
		const uri = `${zuora.stub.publicUrl}${CREDIT_CARDS}`;
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {uri, method: 'PATCH'}), [{code: 59010220, message: "'method' has an invalid value"}]);
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {uri}), [{code: 59010220, message: "'method' may not be empty"}]);
	});

	it('answers 90000010 for an operation that is not CORS enabled', async () => {
		const base = zuora.stub.publicUrl;
		for (const request of [
			{uri: `${base}/v1/payment-methods`, method: 'POST'},
			{uri: `${base}${CREDIT_CARDS}`, method: 'GET'},
			{uri: 'not a url', method: 'POST'},
		]) {
			expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', request), [{code: 90000010, message: 'This API is not CORS enabled.'}]);
		}
		expect(zuora.stub.tokens()).toEqual({issued: 0, used: 0});
	});

	it('signs the other CORS operations', async () => {
		const base = zuora.stub.publicUrl;
		for (const request of [
			{uri: `${base}${ACCOUNTS}`, method: 'POST', name: 'Acme'},
			{uri: `${base}/v1/files/2c92c0f9`, method: 'GET'},
			{uri: `${base}/v1/rsa-signatures`, method: 'POST', pageId: 'page'},
		]) {
			expect((await postSigning(zuora.stub, '/v1/hmac-signatures', request)).json.success).toBe(true);
		}
		expect(zuora.stub.tokens()).toEqual({issued: 3, used: 0});
	});

	it('requires the name Create Account signs', async () => {
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, method: 'POST'}), [{code: 59010220, message: "'name' may not be empty"}]);
	});

	it('answers 400 for a body that is not JSON', async () => {
		const answer = await postSigning(zuora.stub, '/v1/hmac-signatures', '[1]');
		expectFailure(answer, [{code: 59010290, message: 'Malformed request body: expected a JSON object.'}], 400);
	});
});

describe('POST /v1/rsa-signatures', () => {
	const zuora = useStub();
	const request = {uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', method: 'POST', pageId: '2c92c0f855e2b4630155ec9e6a1b6eec'};

	it('answers signature, token, tenantId and key', async () => {
		const {status, json} = await postSigning(zuora.stub, '/v1/rsa-signatures', request);
		expect(status).toBe(200);
		expect(json).toEqual({
			signature: expect.stringMatching(/^[A-Za-z0-9+/]{342}==$/),
			token: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
			tenantId: '12270',
			key: expect.stringMatching(/^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA[A-Za-z0-9+/]+IDAQAB$/),
			success: true,
		});
		const key = createPublicKey({key: Buffer.from(json.key, 'base64'), format: 'der', type: 'spki'});
		const signed = Buffer.from([request.uri, request.method, request.pageId, json.token].join('\n'));
		expect(verify('sha256', signed, key, Buffer.from(json.signature, 'base64'))).toBe(true);
	});

	it('requires pageId', async () => {
		expectFailure(await postSigning(zuora.stub, '/v1/rsa-signatures', {...request, pageId: undefined}), [{code: 59010220, message: "'pageId' may not be empty"}]);
	});
});

describe('CORS', () => {
	const zuora = useStub();

	function preflight(origin: string, path = CREDIT_CARDS) {
		return call(`${zuora.stub.url}${path}`, {
			method: 'OPTIONS',
			headers: {origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,signature,token'},
		});
	}

	it('answers a preflight from an allowed origin with exactly its headers', async () => {
		const answer = await preflight(SHOP);
		expect(answer.status).toBe(204);
		expect(answer.text).toBe('');
		expect(Object.fromEntries(corsHeaderNames(answer.headers).map(name => [name, answer.headers.get(name)]))).toEqual({
			'access-control-allow-origin': SHOP,
			'access-control-allow-credentials': 'true',
			'access-control-allow-methods': 'POST, GET, OPTIONS',
			'access-control-allow-headers': 'signature, token, content-type, accept, idempotency-key',
			'access-control-expose-headers': EXPOSED,
		});
		expect(answer.headers.get('vary')).toBe('Origin');
	});

	it('answers a preflight from another origin 403 without CORS headers', async () => {
		for (const origin of ['http://evil.test', 'http://shop.test:8080', 'null']) {
			const answer = await preflight(origin);
			expect(answer.status).toBe(403);
			expect(answer.text).toBe('');
			expect(corsHeaderNames(answer.headers)).toEqual([]);
		}
		const noOrigin = await call(`${zuora.stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS'});
		expect(noOrigin.status).toBe(403);
	});

	it('echoes an allowed origin on the actual request and not another', async () => {
		const allowed = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
		expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
		expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
		expect(allowed.headers.get('access-control-expose-headers')).toBe(EXPOSED);
		const other = await corsPost(zuora.stub, CREDIT_CARDS, card(), {}, {origin: 'http://evil.test'});
		expect(corsHeaderNames(other.headers)).toEqual([]);
		expect(other.headers.get('vary')).toBe('Origin');
	});

	it('sends Access-Control-Max-Age only when configured', async () => {
		const stub = stubInProcess({allowedOrigins: [SHOP], preflightMaxAge: 600});
		try {
			const answer = await call(`${stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS', headers: {origin: SHOP}});
			expect(answer.headers.get('access-control-max-age')).toBe('600');
		} finally {
			await stub.close();
		}
		expect((await preflight(SHOP)).headers.get('access-control-max-age')).toBeNull();
	});

	it("refuses '*' as an allowed origin", async () => {
		await expect(startZuoraStub({allowedOrigins: ['*']})).rejects.toThrow('startZuoraStub: option "allowedOrigins" must list exact origins; "*" cannot be used with credentials');
	});
});

describe('POST /v1/payment-methods/credit-cards', () => {
	const zuora = useStub({secret: 'test-secret'});

	it('creates one payment method', async () => {
		const answer = await createCard(zuora.stub);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({success: true, paymentMethodId: expect.stringMatching(HEX32)});
		expect(zuora.stub.paymentMethods()).toEqual([
			{
				id: answer.json.paymentMethodId,
				accountKey: 'A00000001',
				creditCardType: 'Visa',
				last4: '1111',
				expirationMonth: 12,
				expirationYear: FUTURE_YEAR,
				cardHolderName: 'Ada Lovelace',
				defaultPaymentMethod: false,
				createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			},
		]);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 1});
	});

	it('takes form-style values as the guide sample sends them', async () => {
		const body = card({
			expirationMonth: '03',
			expirationYear: String(FUTURE_YEAR),
			defaultPaymentMethod: 'true',
			creditCardType: 'AmericanExpress',
			creditCardNumber: '378282246310005',
			securityCode: '1234',
		});
		expect((await createCard(zuora.stub, body)).json.success).toBe(true);
		expect(zuora.stub.paymentMethods()).toMatchObject([{creditCardType: 'AmericanExpress', last4: '0005', expirationMonth: 3, expirationYear: FUTURE_YEAR, defaultPaymentMethod: true}]);
	});

	it('creates an orphan method when no accountKey is signed or sent', async () => {
		const {accountKey, ...body} = card();
		expect((await createCard(zuora.stub, body)).json.success).toBe(true);
		expect(zuora.stub.paymentMethods()[0]?.accountKey).toBeNull();
	});

	it('refuses a token used before, and still holds one method', async () => {
		const body = card();
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, body, pair)).json.success).toBe(true);
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, body, pair), [USED_TOKEN]);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 1});
	});

	it('refuses an unknown or missing token', async () => {
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), {signature: 'c2ln', token: 'A'.repeat(32)}), [USED_TOKEN]);
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), {}), [USED_TOKEN]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('refuses a token after expireTokens(), and spends it', async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		zuora.stub.expireTokens();
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), pair), [EXPIRED_TOKEN]);
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), pair), [USED_TOKEN]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('answers 90000012 when the body accountKey is not the signed one', async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card({accountKey: 'A00000002'}), pair), [INVALID_SIGNATURE]);
		const {accountKey, ...withoutKey} = card();
		const second = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, withoutKey, second), [INVALID_SIGNATURE]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('answers 90000012 for a signature bound to another uri or a tampered signature', async () => {
		const otherHost = await signFor(zuora.stub, {uri: `https://rest.zuora.com${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), otherHost), [INVALID_SIGNATURE]);
		const accountsPair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, name: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), accountsPair), [INVALID_SIGNATURE]);
		const first = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		const second = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), {signature: first.signature, token: second.token}), [INVALID_SIGNATURE]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
		expect(zuora.stub.tokens()).toEqual({issued: 4, used: 3});
	});

	it('answers 400 for a body that is not JSON, spending the token', async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`});
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, 'creditCardNumber=4111111111111111', pair);
		expectFailure(answer, [{code: 53100090, message: 'Malformed request body: expected a JSON object.'}], 400);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 1});
	});

	it.each([
		['a number failing Luhn', {creditCardNumber: '4111111111111112'}, [{code: 53100020, message: 'creditCardNumber: invalid value'}]],
		['a number of another brand', {creditCardType: 'MasterCard'}, [{code: 53100020, message: 'creditCardNumber: invalid value'}]],
		['more than 16 digits', {creditCardNumber: '41111111111111111'}, [{code: 53100020, message: 'creditCardNumber: invalid value'}]],
		['a number with spaces', {creditCardNumber: '4111 1111 1111 1111'}, [{code: 53100020, message: 'creditCardNumber: invalid value'}]],
		['an unknown type', {creditCardType: 'Maestro'}, [{code: 53100020, message: 'creditCardType: invalid value'}]],
		['month 13', {expirationMonth: 13}, [{code: 53100020, message: 'expirationMonth: invalid value'}]],
		['a past year', {expirationYear: 2020}, [{code: 53100020, message: 'expirationYear: invalid value'}]],
		['a 2-digit year', {expirationYear: 30}, [{code: 53100020, message: 'expirationYear: invalid value'}]],
		['a 4-digit AmEx-style code on Visa', {securityCode: '1234'}, [{code: 53100020, message: 'securityCode: invalid value'}]],
		['a name over 50 characters', {cardHolderInfo: {cardHolderName: 'x'.repeat(51)}}, [{code: 53100020, message: 'cardHolderInfo.cardHolderName: invalid value'}]],
		[
			'no number and no month',
			{creditCardNumber: undefined, expirationMonth: ''},
			[
				{code: 53100022, message: 'creditCardNumber: missing field'},
				{code: 53100022, message: 'expirationMonth: missing field'},
			],
		],
	])('answers one reason per bad field: %s', async (_, overrides, reasons) => {
		expectFailure(await createCard(zuora.stub, card(overrides)), reasons);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('refuses a month already past this year', async () => {
		const stub = stubInProcess({now: () => Date.UTC(2030, 5, 15)});
		try {
			expectFailure(await createCard(stub, card({expirationYear: 2030, expirationMonth: 5})), [{code: 53100020, message: 'expirationMonth: invalid value'}]);
			expect((await createCard(stub, card({expirationYear: 2030, expirationMonth: 6}))).json.success).toBe(true);
		} finally {
			await stub.close();
		}
	});

	it.each([
		['4000000000000002', 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'],
		['4000000000009995', 'Transaction declined.402 - [card_error/card_declined/insufficient_funds] Your card has insufficient funds.'],
		['4000000000000069', 'Transaction declined.402 - [card_error/expired_card/expired_card] Your card has expired.'],
		['4000000000000127', "Transaction declined.402 - [card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect."],
	])('declines test card %s with a gateway-category code (99), not 53100320', async (number, message) => {
		expectFailure(await createCard(zuora.stub, card({creditCardNumber: number})), [{code: DECLINED, message}]);
		expect(DECLINED % 100).toBe(99);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});
});

describe('GET /v1/payment-methods/credit-cards/accounts/{account-key}', () => {
	const zuora = useStub();
	const listPath = (key: string) => `/v1/payment-methods/credit-cards/accounts/${key}`;

	async function list(key: string, query = '', headers: Record<string, string> = {}) {
		const authorization = `Bearer ${await bearer(zuora.stub)}`;
		return call(`${zuora.stub.url}${listPath(key)}${query}`, {headers: {authorization, ...headers}});
	}

	async function saveCards(accountKey: string, count: number) {
		const ids: string[] = [];
		for (let index = 0; index < count; index++) {
			const answer = await createCard(zuora.stub, card({accountKey, expirationMonth: (index % 12) + 1}));
			ids.push(answer.json.paymentMethodId);
		}

		return ids;
	}

	it("lists an account's cards in the shape of Zuora's reference, masked, the most recently saved first", async () => {
		const holder = {cardHolderName: 'Ada Lovelace', addressLine1: '12 St James Sq', city: 'London', country: 'GB', zipCode: 'SW1Y 4JH', email: 'ada@example.test'};
		const amex = await createCard(zuora.stub, card({creditCardType: 'AmericanExpress', creditCardNumber: '378282246310005', securityCode: '1234', expirationMonth: 3, cardHolderInfo: undefined}));
		const visa = await createCard(zuora.stub, card({cardHolderInfo: holder, defaultPaymentMethod: true}));
		await createCard(zuora.stub, card({accountKey: 'A00000002'}));
		const {accountKey, ...orphan} = card();
		await createCard(zuora.stub, orphan);
		const answer = await list('A00000001');
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			creditCards: [
				{
					id: visa.json.paymentMethodId,
					defaultPaymentMethod: true,
					cardHolderInfo: {
						cardHolderName: 'Ada Lovelace',
						addressLine1: '12 St James Sq',
						addressLine2: null,
						city: 'London',
						state: null,
						zipCode: 'SW1Y 4JH',
						country: 'GB',
						phone: null,
						email: 'ada@example.test',
					},
					cardNumber: '************1111',
					expirationMonth: 12,
					expirationYear: FUTURE_YEAR,
					cardType: 'Visa',
				},
				{
					id: amex.json.paymentMethodId,
					defaultPaymentMethod: false,
					cardHolderInfo: {cardHolderName: null, addressLine1: null, addressLine2: null, city: null, state: null, zipCode: null, country: null, phone: null, email: null},
					cardNumber: '************0005',
					expirationMonth: 3,
					expirationYear: FUTURE_YEAR,
					cardType: 'AmericanExpress',
				},
			],
			success: true,
		});
		// Never the number or the security code (random method ids may hold any four digits by chance).
		const withoutIds = answer.text.replace(/[0-9a-f]{32}/g, '');
		for (const secret of [VISA, '378282246310005', '1234', '123']) {
			expect(withoutIds).not.toContain(secret);
		}
	});

	it('pages with page and pageSize, nextPage naming the next page until the last', async () => {
		const ids = (await saveCards('A00000001', 5)).reverse(); // newest first
		const first = await list('A00000001', '?pageSize=2');
		expect(first.json.creditCards.map((item: {id: string}) => item.id)).toEqual(ids.slice(0, 2));
		expect(first.json.nextPage).toBe(`${zuora.stub.publicUrl}${listPath('A00000001')}?page=2&pageSize=2`);
		const second = await call(first.json.nextPage, {headers: {authorization: `Bearer ${await bearer(zuora.stub)}`}});
		expect(second.json.creditCards.map((item: {id: string}) => item.id)).toEqual(ids.slice(2, 4));
		const last = await call(second.json.nextPage, {headers: {authorization: `Bearer ${await bearer(zuora.stub)}`}});
		expect(last.json).toEqual({creditCards: [expect.objectContaining({id: ids[4]})], success: true});
		// Defaults: page 1 of 20; pageSize up to 40; past the end: none.
		expect((await list('A00000001')).json.creditCards).toHaveLength(5);
		expect((await list('A00000001', '?page=1&pageSize=40')).json).toEqual({creditCards: expect.any(Array), success: true});
		expect((await list('A00000001', '?page=4&pageSize=2')).json).toEqual({creditCards: [], success: true});
	});

	it('answers 20 to a page (default pageSize), with nextPage for the 21st card', async () => {
		const ids = (await saveCards('A00000001', 21)).reverse(); // newest first
		const first = await list('A00000001');
		expect(first.json.creditCards).toHaveLength(20);
		expect(first.json.nextPage).toBe(`${zuora.stub.publicUrl}${listPath('A00000001')}?page=2&pageSize=20`);
		expect((await list('A00000001', '?page=2')).json.creditCards.map((item: {id: string}) => item.id)).toEqual([ids[20]]);
	});

	it.each([
		['?pageSize=41', 'pageSize'],
		['?pageSize=0', 'pageSize'],
		['?pageSize=ten', 'pageSize'],
		['?page=0', 'page'],
		['?page=-1', 'page'],
		['?page=1.5', 'page'],
	])('refuses %s', async (query, name) => {
		expectFailure(await list('A00000001', query), [{code: 53100020, message: `${name}: invalid value`}]);
	});

	it("is read by zuora-cors/server's reconcile reader: the saved card is found by brand, last four and expiry", async () => {
		const ids = await saveCards('A00000001', 3);
		const answer = await list('A00000001', '?pageSize=40');
		const page = readCardsPage({status: answer.status, body: answer.json, headers: answer.headers});
		expect(page).toEqual({cards: expect.any(Array), more: false});
		const cards = 'cards' in page ? page.cards : [];
		expect(cards.map(item => item.id)).toEqual([...ids].reverse());
		expect(matchCard(cards, {token: 't', creditCardType: 'Visa', lastFour: '1111', expirationMonth: 2, expirationYear: FUTURE_YEAR})).toBe(ids[1]);
		expect(matchCard(cards, {token: 't', creditCardType: 'Visa', lastFour: '1111', expirationMonth: 4, expirationYear: FUTURE_YEAR})).toBeUndefined();
	});

	it('finds an account by number or by id; an account with no card lists none', async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, name: 'Acme Ltd'});
		const creditCard = {cardType: 'MasterCard', cardNumber: '5555555555554444', expirationMonth: 1, expirationYear: FUTURE_YEAR};
		const created = await corsPost(zuora.stub, ACCOUNTS, {name: 'Acme Ltd', currency: 'USD', billToContact: {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'}, creditCard}, pair);
		const expected = {creditCards: [expect.objectContaining({id: created.json.paymentMethodId, cardNumber: '************4444', cardType: 'MasterCard'})], success: true};
		expect((await list(created.json.accountNumber)).json).toEqual(expected);
		expect((await list(created.json.accountId)).json).toEqual(expected);
		expect((await list('A09999999')).json).toEqual({creditCards: [], success: true});
	});

	it('is OAuth-protected like the backend operations: no bearer, an unknown or expired one, or a CORS pair is refused', async () => {
		await saveCards('A00000001', 1);
		const refused = {message: 'Authentication error'};
		const none = await call(`${zuora.stub.url}${listPath('A00000001')}`);
		expect([none.status, none.json]).toEqual([401, refused]);
		const unknown = await call(`${zuora.stub.url}${listPath('A00000001')}`, {headers: {authorization: 'Bearer 0123456789abcdef0123456789abcdef'}});
		expect([unknown.status, unknown.json]).toEqual([401, refused]);
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		const cors = await call(`${zuora.stub.url}${listPath('A00000001')}`, {headers: {origin: SHOP, signature: pair.signature, token: pair.token}});
		expect([cors.status, cors.json]).toEqual([401, refused]);
		// Not a CORS operation: no pair is issued for it.
		expectFailure(await postSigning(zuora.stub, '/v1/hmac-signatures', {uri: `${zuora.stub.publicUrl}${listPath('A00000001')}`, method: 'GET'}), [
			{code: 90000010, message: 'This API is not CORS enabled.'},
		]);
	});

	it('refuses a bearer once its lifetime has passed (injected clock)', async () => {
		let clock = Date.now();
		const stub = stubInProcess({now: () => clock, oauthTokenLifetimeSeconds: 60});
		try {
			const {json} = await oauth(stub);
			const get = () => call(`${stub.url}${listPath('A00000001')}`, {headers: {authorization: `Bearer ${json.access_token}`}});
			clock += 59_999;
			expect((await get()).json).toEqual({creditCards: [], success: true});
			clock += 1;
			expect((await get()).status).toBe(401);
		} finally {
			await stub.close();
		}
	});
});

describe('cardholder name required', () => {
	const zuora = useStub({requireCardHolderName: true});

	it('answers 53100022 without cardHolderInfo.cardHolderName', async () => {
		expectFailure(await createCard(zuora.stub, card({cardHolderInfo: undefined})), [{code: 53100022, message: 'cardHolderInfo.cardHolderName: missing field'}]);
		expectFailure(await createCard(zuora.stub, card({cardHolderInfo: {city: 'London'}})), [{code: 53100022, message: 'cardHolderInfo.cardHolderName: missing field'}]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});
});

describe('token lifetime', () => {
	let clock = Date.now();
	const zuora = useStub({now: () => clock, tokenLifetimeMs: 1000});

	it('accepts a token at its lifetime and refuses it a millisecond later', async () => {
		const uri = `${zuora.stub.publicUrl}${CREDIT_CARDS}`;
		const fresh = await signFor(zuora.stub, {uri, accountKey: 'A00000001'});
		clock += 1000;
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), fresh)).json.success).toBe(true);
		const stale = await signFor(zuora.stub, {uri, accountKey: 'A00000001'});
		clock += 1001;
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), stale), [EXPIRED_TOKEN]);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
	});
});

describe('POST /v1/accounts', () => {
	const zuora = useStub();
	const account = {name: 'Acme Ltd', currency: 'USD', billToContact: {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'}};
	const creditCard = {cardType: 'MasterCard', cardNumber: '5555555555554444', expirationMonth: 1, expirationYear: FUTURE_YEAR, securityCode: '321', cardHolderInfo: {cardHolderName: 'Ada Lovelace'}};

	async function createAccount(body: Record<string, unknown>, signedName = 'Acme Ltd') {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, name: signedName});
		return corsPost(zuora.stub, ACCOUNTS, body, pair);
	}

	it('creates an account with its card', async () => {
		const answer = await createAccount({...account, creditCard});
		expect(answer.json).toEqual({
			success: true,
			accountId: expect.stringMatching(HEX32),
			accountNumber: 'A00000001',
			paymentMethodId: expect.stringMatching(HEX32),
		});
		expect(zuora.stub.accounts()).toEqual([
			{accountId: answer.json.accountId, accountNumber: 'A00000001', name: 'Acme Ltd', currency: 'USD', autoPay: false, paymentMethodId: answer.json.paymentMethodId},
		]);
		expect(zuora.stub.paymentMethods()).toMatchObject([{id: answer.json.paymentMethodId, accountKey: 'A00000001', creditCardType: 'MasterCard', last4: '4444', cardHolderName: 'Ada Lovelace'}]);
		expect((await createAccount({...account, creditCard})).json.accountNumber).toBe('A00000002');
	});

	it('answers 90000012 when the body name is not the signed one', async () => {
		expectFailure(await createAccount({...account, creditCard}, 'Other Ltd'), [INVALID_SIGNATURE]);
		expect(zuora.stub.accounts()).toEqual([]);
	});

	it("names card fields by the body's own paths under creditCard", async () => {
		expectFailure(await createAccount({...account, creditCard: {...creditCard, expirationMonth: 0}}), [{code: 53100020, message: 'creditCard.expirationMonth: invalid value'}]);
		expectFailure(await createAccount({...account, creditCard: {...creditCard, cardNumber: '5555555555554445'}}), [{code: 53100020, message: 'creditCard.cardNumber: invalid value'}]);
		// The payment-method spelling is not Zuora's Create Account body: cardType and cardNumber are missing.
		const {cardType, cardNumber, ...rest} = creditCard;
		expectFailure(await createAccount({...account, creditCard: {...rest, creditCardType: cardType, creditCardNumber: cardNumber}}), [
			{code: 53100022, message: 'creditCard.cardType: missing field'},
			{code: 53100022, message: 'creditCard.cardNumber: missing field'},
		]);
		expectFailure(await createAccount({...account, autoPay: true}), [{code: 53000022, message: 'creditCard: missing field'}]);
		expect(zuora.stub.accounts()).toEqual([]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('requires currency and billToContact (firstName, lastName, country), all reported at once (name is signed)', async () => {
		expectFailure(await createAccount({name: 'Acme Ltd', creditCard: {...creditCard, securityCode: '12'}}), [
			{code: 53000022, message: 'currency: missing field'},
			{code: 53000022, message: 'billToContact: missing field'},
			{code: 53100020, message: 'creditCard.securityCode: invalid value'},
		]);
		expectFailure(await createAccount({...account, currency: 'usd', billToContact: {firstName: 'Ada', lastName: 7}, autoPay: 'yes', creditCard}), [
			{code: 53000020, message: 'currency: invalid value'},
			{code: 53000020, message: 'billToContact.lastName: invalid value'},
			{code: 53000022, message: 'billToContact.country: missing field'},
			{code: 53000020, message: 'autoPay: invalid value'},
		]);
		expectFailure(await createAccount({...account, name: 'x'.repeat(256), creditCard}, 'x'.repeat(256)), [{code: 53000020, message: 'name: invalid value'}]);
		expect(zuora.stub.accounts()).toEqual([]);
	});

	it('creates an account without a payment method when no card and no autoPay', async () => {
		const answer = await createAccount(account);
		expect(answer.json).toEqual({success: true, accountId: expect.stringMatching(HEX32), accountNumber: 'A00000001'});
		expect(zuora.stub.accounts()).toMatchObject([{accountNumber: 'A00000001', paymentMethodId: null}]);
	});

	it('takes hpmCreditCardPaymentMethodId, an orphan method at the stub, and attaches it', async () => {
		const {accountKey, ...orphan} = card();
		const method = await createCard(zuora.stub, orphan);
		const id = method.json.paymentMethodId as string;
		const answer = await createAccount({...account, autoPay: true, hpmCreditCardPaymentMethodId: id});
		expect(answer.json).toEqual({success: true, accountId: expect.stringMatching(HEX32), accountNumber: 'A00000001', paymentMethodId: id});
		expect(zuora.stub.paymentMethods()).toMatchObject([{id, accountKey: 'A00000001'}]);
		expect(zuora.stub.accounts()).toMatchObject([{accountNumber: 'A00000001', autoPay: true, paymentMethodId: id}]);
		// Now owned: it cannot be attached again; an unknown id and both card forms at once are refused.
		for (const body of [
			{...account, hpmCreditCardPaymentMethodId: id},
			{...account, hpmCreditCardPaymentMethodId: 'f'.repeat(32)},
		]) {
			expectFailure(await createAccount(body), [{code: 53000020, message: 'hpmCreditCardPaymentMethodId: invalid value'}]);
		}

		expectFailure(await createAccount({...account, creditCard, hpmCreditCardPaymentMethodId: id}), [{code: 53000020, message: 'creditCard: invalid value'}]);
		expect(zuora.stub.accounts()).toHaveLength(1);
	});

	it('creates no account and no method for a declined card', async () => {
		const declined = {...creditCard, cardType: 'Visa', cardNumber: '4000000000000002'};
		expectFailure(await createAccount({...account, creditCard: declined}), [
			{code: DECLINED, message: 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'},
		]);
		expect(zuora.stub.accounts()).toEqual([]);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});
});

describe('Idempotency-Key', () => {
	const zuora = useStub();
	const uri = () => `${zuora.stub.publicUrl}${CREDIT_CARDS}`;

	it('replays the stored first success with 409, same body and headers, with the spent pair, creating one method', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const first = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'checkout-1'});
		expect(first.status).toBe(200);
		expect(first.json.success).toBe(true);
		const replay = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'checkout-1'});
		expect(replay.status).toBe(409);
		expect(replay.text).toBe(first.text);
		expect(replay.headers.get('content-type')).toBe('application/json; charset=utf-8');
		// A fresh pair for the same uri and account replays too, and is not spent by it.
		const fresh = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const again = await corsPost(zuora.stub, CREDIT_CARDS, card(), fresh, {'idempotency-key': 'checkout-1'});
		expect([again.status, again.text]).toEqual([409, first.text]);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
		expect(zuora.stub.paymentMethods()[0]?.idempotencyKey).toBe('checkout-1');
		expect(zuora.stub.tokens()).toEqual({issued: 2, used: 1});
	});

	it('stores a failure too and replays it with 409 (a fixed card under the same key is a 422)', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const bad = card({expirationMonth: 13});
		const first = await corsPost(zuora.stub, CREDIT_CARDS, bad, pair, {'idempotency-key': 'checkout-3'});
		expectFailure(first, [{code: 53100020, message: 'expirationMonth: invalid value'}]);
		const replay = await corsPost(zuora.stub, CREDIT_CARDS, bad, pair, {'idempotency-key': 'checkout-3'});
		expect(replay.status).toBe(409);
		expect(replay.json).toEqual(first.json);
		const declinedPair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const declined = card({creditCardNumber: '4000000000000002'});
		const decline = await corsPost(zuora.stub, CREDIT_CARDS, declined, declinedPair, {'idempotency-key': 'checkout-4'});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, declined, declinedPair, {'idempotency-key': 'checkout-4'})).text).toBe(decline.text);
		expect(zuora.stub.paymentMethods()).toEqual([]);
	});

	it('answers 422 for the same key with another body, path or method, spending nothing', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const first = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'});
		expect(first.json.success).toBe(true);
		const fresh = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const mismatch = [{code: 50000020, message: "Idempotency-Key 'k' was used with another request."}];
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card({expirationMonth: 11}), fresh, {'idempotency-key': 'k'}), mismatch, 422);
		// Same JSON value, other bytes: still another body.
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, JSON.stringify(card(), undefined, 1), fresh, {'idempotency-key': 'k'}), mismatch, 422);
		// Another path under the same signed value (an account named like the account key).
		const accountPair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, name: 'A00000001'});
		expectFailure(
			await corsPost(zuora.stub, ACCOUNTS, {name: 'A00000001', currency: 'USD', billToContact: {firstName: 'A', lastName: 'B', country: 'US'}}, accountPair, {'idempotency-key': 'k'}),
			mismatch,
			422,
		);
		expect(zuora.stub.tokens()).toEqual({issued: 3, used: 1});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), fresh, {'idempotency-key': 'k2'})).json.success).toBe(true);
		expect(zuora.stub.accounts()).toEqual([]);
	});

	it("scopes keys to the signed account: a victim reusing an attacker's key gets its own answer", async () => {
		const attackerPair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A-ATTACKER'});
		const attacker = await corsPost(zuora.stub, CREDIT_CARDS, card({accountKey: 'A-ATTACKER'}), attackerPair, {'idempotency-key': 'shared'});
		expect(attacker.json.success).toBe(true);
		const victimPair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A-VICTIM'});
		const victim = await corsPost(zuora.stub, CREDIT_CARDS, card({accountKey: 'A-VICTIM'}), victimPair, {'idempotency-key': 'shared'});
		expect(victim.status).toBe(200);
		expect(victim.json).toEqual({success: true, paymentMethodId: expect.stringMatching(HEX32)});
		expect(victim.json.paymentMethodId).not.toBe(attacker.json.paymentMethodId);
		expect(zuora.stub.paymentMethods().map(method => method.accountKey)).toEqual(['A-ATTACKER', 'A-VICTIM']);
		// The attacker's stored answer under the victim's account, with the victim's body: none either.
		const attackerAgain = await signFor(zuora.stub, {uri: uri(), accountKey: 'A-ATTACKER'});
		const replay = await corsPost(zuora.stub, CREDIT_CARDS, card({accountKey: 'A-ATTACKER'}), attackerAgain, {'idempotency-key': 'shared'});
		expect([replay.status, replay.json.paymentMethodId]).toEqual([409, attacker.json.paymentMethodId]);
	});

	it('never replays without a valid pair for this uri, method and account', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const first = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'});
		expect(first.json.success).toBe(true);
		const headers = {'idempotency-key': 'k'};
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), {}, headers), [USED_TOKEN]);
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), {token: pair.token}, headers), [USED_TOKEN]);
		const forged = {signature: Buffer.from('0'.repeat(40)).toString('base64'), token: pair.token};
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), forged, headers), [USED_TOKEN]);
		const accountsPair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${ACCOUNTS}`, name: 'A00000001'});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), accountsPair, headers), [INVALID_SIGNATURE]);
		expect(zuora.stub.requests().filter(entry => entry.status === 409)).toEqual([]);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
	});

	it('does not store an answer given before the pair was verified: a re-signed retry keeps its key', async () => {
		const stale = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		zuora.stub.expireTokens();
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), stale, {'idempotency-key': 'k'}), [EXPIRED_TOKEN]);
		const fresh = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const retry = await corsPost(zuora.stub, CREDIT_CARDS, card(), fresh, {'idempotency-key': 'k'});
		expect([retry.status, retry.json.success]).toEqual([200, true]);
	});

	it('answers 409 to a concurrent request with the same key while the first is processed', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const release = zuora.stub.holdCreates();
		const first = corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'});
		await vi.waitFor(() => expect(zuora.stub.heldCreates()).toBe(1));
		const second = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'});
		expectFailure(second, [{code: 50000050, message: "A request with Idempotency-Key 'k' is being processed."}], 409);
		expect(zuora.stub.paymentMethods()).toEqual([]);
		release();
		expect((await first).json.success).toBe(true);
		expect(zuora.stub.paymentMethods()).toHaveLength(1);
	});

	it('holds for every generated key, account and body: one creation, exact replays, 422 for any other body', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.string({minLength: 1, maxLength: 40}).filter(key => /^[\x21-\x7e]+$/.test(key)),
				fc.tuple(fc.stringMatching(/^A\d{8}$/), fc.stringMatching(/^A\d{8}$/)).filter(([a, b]) => a !== b),
				fc.integer({min: 1, max: 12}),
				async (key, [owner, other], month) => {
					zuora.stub.reset();
					const headers = {'idempotency-key': key};
					const body = card({accountKey: owner, expirationMonth: month});
					const pair = await signFor(zuora.stub, {uri: uri(), accountKey: owner});
					const first = await corsPost(zuora.stub, CREDIT_CARDS, body, pair, headers);
					const replay = await corsPost(zuora.stub, CREDIT_CARDS, body, pair, headers);
					expect([replay.status, replay.text]).toEqual([409, first.text]);
					expect((await corsPost(zuora.stub, CREDIT_CARDS, {...body, expirationMonth: (month % 12) + 1}, pair, headers)).status).toBe(422);
					const otherPair = await signFor(zuora.stub, {uri: uri(), accountKey: other});
					const otherAnswer = await corsPost(zuora.stub, CREDIT_CARDS, {...body, accountKey: other}, otherPair, headers);
					expect(otherAnswer.status).toBe(200);
					expect(otherAnswer.text).not.toBe(first.text);
					expect(
						zuora.stub
							.paymentMethods()
							.map(method => method.accountKey)
							.sort(),
					).toEqual([owner, other].sort());
				},
			),
			{numRuns: 25, seed: 20_261_204},
		);
	});

	/** Loses the answer of a processed request: the stub drops the connection, or the client gives up while Zuora works. */
	const loseTheAnswer = {
		async answerLost(stub: ZuoraStub, pair: Pair, headers: Record<string, string>) {
			stub.failNext(1, 'answerLost');
			await expect(corsPost(stub, CREDIT_CARDS, card(), pair, headers)).rejects.toThrow('fetch failed');
		},
		async clientTimeout(stub: ZuoraStub, pair: Pair, headers: Record<string, string>) {
			const release = stub.holdCreates();
			const client = new AbortController();
			const attempt = corsPost(stub, CREDIT_CARDS, card(), pair, headers, {signal: client.signal});
			await vi.waitFor(() => expect(stub.heldCreates()).toBe(1));
			client.abort(); // the caller's timeout, while Zuora processes
			await expect(attempt).rejects.toMatchObject({name: 'AbortError'});
			release();
			await vi.waitFor(() => expect(stub.paymentMethods()).toHaveLength(1));
		},
	};

	it.each(Object.keys(loseTheAnswer) as Array<keyof typeof loseTheAnswer>)(
		'issue 15.4: 90000011, a re-sign with the same key processed but its answer lost (%s), a retry with the same key: one method',
		async way => {
			const headers = {'idempotency-key': 'checkout-7'};
			const stale = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
			zuora.stub.expireTokens();
			expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), stale, headers), [EXPIRED_TOKEN]);
			// The refused attempt stored nothing: the re-sign under the same key is processed.
			const resigned = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
			await loseTheAnswer[way](zuora.stub, resigned, headers);
			expect(zuora.stub.paymentMethods()).toEqual([expect.objectContaining({idempotencyKey: 'checkout-7'})]);
			const saved = {success: true, paymentMethodId: zuora.stub.paymentMethods()[0]?.id};
			// The caller retries with the same key and a fresh pair: the stored success, never a second method.
			const retry = await corsPost(zuora.stub, CREDIT_CARDS, card(), await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'}), headers);
			expect([retry.status, retry.json]).toEqual([409, saved]);
			// A browser's own re-send of the lost POST (same pair, spent token) gets it too.
			const copy = await corsPost(zuora.stub, CREDIT_CARDS, card(), resigned, headers);
			expect([copy.status, copy.json]).toEqual([409, saved]);
			expect(zuora.stub.paymentMethods()).toHaveLength(1);
			expect(zuora.stub.tokens()).toEqual({issued: 3, used: 2});
		},
	);

	it('a re-sign under another key (the old "<key>-resign") is another request: the retry under the first key saves a second method', async () => {
		const stale = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		zuora.stub.expireTokens();
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), stale, {'idempotency-key': 'k'}), [EXPIRED_TOKEN]);
		const resigned = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		await loseTheAnswer.answerLost(zuora.stub, resigned, {'idempotency-key': 'k-resign'});
		const retry = await corsPost(zuora.stub, CREDIT_CARDS, card(), await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'}), {'idempotency-key': 'k'});
		expect([retry.status, retry.json.success]).toEqual([200, true]);
		expect(zuora.stub.paymentMethods()).toHaveLength(2);
	});

	it('stores nothing for a used token either: a re-sign after it, under the same key, is processed', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).json.success).toBe(true); // spends the pair, no key
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'}), [USED_TOKEN]);
		const resigned = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), resigned, {'idempotency-key': 'k'});
		expect([answer.status, answer.json.success]).toEqual([200, true]);
		expect(zuora.stub.paymentMethods().map(method => method.idempotencyKey)).toEqual([undefined, 'k']);
	});

	it('forgets a key 24 hours after it was stored, as Zuora does (injected clock)', async () => {
		let clock = Date.now();
		const stub = stubInProcess({allowedOrigins: [SHOP], now: () => clock, oauthTokenLifetimeSeconds: 3 * 24 * 60 * 60});
		try {
			const headers = {'idempotency-key': 'k'};
			const sign = () => signFor(stub, {uri: `${stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
			expect((await corsPost(stub, CREDIT_CARDS, card(), await sign(), headers)).status).toBe(200);
			clock += 24 * 60 * 60 * 1000 - 1;
			expect((await corsPost(stub, CREDIT_CARDS, card(), await sign(), headers)).status).toBe(409);
			clock += 1;
			expect((await corsPost(stub, CREDIT_CARDS, card(), await sign(), headers)).status).toBe(200);
			expect(stub.paymentMethods()).toHaveLength(2);
		} finally {
			await stub.close();
		}
	});

	it('stores nothing for a fault that fires before processing', async () => {
		const pair = await signFor(zuora.stub, {uri: uri(), accountKey: 'A00000001'});
		zuora.stub.failNext(1, 'unavailable');
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'})).status).toBe(503);
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {'idempotency-key': 'k'});
		expect([answer.status, answer.json.success]).toEqual([200, true]);
	});
});

describe('faults and latency', () => {
	const zuora = useStub();

	it("'drop' drops the connection at once while Zuora goes on: a held create ends after the client saw the drop, as released", async () => {
		for (const outcome of ['process', 'gatewayTimeout'] as const) {
			zuora.stub.reset();
			// eslint-disable-next-line no-await-in-loop
			const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
			const release = zuora.stub.holdCreates();
			zuora.stub.failNext(1, 'drop');
			// eslint-disable-next-line no-await-in-loop
			await expect(corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).rejects.toThrow('fetch failed');
			// eslint-disable-next-line no-await-in-loop
			await vi.waitFor(() => expect(zuora.stub.heldCreates()).toBe(1));
			// The client has its error; Zuora is still at work, the token spent.
			expect([zuora.stub.paymentMethods(), zuora.stub.tokens()]).toEqual([[], {issued: 1, used: 1}]);
			release(outcome);
			// eslint-disable-next-line no-await-in-loop
			await vi.waitFor(() => expect(zuora.stub.heldCreates()).toBe(0));
			expect(zuora.stub.paymentMethods()).toHaveLength(outcome === 'process' ? 1 : 0);
		}
	});

	it("'answerLost' on Create Account creates the account, and is set over HTTP too", async () => {
		const stub = stubInProcess({allowedOrigins: [SHOP], testMode: true});
		try {
			const made = await call(`${stub.url}/__stub/fail-next`, {method: 'POST', body: JSON.stringify({count: 1, mode: 'answerLost', paths: [ACCOUNTS]})});
			expect(made.json).toEqual({ok: true});
			const pair = await signFor(stub, {uri: `${stub.publicUrl}${ACCOUNTS}`, name: 'Acme Ltd'});
			const body = {name: 'Acme Ltd', currency: 'USD', billToContact: {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'}};
			await expect(corsPost(stub, ACCOUNTS, body, pair)).rejects.toThrow('fetch failed');
			expect(stub.accounts()).toEqual([expect.objectContaining({accountNumber: 'A00000001', name: 'Acme Ltd'})]);
			expect(stub.tokens()).toEqual({issued: 1, used: 1});
		} finally {
			await stub.close();
		}
	});

	it("'html500' answers a proxy's HTML error, count times, then recovers", async () => {
		zuora.stub.failNext(2, 'html500');
		for (let attempt = 0; attempt < 2; attempt++) {
			const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
			expect(answer.status).toBe(500);
			expect(answer.headers.get('content-type')).toBe('text/html');
			expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
			expect(answer.text).toBe('<html><body><h1>500 Internal Server Error</h1></body></html>');
		}
		expect((await createCard(zuora.stub)).json.success).toBe(true);
	});

	it('hits only the given paths, and never a preflight', async () => {
		zuora.stub.failNext(1, 'html500', ['/v1/hmac-signatures']);
		const preflight = await call(`${zuora.stub.url}/v1/hmac-signatures`, {method: 'OPTIONS', headers: {origin: SHOP}});
		expect(preflight.status).toBe(204);
		expect((await postSigning(zuora.stub, '/v1/hmac-signatures', {uri: '', method: 'POST'})).status).toBe(500);
		expect((await createCard(zuora.stub)).json.success).toBe(true);
	});

	it('answers no sooner than the latency (a lower bound: load only makes it later)', async () => {
		zuora.stub.setLatency(150);
		const started = performance.now();
		expect((await call(`${zuora.stub.url}${CREDIT_CARDS}`, {method: 'OPTIONS', headers: {origin: SHOP}})).status).toBe(204);
		expect(performance.now() - started).toBeGreaterThanOrEqual(140);
	});

	it('rejects bad fault arguments', () => {
		expect(() => zuora.stub.failNext(1, 'boom' as any)).toThrow(
			"failNext: mode must be one of 'reset', 'hang', 'html500', 'text500', 'rateLimit', 'unavailable', 'htmlReason', 'answerLost', 'drop', or {status, body?, headers?}",
		);
		expect(() => zuora.stub.setLatency(-1)).toThrow('setLatency: ms must be a non-negative finite number');
	});
});

describe('request log', () => {
	const zuora = useStub();

	it('records headers and status, never the body', async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		await corsPost(zuora.stub, CREDIT_CARDS, card(), pair, {cookie: 'ZSession=abc', 'idempotency-key': 'k-1'});
		expect(zuora.stub.requests()).toEqual([
			{method: 'POST', path: '/oauth/token', origin: null, cookieNames: [], signature: null, token: null, idempotencyKey: null, status: 200},
			{method: 'POST', path: '/v1/hmac-signatures', origin: null, cookieNames: [], signature: null, token: null, idempotencyKey: null, status: 200},
			{method: 'POST', path: CREDIT_CARDS, origin: SHOP, cookieNames: ['ZSession'], signature: pair.signature, token: pair.token, idempotencyKey: 'k-1', status: 200},
		]);
	});

	it('keeps the last requestLogSize requests, oldest first, whatever came before', async () => {
		const small = stubInProcess({requestLogSize: 5});
		for (let index = 0; index < 12; index++) {
			await small.fetch(`${small.url}/v1/nothing/${index}`);
		}

		expect(small.requests().map(entry => [entry.path, entry.status])).toEqual([7, 8, 9, 10, 11].map(index => [`/v1/nothing/${index}`, 404]));
		small.reset();
		await small.fetch(`${small.url}/v1/nothing/after-reset`);
		expect(small.requests().map(entry => entry.path)).toEqual(['/v1/nothing/after-reset']);
		await small.close();
	});

	it('by default, 1,000: the 1,200th request leaves the last 1,000', async () => {
		for (let index = 0; index < 1200; index++) {
			await zuora.stub.fetch(`${zuora.stub.url}/v1/nothing/${index}`);
		}

		const paths = zuora.stub.requests().map(entry => entry.path);
		expect(paths).toHaveLength(1000);
		expect([paths[0], paths.at(-1)]).toEqual(['/v1/nothing/200', '/v1/nothing/1199']);
	});

	it('refuses a requestLogSize that is not a positive integer', () => {
		for (const requestLogSize of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(() => stubInProcess({requestLogSize})).toThrow('startZuoraStub: option "requestLogSize" must be a positive integer');
		}
	});

	it('keeps cookie names, never a cookie value (generated Cookie headers); each header cut to 512 characters', async () => {
		const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
		const value = fc.stringMatching(/^[0-9A-F]{6,40}$/).map(hex => `V${hex}`);
		const spacing = fc.constantFrom('; ', ';', ' ;  ');
		await fc.assert(
			fc.asyncProperty(fc.array(fc.tuple(name, value), {minLength: 1, maxLength: 24}), spacing, async (pairs, between) => {
				zuora.stub.reset();
				await zuora.stub.fetch(`${zuora.stub.url}/v1/nothing`, {headers: {cookie: pairs.map(([key, secret]) => `${key}=${secret}`).join(between), origin: `https://${'o'.repeat(2000)}.example`}});
				const [entry] = zuora.stub.requests();
				expect(entry?.cookieNames).toEqual(pairs.slice(0, 16).map(([key]) => key));
				const logged = JSON.stringify(zuora.stub.requests());
				for (const [, secret] of pairs) {
					expect(logged).not.toContain(secret);
				}

				expect(entry?.origin).toHaveLength(512);
			}),
			{seed: 21_043, numRuns: 60},
		);
	});

	it('never holds a card number or security code in any answer, log or stored method', async () => {
		const numbers = [VISA, '4111111111111112', '4000000000000002', '378282246310005'];
		const answers: string[] = [];
		for (const number of numbers) {
			answers.push((await createCard(zuora.stub, card({creditCardNumber: number, securityCode: '9173'}))).text);
		}

		const everything = [...answers, JSON.stringify(zuora.stub.requests()), JSON.stringify(zuora.stub.paymentMethods())].join('\n');
		for (const number of numbers) {
			expect(everything).not.toContain(number);
		}

		// Random ids (processId, token, signature, method id) may hold any four digits by chance.
		expect(everything.replace(/[0-9A-Za-z+/=]{16,}/g, '')).not.toContain('9173');
		for (const method of zuora.stub.paymentMethods()) {
			expect(Object.keys(method)).not.toContain('creditCardNumber');
			expect(Object.keys(method)).not.toContain('securityCode');
		}
	});
});

describe('other routes', () => {
	const zuora = useStub();

	it('answers 404 with the Zuora envelope', async () => {
		expectFailure(await call(`${zuora.stub.url}/v1/payment-methods`, {method: 'POST', body: '{}'}), [{code: 50000040, message: 'No operation matches POST /v1/payment-methods.'}], 404);
		expectFailure(await call(`${zuora.stub.url}/v1/files`), [{code: 50000040, message: 'No operation matches GET /v1/files.'}], 404);
	});

	it('answers 413 for a body over 1 MiB', async () => {
		const answer = await call(`${zuora.stub.url}${CREDIT_CARDS}`, {method: 'POST', body: 'x'.repeat(1024 * 1024 + 1)});
		expectFailure(answer, [{code: 50000070, message: 'Request body exceeds 1 MiB.'}], 413);
	});

	it('has no test controls without testMode', async () => {
		for (const [method, path] of [
			['GET', '/__stub/requests'],
			['GET', '/__stub/payment-methods'],
			['POST', '/__stub/reset'],
			['POST', '/__stub/fail-next'],
		]) {
			const answer = await call(`${zuora.stub.url}${path}`, {method});
			expect(answer.status).toBe(404);
			expect(answer.json.reasons).toEqual([{code: 50000040, message: `No operation matches ${method} ${path}.`}]);
		}
	});
});

describe('HTTP test controls (testMode)', () => {
	const zuora = useStub({testMode: true});

	function controlPost(path: string, body?: unknown) {
		return call(`${zuora.stub.url}/__stub/${path}`, {method: 'POST', headers: {origin: SHOP}, body: body === undefined ? undefined : JSON.stringify(body)});
	}

	it('drive the stub like its methods, unlogged, with CORS headers', async () => {
		await createCard(zuora.stub);
		const methods = await call(`${zuora.stub.url}/__stub/payment-methods`);
		expect(methods.json).toEqual(zuora.stub.paymentMethods());
		expect(methods.json).toHaveLength(1);

		const failing = await controlPost('fail-next', {count: 1, mode: 'html500'});
		expect(failing.json).toEqual({ok: true});
		expect(failing.headers.get('access-control-allow-origin')).toBe(SHOP);
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), {})).status).toBe(500);

		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		expect((await controlPost('expire-tokens')).json).toEqual({ok: true});
		expectFailure(await corsPost(zuora.stub, CREDIT_CARDS, card(), pair), [EXPIRED_TOKEN]);

		expect((await controlPost('latency', {ms: 5})).json).toEqual({ok: true});
		const logged = await call(`${zuora.stub.url}/__stub/requests`);
		expect(logged.json.map((entry: {path: string}) => entry.path)).toEqual(['/oauth/token', '/v1/hmac-signatures', CREDIT_CARDS, CREDIT_CARDS, '/v1/hmac-signatures', CREDIT_CARDS]);

		expect((await controlPost('reset')).json).toEqual({ok: true});
		expect(zuora.stub.paymentMethods()).toEqual([]);
		expect(zuora.stub.requests()).toEqual([]);
		expect(zuora.stub.tokens()).toEqual({issued: 0, used: 0});
	});

	it('answer 400 for bad arguments', async () => {
		const answer = await controlPost('fail-next', {count: 1, mode: 'explode'});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			ok: false,
			error: "failNext: mode must be one of 'reset', 'hang', 'html500', 'text500', 'rateLimit', 'unavailable', 'htmlReason', 'answerLost', 'drop', or {status, body?, headers?}",
		});
		expect((await controlPost('latency', {ms: 'slow'})).json).toEqual({ok: false, error: 'setLatency: ms must be a non-negative finite number'});
	});
});

describe('invalid token status and string codes', () => {
	it.each([200, 401] as const)('answers a used, unknown or expired token with HTTP %i (invalidTokenStatus)', async status => {
		const stub = stubInProcess({allowedOrigins: [SHOP], invalidTokenStatus: status});
		try {
			const pair = await signFor(stub, {uri: `${stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
			expect((await corsPost(stub, CREDIT_CARDS, card(), pair)).status).toBe(200);
			expectFailure(await corsPost(stub, CREDIT_CARDS, card(), pair), [USED_TOKEN], status);
			expectFailure(await corsPost(stub, CREDIT_CARDS, card(), {signature: 'c2ln', token: 'B'.repeat(32)}), [USED_TOKEN], status);
			const stale = await signFor(stub, {uri: `${stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
			stub.expireTokens();
			const expired = await corsPost(stub, CREDIT_CARDS, card(), stale);
			expectFailure(expired, [EXPIRED_TOKEN], status);
			expect(expired.headers.get('access-control-allow-origin')).toBe(SHOP);
			// A bad signature is not a token problem: always 200.
			const other = await signFor(stub, {uri: `${stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
			expectFailure(await corsPost(stub, CREDIT_CARDS, card({accountKey: 'A2'}), other), [INVALID_SIGNATURE], 200);
		} finally {
			await stub.close();
		}
	});

	it('sends reason codes as strings with stringCodes', async () => {
		const stub = stubInProcess({allowedOrigins: [SHOP], stringCodes: true, invalidTokenStatus: 401});
		try {
			const answer = await corsPost(stub, CREDIT_CARDS, card(), {});
			expect(answer.status).toBe(401);
			expect(answer.json).toEqual({success: false, processId: expect.stringMatching(PROCESS_ID), reasons: [{code: '90000011', message: USED_TOKEN.message}]});
			expect((await createCard(stub, card({expirationMonth: 13}))).json.reasons).toEqual([{code: '53100020', message: 'expirationMonth: invalid value'}]);
		} finally {
			await stub.close();
		}
	});

	it('refuses a status other than 200 or 401', async () => {
		await expect(startZuoraStub({invalidTokenStatus: 403 as any})).rejects.toThrow('startZuoraStub: option "invalidTokenStatus" must be 200 or 401');
	});
});

describe('GET /v1/files/{id}', () => {
	const zuora = useStub({testMode: true});

	async function getFile(id: string, pair?: Pair, headers: Record<string, string> = {}) {
		const path = `/v1/files/${id}`;
		const signed = pair ?? (await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${path}`, method: 'GET'}));
		const response = await zuora.stub.fetch(`${zuora.stub.url}${path}`, {headers: {origin: SHOP, accept: 'application/pdf', signature: signed.signature ?? '', token: signed.token ?? '', ...headers}});
		return {status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer())};
	}

	it('serves the invoice made at start as a valid PDF, signed for its own uri', async () => {
		const [id] = zuora.stub.fileIds();
		expect(zuora.stub.fileIds()).toEqual([expect.stringMatching(HEX32)]);
		const answer = await getFile(id!);
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/pdf;charset=UTF-8');
		expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
		expect(Number(answer.headers.get('content-length'))).toBe(answer.bytes.length);
		const text = answer.bytes.toString('latin1');
		expect(text.startsWith('%PDF-1.4\n')).toBe(true);
		expect(text.endsWith('%%EOF\n')).toBe(true);
		expect(text).toContain('(Invoice INV00000001) Tj');
		// The cross-reference table points at each object.
		const xref = Number(/startxref\n(\d+)\n/.exec(text)?.[1]);
		expect(text.slice(xref, xref + 5)).toBe('xref\n');
		const offsets = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map(match => Number(match[1]));
		expect(offsets.map((offset, index) => text.slice(offset, offset + `${index + 1} 0 obj`.length))).toEqual(['1 0 obj', '2 0 obj', '3 0 obj', '4 0 obj', '5 0 obj']);
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 1});
	});

	it('serves files added by addFile and by the HTTP control', async () => {
		const id = zuora.stub.addFile('Invoice (42) \\ paid');
		expect((await getFile(id)).bytes.toString('latin1')).toContain('(Invoice \\(42\\) \\\\ paid) Tj');
		const made = await call(`${zuora.stub.url}/__stub/files`, {method: 'POST', body: JSON.stringify({text: 'Credit memo'})});
		expect(made.json).toEqual({id: expect.stringMatching(HEX32)});
		expect((await call(`${zuora.stub.url}/__stub/files`)).json).toEqual([zuora.stub.fileIds()[0], id, made.json.id]);
		expect((await getFile(made.json.id)).bytes.toString('latin1')).toContain('(Credit memo) Tj');
		zuora.stub.reset();
		expect(zuora.stub.fileIds()).toHaveLength(1);
		expect(zuora.stub.fileIds()).not.toContain(id);
	});

	it("answers an unknown file with Get File's JSON error, without success", async () => {
		const answer = await getFile('8a8082c45a7b2b65015a7c3b2a5e1a6f');
		expect(answer.status).toBe(404);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(JSON.parse(answer.bytes.toString())).toEqual({reasons: [{code: 'SystemError', message: 'File not found.'}]});
	});

	it('refuses a pair signed for another file, a used pair and no pair, with the CORS envelope', async () => {
		const [id] = zuora.stub.fileIds();
		const otherFile = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}/v1/files/other`, method: 'GET'});
		const refused = await getFile(id!, otherFile);
		expect(refused.status).toBe(200);
		expect(JSON.parse(refused.bytes.toString())).toEqual({success: false, processId: expect.stringMatching(PROCESS_ID), reasons: [INVALID_SIGNATURE]});
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}/v1/files/${id}`, method: 'GET'});
		expect((await getFile(id!, pair)).status).toBe(200);
		expect(JSON.parse((await getFile(id!, pair)).bytes.toString()).reasons).toEqual([USED_TOKEN]);
		expect(JSON.parse((await getFile(id!, {signature: '', token: ''})).bytes.toString()).reasons).toEqual([USED_TOKEN]);
	});
});

describe('POST /v1/rsa-signatures from a browser', () => {
	const zuora = useStub();
	const pageId = '2c92c0f855e2b4630155ec9e6a1b6eec';
	const body = {uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', method: 'POST', pageId};
	const rsaUri = () => `${zuora.stub.publicUrl}/v1/rsa-signatures`;

	it('accepts an HMAC pair signed for its uri and pageId, once', async () => {
		const pair = await signFor(zuora.stub, {uri: rsaUri(), pageId});
		const answer = await corsPost(zuora.stub, '/v1/rsa-signatures', body, pair);
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			signature: expect.stringMatching(/^[A-Za-z0-9+/]{342}==$/),
			token: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
			tenantId: '12270',
			key: expect.any(String),
			success: true,
		});
		expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
		const key = createPublicKey({key: Buffer.from(answer.json.key, 'base64'), format: 'der', type: 'spki'});
		expect(verify('sha256', Buffer.from([body.uri, body.method, pageId, answer.json.token].join('\n')), key, Buffer.from(answer.json.signature, 'base64'))).toBe(true);
		expectFailure(await corsPost(zuora.stub, '/v1/rsa-signatures', body, pair), [USED_TOKEN]);
	});

	it('refuses a pair signed for another pageId or another operation, and no credentials at all', async () => {
		const otherPage = await signFor(zuora.stub, {uri: rsaUri(), pageId: 'another-page'});
		expectFailure(await corsPost(zuora.stub, '/v1/rsa-signatures', body, otherPage), [INVALID_SIGNATURE]);
		const cardPair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`});
		expectFailure(await corsPost(zuora.stub, '/v1/rsa-signatures', body, cardPair), [INVALID_SIGNATURE]);
		const none = await corsPost(zuora.stub, '/v1/rsa-signatures', body, {});
		expect([none.status, none.json]).toEqual([401, {message: 'Authentication error'}]);
	});

	it('answers signature: null with a token for the next count answers (nullRsaSignatureNext)', async () => {
		zuora.stub.nullRsaSignatureNext(2);
		for (let index = 0; index < 2; index++) {
			const {json} = await postSigning(zuora.stub, '/v1/rsa-signatures', body);
			expect(json).toEqual({signature: null, token: expect.stringMatching(/^[A-Za-z0-9]{32}$/), tenantId: '12270', key: expect.any(String), success: true});
		}

		expect((await postSigning(zuora.stub, '/v1/rsa-signatures', body)).json.signature).toEqual(expect.stringMatching(/==$/));
		expect(() => zuora.stub.nullRsaSignatureNext(-1)).toThrow('nullRsaSignatureNext: count must be a non-negative integer');
	});
});

describe('fault answers a library classifies', () => {
	const zuora = useStub({testMode: true});

	it("'text500' answers Zuora's plain-text 500", async () => {
		zuora.stub.failNext(1, 'text500');
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
		expect([answer.status, answer.headers.get('content-type'), answer.text]).toEqual([500, 'text/plain', "We're sorry, but something went wrong."]);
		expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
	});

	it("'rateLimit' answers 429 with ratelimit-* headers (exposed to the page) and reasons", async () => {
		const pair = await signFor(zuora.stub, {uri: `${zuora.stub.publicUrl}${CREDIT_CARDS}`, accountKey: 'A00000001'});
		zuora.stub.failNext(1, 'rateLimit');
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), pair);
		expectFailure(answer, [{code: 50000070, message: 'Too many requests.'}], 429);
		expect(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'].map(name => answer.headers.get(name))).toEqual(['40', '0', '2', null]);
		expect(answer.headers.get('access-control-expose-headers')).toBe(EXPOSED);
		// Refused before processing: the token is still good.
		expect(zuora.stub.tokens()).toEqual({issued: 1, used: 0});
		expect((await corsPost(zuora.stub, CREDIT_CARDS, card(), pair)).json.success).toBe(true);
	});

	it("'unavailable' answers 503 with a temporary-error reason (category 61)", async () => {
		zuora.stub.failNext(1, 'unavailable', [ACCOUNTS]);
		expectFailure(await corsPost(zuora.stub, ACCOUNTS, {}, {}), [{code: 50000061, message: 'Service temporarily unavailable.'}], 503);
	});

	it("'htmlReason' answers a reason whose message holds HTML tags", async () => {
		const made = await call(`${zuora.stub.url}/__stub/fail-next`, {method: 'POST', body: JSON.stringify({count: 1, mode: 'htmlReason'})});
		expect(made.json).toEqual({ok: true});
		const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
		expectFailure(answer, [{code: 53100020, message: '<p>Invalid value for <b>creditCardNumber</b>.<br/>Check the card and retry.</p>'}]);
	});

	it('answers a custom status, JSON body and headers, count times, over HTTP too', async () => {
		const body = {reasons: [{code: '53100061', message: 'Temporary error.'}]};
		zuora.stub.failNext(2, {status: 425, body, headers: {'ratelimit-reset': '7'}});
		for (let index = 0; index < 2; index++) {
			const answer = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
			expect([answer.status, answer.json, answer.headers.get('ratelimit-reset'), answer.headers.get('access-control-allow-origin')]).toEqual([425, body, '7', SHOP]);
		}

		const made = await call(`${zuora.stub.url}/__stub/fail-next`, {method: 'POST', body: JSON.stringify({count: 1, mode: {status: 408}})});
		expect(made.json).toEqual({ok: true});
		const empty = await corsPost(zuora.stub, CREDIT_CARDS, card(), {});
		expect([empty.status, empty.text]).toEqual([408, '']);
		expect(() => zuora.stub.failNext(1, {status: 99})).toThrow('failNext: a custom fault needs a status from 200 to 599');
		expect(() => zuora.stub.failNext(1, {status: 500, headers: {a: 1 as any}})).toThrow("failNext: a custom fault's headers must map names to strings");
	});

	it('makes a null RSA signature through the HTTP control', async () => {
		expect((await call(`${zuora.stub.url}/__stub/null-rsa-signature`, {method: 'POST', body: '{"count":1}'})).json).toEqual({ok: true});
		const {json} = await postSigning(zuora.stub, '/v1/rsa-signatures', {uri: 'https://x.test/p', method: 'POST', pageId: 'p'});
		expect(json.signature).toBeNull();
	});
});

describe('slow-client limits', () => {
	it('refuses bad limits', async () => {
		await expect(startZuoraStub({headersTimeoutMs: 0})).rejects.toThrow('startZuoraStub: option "headersTimeoutMs" must be a positive integer');
		await expect(startZuoraStub({maxConnections: 1.5})).rejects.toThrow('startZuoraStub: option "maxConnections" must be a positive integer');
		await expect(startZuoraStub({headersTimeoutMs: 500, requestTimeoutMs: 400})).rejects.toThrow('startZuoraStub: option "headersTimeoutMs" must not exceed "requestTimeoutMs"');
	});
});
