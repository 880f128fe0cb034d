import {test as base, expect, type Page} from '@playwright/test';
import {startMerchantServer, type MerchantOptions, type MerchantServer} from '../demo/merchant-server.mjs';
import {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from 'zuora-cors/testing';

/** A card the stub accepts; its number and code must never show up outside the Zuora request. */
export const CARD = {name: 'Ada Lovelace', number: '4111111111111111', month: '12', year: '2031', cvv: '737'};

type Demo = {
	stub: ZuoraStub;
	merchant: MerchantServer;
	/** Starts another merchant origin against the same stub (allowed by CORS unless `allowed: false`). */
	startMerchant(options?: Partial<MerchantOptions> & {allowed?: boolean}): Promise<MerchantServer>;
};

type Fixtures = {
	demo: Demo;
	/** Console lines the page printed, to prove card data never reaches them. */
	consoleLines: string[];
};

type WorkerFixtures = {
	servers: {stub: ZuoraStub; merchant: MerchantServer};
	stubOptions: ZuoraStubOptions;
};

/**
 * Each worker gets its own stub Zuora and merchant backend on free ports (limits raised: one
 * worker opens more than 30 checkout sessions a minute): two origins on
 * 127.0.0.1, so CORS applies, yet one site, so the SameSite=Lax session cookie proves whether
 * the browser sent credentials. Every test starts from an empty stub.
 */
export const test = base.extend<Fixtures, WorkerFixtures>({
	stubOptions: [{testMode: true}, {scope: 'worker', option: true}],
	servers: [async ({stubOptions}, use) => {
		const stub = await startZuoraStub(stubOptions);
		const merchant = await startMerchantServer({zuoraBaseUrl: stub.url, sessionLimit: {limit: 1000, windowMs: 60_000}, ipLimit: {limit: 1000, windowMs: 60_000}, sessionCreationLimit: {limit: 1000, windowMs: 60_000}});
		stub.allowOrigin(merchant.origin);
		await use({stub, merchant});
		await Promise.all([merchant.close(), stub.close()]);
	}, {scope: 'worker'}],
	demo: async ({servers}, use) => {
		servers.stub.reset();
		const extra: MerchantServer[] = [];
		await use({
			...servers,
			async startMerchant({allowed = true, ...options} = {}) {
				const merchant = await startMerchantServer({zuoraBaseUrl: servers.stub.url, ...options});
				if (allowed) {
					servers.stub.allowOrigin(merchant.origin);
				}

				extra.push(merchant);
				return merchant;
			},
		});
		await Promise.all(extra.map(async merchant => merchant.close()));
	},
	consoleLines: async ({page}, use) => {
		const lines: string[] = [];
		page.on('console', message => lines.push(message.text()));
		page.on('pageerror', error => lines.push(`${error.name}: ${error.message}`));
		await use(lines);
		expect(lines.join('\n')).not.toContain(CARD.number);
	},
});

export {expect};

/** Fills the checkout form the way a shopper would. */
export async function fillCard(page: Page, card: Partial<typeof CARD> = {}) {
	const {name, number, month, year, cvv} = {...CARD, ...card};
	await page.getByLabel('Name on card').fill(name);
	await page.getByLabel('Card number').fill(number);
	await page.getByLabel('Month').fill(month);
	await page.getByLabel('Year').fill(year);
	await page.getByLabel('Security code').fill(cvv);
}

/** The stub's log of calls to the create operations (preflights excluded). */
export function creates(stub: ZuoraStub) {
	return stub.requests().filter(request => request.method === 'POST' && request.path.startsWith('/v1/') && !request.path.includes('signatures'));
}

/** A URL without its scheme, host and port: what a leak check reads (a random port may hold a card's digits). */
export function withoutOrigin(url: string): string {
	try {
		const parsed = new URL(url);
		return parsed.origin === 'null' ? url : url.slice(parsed.origin.length);
	} catch {
		return url;
	}
}
