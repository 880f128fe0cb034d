// The three other CORS operations in real browsers against the stub, through the demo's account
// page and its backend's signature endpoints: createAccount (inline card, HPM id), getFile (the
// invoice PDF, bytes checked) and createPaymentPageSignature (verified with the returned key).
import {createHash, createPublicKey, verify} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import type {Page} from '@playwright/test';
import type {ZuoraStub} from 'zuora-cors/testing';
import {CARD, expect, fillCard, test} from './fixtures.js';

/** What a merchant's backend does, from Node (no CORS): a signed request straight to the stub. */
async function signedFetch(stub: ZuoraStub, method: string, path: string, signed: Record<string, string> = {}, body?: unknown) {
	const oauth = (await (
		await fetch(`${stub.url}/oauth/token`, {method: 'POST', body: new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials'})})
	).json()) as {access_token: string};
	const pair = (await (
		await fetch(`${stub.url}/v1/hmac-signatures`, {
			method: 'POST',
			headers: {authorization: `Bearer ${oauth.access_token}`, 'content-type': 'application/json'},
			body: JSON.stringify({uri: stub.url + path, method, ...signed}),
		})
	).json()) as {signature: string; token: string};
	return fetch(stub.url + path, {method, headers: {signature: pair.signature, token: pair.token, 'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)});
}

async function accountPage(page: Page, demo: {stub: ZuoraStub; startMerchant: (options: object) => Promise<{url: string; origin: string}>}) {
	const merchant = await demo.startMerchant({invoiceFileId: () => demo.stub.fileIds()[0]});
	await page.goto(`${merchant.url}/account.html`);
	return merchant;
}

const accountPosts = (stub: ZuoraStub) => stub.requests().filter(request => request.method === 'POST' && request.path === '/v1/accounts');

test.describe('all four CORS operations', () => {
	test('createAccount with an inline card, from the account page', async ({page, demo, consoleLines}) => {
		const merchant = await accountPage(page, demo);
		await page.getByLabel('First name').fill('Ada');
		await page.getByLabel('Last name').fill('Lovelace');
		await fillCard(page);
		await page.getByRole('button', {name: 'Create account'}).click();
		const result = page.locator('#account-result');
		await expect(result).toHaveText('Account A00000001 created.');
		const accounts = demo.stub.accounts();
		expect(accounts).toEqual([
			{
				accountId: expect.stringMatching(/^[\da-f]{32}$/),
				accountNumber: 'A00000001',
				name: 'Demo Shopper',
				currency: 'USD',
				autoPay: false,
				paymentMethodId: await result.getAttribute('data-payment-method-id'),
			},
		]);
		expect(demo.stub.paymentMethods().map(method => [method.accountKey, method.creditCardType, method.last4, method.cardHolderName])).toEqual([['A00000001', 'Visa', '1111', CARD.name]]);
		expect(accountPosts(demo.stub).map(request => [request.origin, request.status])).toEqual([[merchant.origin, 200]]);
		expect(consoleLines).toEqual([]);
	});

	test('createAccount: a declined card shows a plain decline sentence and creates no account', async ({page, demo}) => {
		await accountPage(page, demo);
		await page.getByLabel('First name').fill('Ada');
		await page.getByLabel('Last name').fill('Lovelace');
		await fillCard(page, {number: '4000000000000002'});
		await page.getByRole('button', {name: 'Create account'}).click();
		const error = page.locator('#account-error');
		// describeError's sentence for a generic decline, not the gateway's jargon.
		await expect(error).toHaveText('Your card was declined. Please use another card or contact your bank.');
		await expect(error).toHaveAttribute('data-message', 'card_declined');
		await expect(error).toHaveAttribute('data-code', '53100099');
		expect([demo.stub.accounts().length, demo.stub.paymentMethods().length]).toEqual([0, 0]);
	});

	test('createAccount with a payment method made earlier (hpmCreditCardPaymentMethodId)', async ({page, demo}) => {
		const orphan = (await (
			await signedFetch(demo.stub, 'POST', '/v1/payment-methods/credit-cards', {}, {creditCardType: 'MasterCard', creditCardNumber: '5555555555554444', expirationMonth: 3, expirationYear: 2033})
		).json()) as {paymentMethodId: string};
		await accountPage(page, demo);
		const result = await page.evaluate(
			async ({url, id}) => {
				const account = await ZuoraCors.createAccount({
					signatureUrl: '/signature/account',
					signatureOptions: {method: 'POST'},
					url,
					allowedHosts: [new URL(url).origin],
					account: {currency: 'EUR', billToContact: {firstName: 'Grace', lastName: 'Hopper', country: 'US'}, hpmCreditCardPaymentMethodId: id, autoPay: true},
				});
				return {accountNumber: account.accountNumber, paymentMethodId: account.paymentMethodId};
			},
			{url: `${demo.stub.url}/v1/accounts`, id: orphan.paymentMethodId},
		);
		expect(result).toEqual({accountNumber: 'A00000001', paymentMethodId: orphan.paymentMethodId});
		expect(demo.stub.accounts().map(account => [account.name, account.currency, account.autoPay, account.paymentMethodId])).toEqual([['Demo Shopper', 'EUR', true, orphan.paymentMethodId]]);
	});

	test('getFile downloads the invoice PDF: the exact bytes the stub serves', async ({page, demo, browserName}) => {
		const expected = Buffer.from(await (await signedFetch(demo.stub, 'GET', `/v1/files/${demo.stub.fileIds()[0]!}`)).arrayBuffer());
		expect(expected.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		await accountPage(page, demo);
		await page.getByRole('button', {name: 'Download invoice (PDF)'}).click();
		const link = page.locator('#invoice-link');
		await expect(link).toBeVisible();
		await expect(link).toHaveAttribute('data-size', String(expected.length));
		await expect(link).toHaveAttribute('data-sha256', createHash('sha256').update(expected).digest('hex'));
		// The Blob the link saves, read back in the page.
		const linked = Buffer.from(await page.evaluate(async () => Array.from(new Uint8Array(await (window as unknown as {invoice: Blob}).invoice.arrayBuffer()))));
		expect(linked.equals(expected)).toBe(true);
		// Firefox over WebDriver BiDi reports no download events: the saved file is checked in Chromium.
		if (browserName === 'chromium') {
			const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
			const saved = await readFile((await download.path())!);
			expect([download.suggestedFilename(), saved.subarray(0, 5).toString('latin1'), saved.equals(expected)]).toEqual(['invoice.pdf', '%PDF-', true]);
		}

		const gets = demo.stub.requests().filter(request => request.method === 'GET' && request.path.startsWith('/v1/files/'));
		expect(gets.map(request => request.status)).toEqual([200, 200]);
	});

	test("getFile: an unknown file is Get File's JSON error, with its string code", async ({page, demo}) => {
		const merchant = await demo.startMerchant({invoiceFileId: '0123456789abcdef0123456789abcdef'});
		await page.goto(`${merchant.url}/account.html`);
		await page.getByRole('button', {name: 'Download invoice (PDF)'}).click();
		const error = page.locator('#invoice-error');
		await expect(error).toHaveAttribute('data-code', 'SystemError');
		await expect(error).toHaveAttribute('data-kind', 'http');
	});

	test('createPaymentPageSignature: an RSA signature for the signed page, verified with the returned key; a null one rejected', async ({page, demo}) => {
		await accountPage(page, demo);
		const call = async () =>
			page.evaluate(
				async url =>
					ZuoraCors.createPaymentPageSignature({
						signatureUrl: '/signature/payment-page',
						signatureOptions: {method: 'POST'},
						url,
						allowedHosts: [new URL(url).origin],
						uri: 'https://apisandbox.zuora.com/apps/PublicHostedPageLite.do',
					}).then(
						answer => ({signature: answer.signature, token: answer.token, tenantId: answer.tenantId, key: answer.key}),
						(error: {kind: string; message: string}) => ({kind: error.kind, message: error.message}),
					),
				`${demo.stub.url}/v1/rsa-signatures`,
			);
		const answer = (await call()) as {signature: string; token: string; tenantId: string; key: string};
		expect(answer.tenantId).toBe('12270');
		const key = createPublicKey({key: Buffer.from(answer.key, 'base64'), format: 'der', type: 'spki'});
		expect(
			verify('sha256', Buffer.from(['https://apisandbox.zuora.com/apps/PublicHostedPageLite.do', 'POST', 'demo-payment-page', answer.token].join('\n')), key, Buffer.from(answer.signature, 'base64')),
		).toBe(true);

		demo.stub.nullRsaSignatureNext(1);
		const refused = (await call()) as {kind: string; message: string};
		expect(refused.kind).toBe('invalid-response');
		expect(refused.message).toBe(`POST ${demo.stub.url}/v1/rsa-signatures answered: no_signature`);
	});
});

declare const ZuoraCors: typeof import('zuora-cors');
