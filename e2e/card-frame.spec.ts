// Layouts of the framed card fields on loopback (issue 22): the checkout page on 127.0.0.1:A, the
// merchant backend (session, /signature, /reconcile) on 127.0.0.1:M, the card frame
// (createCardFrameHandler) on 127.0.0.1:C or localhost:C, the stub Zuora on its own port. Ports
// are ignored by "site", so 127.0.0.1:* is one site (the SameSite=Strict session cookie flows)
// and localhost is another.
import {readFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Page} from '@playwright/test';
import type {} from 'zuora-cors/global';
import {createCardFrameHandler, toNodeListener, type CardFrameHandler} from 'zuora-cors/server';
import {CARD, creates, expect, test, type MerchantServer} from './fixtures.js';

const dist = new URL('../dist/', import.meta.url);
const FRAMES_BUNDLE = readFileSync(new URL('zuora-cors-frames.iife.min.js', dist), 'utf8');

/** A server on a free 127.0.0.1 port; its listener may be set after it listens (origins depend on each other). */
async function listen(listener?: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void) {
	let handle = listener;
	const server: Server = createServer((request, response) => {
		handle ? handle(request, response) : response.writeHead(503).end();
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		port: (server.address() as AddressInfo).port,
		set(next: typeof listener) {
			handle = next;
		},
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/** The checkout page: loads the frames script-tag bundle and mounts the card fields (its own strict CSP). */
function checkoutPage(frameOrigin: string) {
	const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head><body>
<h1>Checkout</h1><label>Email <input id="email"></label><div id="card"></div><button id="pay" type="button">Pay</button>
<script src="/zuora-cors-frames.iife.min.js"></script></body></html>`;
	return (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
		if (request.url === '/zuora-cors-frames.iife.min.js') {
			response.writeHead(200, {'content-type': 'text/javascript'}).end(FRAMES_BUNDLE);
			return;
		}

		response
			.writeHead(200, {
				'content-type': 'text/html; charset=utf-8',
				'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src ${frameOrigin} http://localhost:*; connect-src 'none'; base-uri 'none'; form-action 'none'`,
			})
			.end(html);
	};
}

type Layout = {page: string; frame: string; merchant: MerchantServer; frameHandler: CardFrameHandler};

/**
 * Starts a layout: the frame's host (`127.0.0.1` or `localhost`), the page, and a merchant whose
 * endpoints answer the frame's origin (`frameOrigin`). `parentOrigins` defaults to the page's origin.
 */
async function startLayout(
	demo: Parameters<Parameters<typeof test>[2]>[0]['demo'],
	cleanup: Array<() => Promise<unknown>>,
	{frameHost = '127.0.0.1', parents}: {frameHost?: string; parents?: (page: string) => string[]} = {},
): Promise<Layout> {
	const frameServer = await listen();
	const frame = `http://${frameHost}:${frameServer.port}`;
	const pageServer = await listen(checkoutPage(frame));
	const page = `http://127.0.0.1:${pageServer.port}`;
	const merchant = await demo.startMerchant({frameOrigin: frame});
	demo.stub.allowOrigin(frame);
	const frameHandler = createCardFrameHandler({
		parentOrigins: parents ? parents(page) : [page],
		signatureUrl: `${merchant.url}/signature`,
		reconcileUrl: `${merchant.url}/reconcile`,
		zuora: demo.stub.url,
		allowedHosts: [demo.stub.url],
	});
	frameServer.set(toNodeListener(frameHandler));
	cleanup.push(frameServer.close, pageServer.close);
	return {page, frame, merchant, frameHandler};
}

/** Opens a merchant page (starts the session cookie on 127.0.0.1), then the checkout page, and mounts the fields. */
async function mount(page: Page, layout: Layout, options: Record<string, unknown> = {}) {
	await page.goto(`${layout.merchant.url}/`);
	await page.goto(layout.page);
	await page.evaluate(
		([frameUrl, extra]) => {
			const card = window.ZuoraCors.mountCardFields('#card', {frameUrl, ...extra});
			(window as unknown as {card: typeof card}).card = card;
			(window as unknown as {events: string[]}).events = [];
			for (const name of ['ready', 'change', 'focus', 'blur', 'submit-request', 'success', 'error']) {
				document.querySelector('#card')!.addEventListener(`zuora-cors:${name}`, event => {
					(window as unknown as {events: string[]}).events.push(`${name} ${JSON.stringify((event as CustomEvent).detail ?? null)}`);
				});
			}
		},
		[`${layout.frame}/`, options] as const,
	);
}

async function fillFrame(page: Page) {
	const frame = page.frameLocator('#card iframe');
	// By autocomplete token: the same in every locale.
	await frame.locator('[autocomplete="cc-number"]').fill(CARD.number);
	await frame.locator('[autocomplete="cc-exp"]').fill(`${CARD.month}/${CARD.year.slice(2)}`);
	await frame.locator('[autocomplete="cc-csc"]').fill(CARD.cvv);
	await frame.locator('[autocomplete="cc-name"]').fill(CARD.name);
}

const ready = async (page: Page) => page.evaluate(async () => (window as unknown as {card: {ready: Promise<void>}}).card.ready.then(() => 'ready'));

type Outcome = {ok: true; result: Record<string, unknown>} | {ok: false; error: Record<string, unknown>};

const submit = async (page: Page): Promise<Outcome> =>
	page.evaluate(async () =>
		(window as unknown as {card: {submit(): Promise<Record<string, unknown>>}}).card.submit().then(
			result => ({ok: true as const, result}),
			(error: Record<string, unknown>) => ({
				ok: false as const,
				error: {name: error['name'], code: error['code'], kind: error['kind'], stage: error['stage'], retryable: error['retryable'], message: error['message']},
			}),
		),
	);

test.describe('card fields in a frame of the card origin', () => {
	const cleanup: Array<() => Promise<unknown>> = [];
	test.afterEach(async () => {
		await Promise.all(cleanup.splice(0).map(async close => close()));
	});

	test('page 127.0.0.1:A + frame 127.0.0.1:C (same site): connects, takes a card and saves one at the stub', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		const response = await page.request.get(`${layout.frame}/`);
		expect(response.headers()['content-security-policy']).toBe(
			`default-src 'none'; script-src 'self'; style-src 'self'; connect-src ${layout.merchant.origin} ${demo.stub.url}; frame-ancestors ${layout.page}; form-action 'none'; base-uri 'none'`,
		);
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		const frame = page.frameLocator('#card iframe');
		for (const label of ['Card number', 'Expiry date (MM / YY)', 'Security code', 'Name on card']) {
			await expect(frame.getByLabel(label)).toBeEnabled();
		}

		await fillFrame(page);
		const outcome = await submit(page);
		expect(outcome).toMatchObject({ok: true, result: {success: true, brand: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031}});
		expect(creates(demo.stub)).toHaveLength(1);
		expect(creates(demo.stub)[0]!.origin).toBe(layout.frame);
		// What the page learned: never a digit of the number but the last four after success.
		const events = await page.evaluate(() => (window as unknown as {events: string[]}).events);
		expect(events.join('\n')).not.toMatch(/411111|737/);
		expect(events.some(event => event.startsWith('success'))).toBe(true);
		// Locked after the save, as bindForm: a second submit sends nothing.
		expect(await submit(page)).toMatchObject({ok: false, error: {name: 'ZuoraCorsError', kind: 'validation'}});
		expect(creates(demo.stub)).toHaveLength(1);
	});

	test('frame on localhost:C (cross-site, the cookie withheld): submit rejects with a setup error naming the cause, no card sent', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup, {frameHost: 'localhost'});
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		await fillFrame(page);
		const outcome = await submit(page);
		expect(outcome).toMatchObject({ok: false, error: {name: 'ZuoraCorsError', code: 'FRAME_CROSS_SITE', kind: 'setup', stage: 'signature', retryable: false}});
		expect(creates(demo.stub)).toHaveLength(0);
	});

	test("a frame on the page's own origin is refused when called (option_invalid)", async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await page.goto(layout.page);
		const refused = await page.evaluate(() => {
			try {
				window.ZuoraCors.mountCardFields('#card', {frameUrl: `${location.origin}/card-frame/`});
				return 'mounted';
			} catch (error) {
				return `${(error as Error).name} ${JSON.stringify((error as {fields?: unknown}).fields)}`;
			}
		});
		expect(refused).toMatch(/^ZuoraCorsError .*"frameUrl":\{"code":"option_invalid"/);
		expect(await page.locator('iframe').count()).toBe(0);
	});

	test('an embedding page not in parentOrigins: the browser blocks the frame and ready rejects', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup, {parents: () => ['http://127.0.0.1:9']});
		await mount(page, layout, {readyTimeout: 3000});
		const outcome = await page.evaluate(async () =>
			(window as unknown as {card: {ready: Promise<void>}}).card.ready.then(
				() => 'ready',
				(error: {name: string; code: string; kind: string}) => `${error.name} ${error.code} ${error.kind}`,
			),
		);
		expect(outcome).toBe('ZuoraCorsError FRAME_TIMEOUT setup');
		expect(creates(demo.stub)).toHaveLength(0);
	});

	test('a lost answer is recovered by reconcile through the frame: one card saved', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		await fillFrame(page);
		demo.stub.failNext(1, 'answerLost');
		const outcome = await submit(page);
		expect(outcome).toMatchObject({ok: true, result: {success: true, recovered: true, last4: '1111'}});
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('protocol versions: the frame answers a connect of another version with a typed error; a frame of another version rejects ready', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await page.goto(layout.page);
		const answer = await page.evaluate(
			async frameUrl =>
				new Promise(resolve => {
					const frame = document.createElement('iframe');
					frame.addEventListener('load', () => {
						const channel = new MessageChannel();
						channel.port1.onmessage = event => {
							resolve(event.data);
						};

						frame.contentWindow!.postMessage({zc: 2, type: 'connect'}, new URL(frameUrl).origin, [channel.port2]);
					});
					frame.src = frameUrl;
					document.body.append(frame);
				}),
			`${layout.frame}/`,
		);
		expect(answer).toEqual({zc: 1, type: 'error', code: 'PROTOCOL_UNSUPPORTED'});

		// A frame that answers in protocol 2: the page module refuses it with a typed error.
		const future = await listen((_request, response) => {
			response.writeHead(200, {'content-type': 'text/html'}).end('<!doctype html><script>addEventListener("message", event => event.ports[0].postMessage({zc: 2, type: "ready"}))</script>');
		});
		cleanup.push(future.close);
		const outcome = await page.evaluate(async frameUrl => {
			const card = window.ZuoraCors.mountCardFields('#card', {frameUrl, readyTimeout: 5000});
			return card.ready.then(
				() => 'ready',
				(error: {name: string; code: string; kind: string}) => `${error.name} ${error.code} ${error.kind}`,
			);
		}, `http://localhost:${future.port}/`);
		expect(outcome).toBe('ZuoraCorsError FRAME_VERSION setup');
	});

	test('the frame opened top-level, or before a listed parent connects, has no card input', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await page.goto(`${layout.frame}/`);
		await expect(page.locator('input')).toHaveCount(0);
		await page.goto(layout.page);
		await page.evaluate(frameUrl => {
			const frame = document.createElement('iframe');
			frame.src = frameUrl;
			document.body.append(frame);
		}, `${layout.frame}/`);
		await expect(page.frameLocator('iframe').locator('body')).toBeAttached();
		await expect(page.frameLocator('iframe').locator('input')).toHaveCount(0);
	});

	test('submit carrying a card field, an account key or a URL is refused by the frame: no card request', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		await fillFrame(page);
		for (const fields of [{creditCardNumber: '4000056655665556'}, {accountKey: 'A-VICTIM'}, {uri: 'https://evil.example/v1/payment-methods/credit-cards'}, {cardHolderInfo: {cardHolderName: 'Eve'}}]) {
			const outcome = await page.evaluate(
				async given =>
					(window as unknown as {card: {submit(options: unknown): Promise<unknown>}}).card.submit({fields: given}).then(
						() => 'saved',
						(error: {code: string; kind: string; message: string}) => `${error.code} ${error.kind} ${error.message}`,
					),
				fields,
			);
			expect(outcome).toMatch(/^PROTOCOL validation Card frame: refused [\w.]+ \(PROTOCOL\)$/);
		}

		// The signature prefetched when the shopper first focused the frame is the only call; no card request.
		expect(creates(demo.stub)).toHaveLength(0);
		expect(await submit(page)).toMatchObject({ok: true, result: {last4: '1111'}});
	});

	test('focus(field) moves the focus into that field of the frame; the page hears focus, never a value', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		await page.evaluate(() => {
			(window as unknown as {card: {focus(field: string): void}}).card.focus('expiry');
		});
		await expect(page.frameLocator('#card iframe').getByLabel('Expiry date (MM / YY)')).toBeFocused();
		await expect.poll(async () => page.evaluate(() => (window as unknown as {events: string[]}).events.filter(event => event.startsWith('focus')))).toEqual(['focus {"field":"expiry"}']);
	});

	test('a style the frame refuses at mount (a property off its list) rejects ready with STYLE_REFUSED naming the variant', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout, {style: {base: {cursor: 'pointer'}}});
		const outcome = await page.evaluate(async () =>
			(window as unknown as {card: {ready: Promise<void>}}).card.ready.then(
				() => 'ready',
				(error: {code: string; message: string}) => `${error.code} ${error.message}`,
			),
		);
		expect(outcome).toBe('STYLE_REFUSED Card frame: refused base.property (STYLE_REFUSED)');
		await expect(page.frameLocator('#card iframe').locator('input')).toHaveCount(0);
	});

	test('a reloaded frame is reported (FRAME_RELOADED) and connected again; the card is then saved once', async ({page, demo}) => {
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout);
		expect(await ready(page)).toBe('ready');
		await page.evaluate(() => {
			const frame = document.querySelector<HTMLIFrameElement>('#card iframe')!;
			// The same URL again: the frame document loads anew (as a reload or a navigation would).
			frame.setAttribute('src', frame.getAttribute('src')!);
		});
		await expect
			.poll(async () =>
				page.evaluate(() => (window as unknown as {events: string[]}).events.filter(event => /^(ready|error)/.test(event)).map(event => event.replace(/ .*FRAME_RELOADED.*/, ' FRAME_RELOADED'))),
			)
			.toEqual(['ready null', 'error FRAME_RELOADED', 'ready null']);
		await fillFrame(page);
		expect(await submit(page)).toMatchObject({ok: true, result: {last4: '1111'}});
		expect(demo.stub.paymentMethods()).toHaveLength(1);
	});

	test('the frame speaks the locale (labels, field errors, status), takes the style through CSSOM, and neither document reports a CSP violation', async ({page, demo}) => {
		// Test instrumentation in every document (the init script runs in the frame too): CSP violations.
		await page.addInitScript(() => {
			(window as unknown as {violations: string[]}).violations = [];
			document.addEventListener('securitypolicyviolation', event => {
				(window as unknown as {violations: string[]}).violations.push(`${event.violatedDirective} ${event.blockedURI}`);
			});
		});
		const layout = await startLayout(demo, cleanup);
		await mount(page, layout, {locale: 'ja', style: {base: {color: 'rgb(1, 2, 3)'}, invalid: {borderColor: 'rgb(200, 0, 0)'}}});
		expect(await ready(page)).toBe('ready');
		const frame = page.frameLocator('#card iframe');
		await expect(frame.getByLabel('カード番号')).toHaveCSS('color', 'rgb(1, 2, 3)');
		await expect(frame.locator('input[autocomplete]')).toHaveCount(4);
		// The attributes (Firefox's autocomplete IDL reads '' for cc-csc, a token its autofill does not fill).
		expect(await frame.locator('input').evaluateAll(inputs => inputs.map(input => input.getAttribute('autocomplete')))).toEqual(['cc-number', 'cc-exp', 'cc-csc', 'cc-name']);
		await frame.getByLabel('カード番号').fill('4111111111111112');
		const outcome = await submit(page);
		expect(outcome).toMatchObject({ok: false, error: {code: 'card_number_invalid', kind: 'validation'}});
		await expect(frame.getByLabel('カード番号')).toHaveAttribute('aria-invalid', 'true');
		await expect(frame.getByLabel('カード番号')).toHaveCSS('border-color', 'rgb(200, 0, 0)');
		await expect(frame.locator('[data-zuora-cors-error-for="creditCardNumber"]')).toHaveText(/カード番号/);
		// The page learned the field and its code, never the value.
		const changes = await page.evaluate(() => (window as unknown as {events: string[]}).events.filter(event => event.startsWith('change')));
		expect(changes.at(-1)).toContain('"number":{"empty":false,"complete":false,"error":"card_number_invalid"}');
		await fillFrame(page);
		expect(await submit(page)).toMatchObject({ok: true});
		await expect(frame.locator('[role="status"]')).toHaveText('カードを保存しました。');
		const cardFrame = page.frames().find(candidate => candidate.url().startsWith(layout.frame))!;
		expect(await cardFrame.evaluate(() => (window as unknown as {violations: string[]}).violations)).toEqual([]);
		expect(await page.evaluate(() => (window as unknown as {violations: string[]}).violations)).toEqual([]);
		// The recorder is live, and the frame's connect-src holds: a request elsewhere is blocked and reported.
		await cardFrame.evaluate(async () => fetch('http://127.0.0.1:9/elsewhere').catch(() => undefined));
		await expect
			.poll(async () => cardFrame.evaluate(() => (window as unknown as {violations: string[]}).violations))
			.toEqual([expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.1:9\/elsewhere/)]);
	});
});
