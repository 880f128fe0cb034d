import fc from 'fast-check';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {createAccount, type CreateAccountOptions} from './account.js';
import {validateCreditCard} from './card.js';
import {ZuoraCorsError} from './errors.js';
import {createPaymentMethod} from './payment-method.js';
import {encodedSecret} from './secret-encodings.test-util.js';
import {startSigner} from './stub-signer.test-util.js';
import {startZuoraStub, type ZuoraStub} from './testing/index.js';

const contact = {firstName: 'Ada', lastName: 'Lovelace', country: 'GB'};
const card = {cardNumber: '4111 1111 1111 1111', expirationMonth: '12', expirationYear: '2031', securityCode: '737', cardHolderInfo: {cardHolderName: 'Ada Lovelace'}};

let stub: ZuoraStub;
let signer: Awaited<ReturnType<typeof startSigner>>;
let accountsUrl: string;
let signatureUrl: string;
beforeAll(async () => {
	stub = await startZuoraStub();
	signer = await startSigner(stub);
	accountsUrl = `${stub.url}/v1/accounts`;
	signatureUrl = signer.sign({uri: accountsUrl, method: 'POST', name: 'Ada Lovelace', echo: '1'});
});
afterAll(async () => Promise.all([signer.close(), stub.close()]));
beforeEach(() => {
	stub.reset();
	signer.received.length = 0;
});

const run = async (options: Partial<CreateAccountOptions> = {}) =>
	createAccount({
		allowedHosts: [stub.url],
		signatureUrl,
		url: accountsUrl,
		account: {currency: 'USD', billToContact: contact, creditCard: card},
		...options,
	});
const failure = async (options: Partial<CreateAccountOptions> = {}) =>
	run(options).then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: unknown) => {
			expect(error).toBeInstanceOf(ZuoraCorsError);
			return error as ZuoraCorsError;
		},
	);
const posts = () => stub.requests().filter(request => request.path === '/v1/accounts');

describe('createAccount against the stub', () => {
	it('creates the account with the inline card, named by the signed name, and sends the backend no card data', async () => {
		const result = await run();
		expect(result).toEqual({success: true, accountId: expect.stringMatching(/^[\da-f]{32}$/), accountNumber: 'A00000001', paymentMethodId: expect.stringMatching(/^[\da-f]{32}$/)});
		expect(stub.accounts()).toEqual([{accountId: result.accountId, accountNumber: 'A00000001', name: 'Ada Lovelace', currency: 'USD', autoPay: false, paymentMethodId: result.paymentMethodId}]);
		expect(stub.paymentMethods().map(({creditCardType, last4, expirationMonth, expirationYear, cardHolderName}) => ({creditCardType, last4, expirationMonth, expirationYear, cardHolderName}))).toEqual(
			[{creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031, cardHolderName: 'Ada Lovelace'}],
		);
		expect(signer.received).toHaveLength(1);
		// Without the servers' origins: a random port may hold the security code's digits.
		expect(JSON.stringify(signer.received).replace(/127\.0\.0\.1:\d+/g, '')).not.toMatch(/4111|737/);
	});

	it('refuses a body name other than the signed one before posting (the token stays unspent)', async () => {
		const error = await failure({account: {name: 'Mallory', currency: 'USD', billToContact: contact, creditCard: card}});
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', ['name']]);
		expect(posts()).toHaveLength(0);
		expect(stub.tokens()).toEqual({issued: 1, used: 0});
	});

	it("sends the body's own name when the pair carries none (the backend signed that name)", async () => {
		const result = await run({account: {name: 'Grace Hopper', currency: 'EUR', billToContact: contact}, signatureUrl: signer.sign({uri: accountsUrl, method: 'POST', name: 'Grace Hopper'})});
		expect(result.paymentMethodId).toBeUndefined();
		expect(stub.accounts().map(account => [account.name, account.currency, account.paymentMethodId])).toEqual([['Grace Hopper', 'EUR', null]]);
	});

	it("keys card errors by the body's paths and sends nothing", async () => {
		const error = await failure({account: {currency: 'USD', billToContact: contact, creditCard: {...card, cardNumber: '4111111111111112', expirationMonth: '13', cardType: 'Laser'}}});
		expect([error.kind, error.stage, error.fields]).toEqual([
			'validation',
			'request',
			{
				'creditCard.cardType': expect.objectContaining({message: 'Choose one of: Visa, Mastercard, American Express, Discover, JCB, Diners Club.'}),
				'creditCard.cardNumber': {code: 'card_number_invalid', message: 'The card number is not valid. Check it for typos.'},
				'creditCard.expirationMonth': {code: 'expiry_month_invalid', message: 'Enter the expiry month, 1 to 12.'},
			},
		]);
		expect(error.message).toBe('The card was not sent (card_invalid: creditCard.cardType, creditCard.cardNumber, creditCard.expirationMonth)');
		expect([signer.received.length, stub.requests().length]).toEqual([0, 0]);
	});

	it("applies exactly createPaymentMethod's card rules, under the body's paths (generated cards)", async () => {
		const field = fc.oneof(
			fc.constant(undefined),
			fc.string({maxLength: 6}),
			fc.integer({min: -5, max: 3000}),
			fc.constantFrom('4111111111111111', '378282246310005', '5555 5555 5555 4444', '4111111111111112', '12', '2031', '123', '1234', 'Visa', 'amex', 'JCB'),
		);
		await fc.assert(
			fc.asyncProperty(fc.record({cardType: field, cardNumber: field, expirationMonth: field, expirationYear: field, securityCode: field}, {requiredKeys: []}), async generated => {
				const expected = validateCreditCard({
					creditCardType: generated.cardType as string,
					creditCardNumber: generated.cardNumber,
					expirationMonth: generated.expirationMonth,
					expirationYear: generated.expirationYear,
					securityCode: generated.securityCode,
				});
				fc.pre(!expected.valid);
				const error = await failure({account: {currency: 'USD', billToContact: contact, creditCard: generated as never}});
				const renamed = Object.fromEntries(
					Object.entries(expected.errors).map(([name, message]) => [`creditCard.${({creditCardType: 'cardType', creditCardNumber: 'cardNumber'} as Record<string, string>)[name] ?? name}`, message]),
				);
				expect(error.fields).toEqual(renamed);
			}),
			{numRuns: 150},
		);
		expect(stub.requests()).toHaveLength(0);
	});

	it("rejects a declined card with the gateway's reason and creates no account", async () => {
		const error = await failure({account: {currency: 'USD', billToContact: contact, creditCard: {...card, cardNumber: '4000000000000002'}}});
		expect([error.kind, error.stage, error.code, error.retryable]).toEqual(['zuora', 'request', 53_100_099, false]);
		expect(error.reasons[0]!.message).toBe('Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.');
		expect([stub.accounts().length, stub.paymentMethods().length]).toEqual([0, 0]);
	});

	it('creates the account with a payment method made earlier (hpmCreditCardPaymentMethodId)', async () => {
		const {paymentMethodId} = await createPaymentMethod({
			allowedHosts: [stub.url],
			signatureUrl: signer.sign({uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST'}),
			url: `${stub.url}/v1/payment-methods/credit-cards`,
			card: {creditCardNumber: '5555555555554444', expirationMonth: 1, expirationYear: 2032, securityCode: '123'},
		});
		const result = await run({account: {currency: 'USD', billToContact: contact, hpmCreditCardPaymentMethodId: paymentMethodId, autoPay: true}});
		expect(result.paymentMethodId).toBe(paymentMethodId);
		expect(stub.accounts().map(account => [account.accountNumber, account.autoPay, account.paymentMethodId])).toEqual([['A00000001', true, paymentMethodId]]);
		expect(stub.paymentMethods().map(method => method.accountKey)).toEqual(['A00000001']);
	});

	describe('without a card inline (a payment method made earlier): one re-sign on 90000011, nothing of a card sent twice', () => {
		/** An account body naming a payment method created first (its own signer pair: not counted below). */
		const withoutCard = async () => {
			const {paymentMethodId} = await createPaymentMethod({
				allowedHosts: [stub.url],
				signatureUrl: signer.sign({uri: `${stub.url}/v1/payment-methods/credit-cards`, method: 'POST'}),
				url: `${stub.url}/v1/payment-methods/credit-cards`,
				card: {creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031, securityCode: '737'},
			});
			signer.received.length = 0;
			return {currency: 'USD', billToContact: contact, hpmCreditCardPaymentMethodId: paymentMethodId};
		};

		it('re-signs once on 90000011 (a prefetched pair already expired), with the same Idempotency-Key', async () => {
			const prefetched = await signer.pair({uri: accountsUrl, method: 'POST', name: 'Ada Lovelace'});
			stub.expireTokens();
			const account = await withoutCard();
			const result = await run({signature: {...prefetched, name: 'Ada Lovelace'}, idempotencyKey: 'signup-1', account});
			expect(result.accountNumber).toBe('A00000001');
			expect(posts().map(request => [request.token === prefetched.token, request.idempotencyKey, request.status])).toEqual([
				[true, 'signup-1', 200],
				[false, 'signup-1', 200],
			]);
			expect(signer.received).toHaveLength(1);
			expect(stub.accounts()).toHaveLength(1);
		});

		it('re-signs after a 401 with the string code "90000011" too, and gives up after that one re-sign', async () => {
			const account = await withoutCard();
			stub.failNext(2, {status: 401, body: {success: false, reasons: [{code: '90000011', message: 'this resource is protected, please sign in first'}]}}, ['/v1/accounts']);
			const error = await failure({account});
			expect([error.kind, error.status, error.code, error.retryable]).toEqual(['zuora', 401, '90000011', true]);
			expect([signer.received.length, posts().length, stub.accounts().length]).toEqual([2, 2, 0]);
		});

		it('without signatureUrl, throws the 90000011 of a prefetched pair as is (nothing to re-sign with)', async () => {
			const prefetched = await signer.pair({uri: accountsUrl, method: 'POST', name: 'Ada Lovelace'});
			stub.expireTokens();
			const account = await withoutCard();
			const error = await failure({signature: {...prefetched, name: 'Ada Lovelace'}, signatureUrl: undefined, account});
			expect([error.kind, error.code, error.retryable]).toEqual(['zuora', 90_000_011, true]);
			expect([signer.received.length, posts().length, stub.accounts().length]).toEqual([0, 1, 0]);
		});
	});

	describe("a card inline: a 90000011 at the first attempt is never re-signed (it may be the browser's copy, and nothing finds an account later)", () => {
		it("the browser's copy: the first copy created the account, the page's meets the spent token; one account, the outcome unknown", async () => {
			const prefetched = await signer.pair({uri: accountsUrl, method: 'POST', name: 'Ada Lovelace'});
			const first = await fetch(accountsUrl, {
				method: 'POST',
				headers: {signature: prefetched.signature, token: prefetched.token, 'content-type': 'application/json'},
				body: JSON.stringify({name: 'Ada Lovelace', currency: 'USD', billToContact: contact, creditCard: {...card, cardType: 'Visa', cardNumber: '4111111111111111'}}),
			});
			expect(first.status).toBe(200);
			const error = await failure({signature: {...prefetched, name: 'Ada Lovelace'}});
			expect([error.kind, error.stage, error.code, error.retryable, error.message.endsWith(': not_resent')]).toEqual(['invalid-response', 'request', 90_000_011, false, true]);
			expect([signer.received.length, posts().length, stub.accounts().length]).toEqual([1, 2, 1]);
		});

		it.each([
			['signatureUrl given', {}],
			['signatureUrl given, an Idempotency-Key', {idempotencyKey: 'signup-4'}],
			['no signatureUrl', {signatureUrl: undefined}],
		])('an expired prefetched pair, %s: not_resent, nothing created, no second signature', async (_name, options: Partial<CreateAccountOptions>) => {
			const prefetched = await signer.pair({uri: accountsUrl, method: 'POST', name: 'Ada Lovelace'});
			stub.expireTokens();
			const error = await failure({signature: {...prefetched, name: 'Ada Lovelace'}, ...options});
			expect([error.kind, error.retryable, error.message.endsWith(': not_resent')]).toEqual(['invalid-response', false, true]);
			expect([signer.received.length, posts().length, stub.accounts().length]).toEqual([1, 1, 0]);
		});

		it.each([{type: 'CreditCard', cardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031, securityCode: '737'}, {type: 'ACH'}, {}, null])(
			"Zuora's paymentMethod (%o) is refused before anything is signed or sent: a card goes as creditCard",
			async paymentMethod => {
				const error = await failure({account: {currency: 'USD', billToContact: contact, paymentMethod} as unknown as CreateAccountOptions['account']});
				expect([error.kind, error.stage, Object.keys(error.fields ?? {}), error.fields?.['account']?.message]).toEqual(['validation', 'request', ['account'], 'payment_method_inline']);
				expect(error.message).not.toMatch(/4111|737/);
				expect([signer.received.length, stub.requests().length]).toEqual([0, 0]);
			},
		);

		it('a lost answer (the account was created): the unknown outcome as is, never sent again', async () => {
			stub.failNext(1, 'answerLost', ['/v1/accounts']);
			const error = await failure();
			expect([error.kind, error.retryable]).toEqual(['network', false]);
			expect([signer.received.length, posts().length, stub.accounts().length]).toEqual([1, 1, 1]);
		});
	});

	it("refuses a URL that is not Create Account's, and card data bound for the backend, before anything is sent", async () => {
		const wrongPath = await failure({url: `${stub.url}/v1/payment-methods/credit-cards`});
		const cardToBackend = await failure({signatureOptions: {method: 'POST', json: {card: '4111-1111-1111-1111'}}});
		expect([wrongPath, cardToBackend].map(error => [error.kind, Object.keys(error.fields ?? {})])).toEqual([
			['validation', ['url']],
			['validation', ['signatureOptions']],
		]);
		expect([signer.received.length, stub.requests().length]).toEqual([0, 0]);
	});

	it('refuses the number or the security code however it is written, in the body, a header or the URL (generated)', async () => {
		const placed = fc.constantFrom('4111111111111111', '737').chain(value =>
			fc.oneof(
				encodedSecret(value).map(text => ({signatureOptions: {method: 'POST' as const, json: {note: `card ${text}`}}})),
				encodedSecret(value, true).map(text => ({signatureOptions: {headers: {'X-Note': `card ${text}`}}})),
				encodedSecret(value).map(text => ({signatureUrl: `${signatureUrl}${signatureUrl.includes('?') ? '&' : '?'}note=${text}`})),
			),
		);
		await fc.assert(
			fc.asyncProperty(placed, async override => {
				stub.reset();
				signer.received.length = 0;
				const error = await failure(override);
				expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'signature', ['signatureOptions']]);
				expect([signer.received.length, stub.requests().length]).toEqual([0, 0]);
			}),
			{numRuns: 100},
		);
	});
});

describe('createAccount: the signature answer is the contract (uri, method, name)', () => {
	it('needs no url and no name when the backend answers what it signed', async () => {
		const result = await createAccount({allowedHosts: [stub.url], signatureUrl, account: {currency: 'USD', billToContact: contact, creditCard: card}});
		expect(result.accountNumber).toBe('A00000001');
		expect(stub.accounts().map(account => account.name)).toEqual(['Ada Lovelace']);
	});

	it.each([
		['a page url on another path', {url: 'STUB/v1/payment-methods/credit-cards'}, 'url'],
		['a page name the backend did not sign', {account: {name: 'Eve', currency: 'USD', billToContact: contact, creditCard: card}}, 'name'],
	])('refuses %s before anything reaches Zuora', async (_name, override, field) => {
		const options = 'url' in override ? {url: override.url.replace('STUB', stub.url)} : override;
		const error = await failure(options as Partial<CreateAccountOptions>);
		expect([error.kind, error.stage, Object.keys(error.fields ?? {})]).toEqual(['validation', 'request', [field]]);
		expect(stub.requests().filter(request => request.path === '/v1/accounts')).toEqual([]);
	});
});
