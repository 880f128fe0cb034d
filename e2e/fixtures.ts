import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {test as base, expect, type Page} from '@playwright/test';
import {type CardFrameServer, startCardFrameServer} from '../demo/card-frame-server.mjs';
import {createMerchant, SIGNATURE_ROUTES, type MerchantOptions as DemoOptions} from '../demo/merchant-server.mjs';
import {SESSION_CREATION_LIMITS} from '../demo/sessions.mjs';
import {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from 'zuora-cors/testing';

/** A card the stub accepts; its number and code must never show up outside the Zuora request. */
export const CARD = {name: 'Ada Lovelace', number: '4111111111111111', month: '12', year: '2031', cvv: '737'};

type RateLimit = {limit: number; windowMs: number};

/** The demo backend's options, plus the knobs tests turn (the demo itself has none of them). */
export type MerchantOptions = Partial<Omit<DemoOptions, 'zuoraBaseUrl'>> & {
	/** Signatures per session. Default: the demo's. */
	sessionLimit?: RateLimit;
	/** Signatures per client address. Default: the demo's. */
	ipLimit?: RateLimit;
	/** New sessions per window, at every address prefix. Default: the demo's. */
	sessionCreationLimit?: RateLimit;
	/** The path the card signature signs instead of Zuora's (to see Zuora refuse it). */
	creditCardsPath?: string;
	/** Whether the stub allows this merchant's origin (CORS). Default: true. */
	allowed?: boolean;
};

export type MerchantServer = {
	url: string;
	origin: string;
	/** Every CSP report the pages sent, as the browser sent it (raw: a leak in a report must be visible). */
	cspReports(): string[];
	close(): Promise<void>;
};

const RAISED = {limit: 1000, windowMs: 60_000};

/** One allowance of new sessions for every address prefix (tests open them all from 127.0.0.1). */
function everyPrefix({limit, windowMs}: RateLimit) {
	const levels = Object.keys(SESSION_CREATION_LIMITS.perPrefix) as Array<keyof typeof SESSION_CREATION_LIMITS.perPrefix>;
	return {windowMs, perPrefix: Object.fromEntries(levels.map(level => [level, limit])) as Record<(typeof levels)[number], number>};
}

/**
 * The demo backend on a free port, behind a listener that keeps every CSP report the browser
 * sends (the demo itself only logs a masked summary).
 */
export async function startMerchant(
	zuoraBaseUrl: string,
	{sessionLimit, ipLimit, sessionCreationLimit, creditCardsPath, allowed: _allowed, ...options}: MerchantOptions = {},
): Promise<MerchantServer> {
	const rule = ({limit, windowMs}: RateLimit) => ({points: limit, duration: Math.max(1, Math.ceil(windowMs / 1000))});
	const listener = await createMerchant({
		zuoraBaseUrl,
		// One configured account (as a real tenant's demo has), so the specs can name it; the
		// demo's default, an account per session, is tested in demo/merchant-server.test.mjs.
		accountKey: 'A00000001',
		...options,
		// Every test's browser is 127.0.0.1: one /24, so the network limit is raised with the address's,
		// never below the default (120 a minute): a test of a low address limit has its neighbour answered.
		limits: {account: false, ...(sessionLimit ? {session: rule(sessionLimit)} : {}), ...(ipLimit ? {address: rule(ipLimit), network: rule({...ipLimit, limit: Math.max(ipLimit.limit, 120)})} : {})},
		...(sessionCreationLimit ? {sessions: {creationLimits: everyPrefix(sessionCreationLimit)}} : {}),
		...(creditCardsPath ? {routes: {...SIGNATURE_ROUTES, '/signature': {operation: 'credit-card', uri: zuoraBaseUrl + creditCardsPath}}} : {}),
	});
	const reports: string[] = [];
	const server = createServer((request: IncomingMessage, response: ServerResponse) => {
		if (request.method !== 'POST' || request.url !== '/__csp-report') {
			listener(request, response);
			return;
		}

		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			reports.push(Buffer.concat(chunks).toString('utf8'));
			response.writeHead(204).end();
		});
	});
	const {url, close} = await listening(server);
	return {url, origin: url, cspReports: () => [...reports], close};
}

/** `server` listening on a free port of 127.0.0.1: its URL, and a close that ends its open connections first. */
export async function listening(server: Server) {
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

type Demo = {
	stub: ZuoraStub;
	merchant: MerchantServer;
	/** The merchant's card origin (demo/card-frame-server.mjs): the frame of the checkout at `/`. */
	cardFrame: CardFrameServer;
	/** Starts another merchant origin against the same stub (allowed by CORS unless `allowed: false`). */
	startMerchant(options?: MerchantOptions): Promise<MerchantServer>;
};

type Fixtures = {
	demo: Demo;
	/** Console lines the page printed, to prove card data never reaches them. */
	consoleLines: string[];
};

type WorkerFixtures = {
	servers: {stub: ZuoraStub; merchant: MerchantServer; cardFrame: CardFrameServer};
	stubOptions: ZuoraStubOptions;
};

/**
 * Each worker gets its own stub Zuora and merchant backend on free ports (limits raised: one
 * worker opens more than 30 checkout sessions a minute): two origins on
 * 127.0.0.1, so CORS applies, yet one site, so the SameSite=Strict session cookie proves whether
 * the browser sent credentials. Every test starts from an empty stub.
 */
export const test = base.extend<Fixtures, WorkerFixtures>({
	// The request log holds a test's whole story: the polluted-prototype specs make about 500 saves (a
	// preflight and a POST each), over the stub's default ring of 1,000.
	stubOptions: [
		{testMode: true, requestLogSize: 5000},
		{scope: 'worker', option: true},
	],
	servers: [
		async ({stubOptions}, use) => {
			const stub = await startZuoraStub(stubOptions);
			// The card origin first: the merchant names it (frameOrigin, its CSP), then it learns the merchant's.
			const cardFrame = await startCardFrameServer();
			const merchant = await startMerchant(stub.url, {sessionLimit: RAISED, ipLimit: RAISED, sessionCreationLimit: RAISED, frameOrigin: cardFrame.origin});
			cardFrame.serve({shopOrigin: merchant.origin, zuoraBaseUrl: stub.url});
			stub.allowOrigin(merchant.origin);
			stub.allowOrigin(cardFrame.origin);
			await use({stub, merchant, cardFrame});
			await Promise.all([merchant.close(), cardFrame.close(), stub.close()]);
		},
		{scope: 'worker'},
	],
	demo: async ({servers}, use) => {
		servers.stub.reset();
		const extra: MerchantServer[] = [];
		await use({
			...servers,
			async startMerchant(options = {}) {
				const merchant = await startMerchant(servers.stub.url, options);
				if (options.allowed !== false) {
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

/**
 * Generated variants of one class are split between the engines: variant `index` runs in one of
 * them (tagged), so together they run every variant (CI time: issue 24). Firefox over WebDriver
 * BiDi takes about three times Chromium's time for these pages here, so it runs every third
 * variant and Chromium the others. The projects of playwright.config.ts leave out the other
 * engine's tag. Only for variants whose subject is not the engine (parser restructuring, markup
 * injections); what differs by engine (CORS, fetch, the clock, frames) runs in both.
 */
export function oneEngine(index: number): {tag: string} {
	return {tag: index % 3 === 1 ? '@firefox' : '@chromium'};
}

/** CARD as a card POST's body carries it to Zuora (the fixture's account, a Visa), with `extra` fields. */
export function cardBody(extra: Record<string, unknown> = {}) {
	return {
		accountKey: 'A00000001',
		creditCardType: 'Visa',
		creditCardNumber: CARD.number,
		expirationMonth: Number(CARD.month),
		expirationYear: Number(CARD.year),
		securityCode: CARD.cvv,
		cardHolderInfo: {cardHolderName: CARD.name},
		...extra,
	};
}

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

/** Gaps between the default reconcile questions: at 2, 6, 14, 30, 62 and 90 s after a card's outcome became unknown. */
export const RECONCILE_GAPS = [2000, 4000, 8000, 16_000, 32_000, 28_000] as const;

/** The stub's log of the backend's reads of an account's card list (one per reconcile question). */
export function cardListings(stub: ZuoraStub) {
	return stub.requests().filter(request => request.method === 'GET' && request.path.startsWith('/v1/payment-methods/credit-cards/accounts/'));
}

/** The page's clock stops (installed before the page loaded): from now on only the test moves it, question by question (`recordQuestionTimers`). */
export async function pauseClock(page: Page) {
	await page.clock.pauseAt(Date.now() + 1000);
	await recordQuestionTimers(page);
}

/**
 * Records the delay of each timer the library sets before a reconcile question (its wait is a
 * promise's own `resolve`, a native function, for one of the schedule's gaps; the busy status's
 * 4 s timer is an arrow, the signature's race passes an argument). A test moves the page's clock
 * only once the page has set the timer it means to fire: on a busy machine the answer before it
 * can still be on its way, and a clock moved before the timer exists moves nothing. Installed
 * once per page (a second call keeps the first record).
 */
export async function recordQuestionTimers(page: Page) {
	await page.evaluate(
		gaps => {
			const w = window as unknown as {questionTimers?: number[]};
			if (w.questionTimers) {
				return;
			}

			const timers: number[] = [];
			w.questionTimers = timers;
			const set = window.setTimeout;
			window.setTimeout = ((handler: TimerHandler, ms?: number, ...rest: unknown[]) => {
				if (typeof handler === 'function' && rest.length === 0 && gaps.includes(ms ?? 0) && Function.prototype.toString.call(handler).includes('[native code]')) {
					timers.push(ms!);
				}

				return set(handler, ms, ...rest);
			}) as typeof window.setTimeout;
		},
		[...RECONCILE_GAPS] as number[],
	);
}

/** Waits until the page has read the answers before question `index` (0-based) of its first settle window and set the timer for it, and no other. */
export async function awaitQuestionTimer(page: Page, index: number) {
	const timers = async () => page.evaluate(() => (window as unknown as {questionTimers: number[]}).questionTimers);
	await expect.poll(timers).toEqual(RECONCILE_GAPS.slice(0, index + 1));
}

/**
 * Runs the page's paused clock through its first settle window (`pauseClock` before the click),
 * each reconcile question answered before the next: the clock moves once per question, and only
 * once the page has set that question's timer (`awaitQuestionTimer`). Never while a question is in
 * flight: its own `reconcileTimeout` runs on the same clock, and an advance then would time it out.
 */
export async function runSettleWindow(page: Page, stub: ZuoraStub) {
	const before = cardListings(stub).length;
	for (const [index, gap] of RECONCILE_GAPS.entries()) {
		await awaitQuestionTimer(page, index);
		await page.clock.runFor(gap);
		// Each question reached Zuora's card list (the backend's reconcile) before the next is timed.
		await expect.poll(() => cardListings(stub).length).toBe(before + index + 1);
	}
}
