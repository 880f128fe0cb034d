// Issue 21, item 4: names put on Object.prototype BEFORE the bundles load (page.addInitScript, so
// before /config.js, the bundle and the demo's own script), in the page's realm only. Both demo
// checkouts are saved through: /card.html (the script-tag bundle, bindForm in the page) and / (the
// frames bundle, mountCardFields: the card is typed and sent by the frame of the card origin).
//
// Each variant, generated from a fixed seed, pollutes ~10 names drawn from what the library reads
// (its options, the signature answer, Zuora's answers, ky's and fetch's option names, the card's
// fields, the outcome records, the frame protocol, and what ky's load-time check reads besides
// RequestInit: ReadableStream's default source and strategy) with a value of one kind (a string, 0, an
// object carrying an attacker URL, a function recording any call, the attacker URL), most by
// assignment (what a pollution bug does), some non-enumerable or non-configurable (the script
// tag's load guard, src/load-guard.ts, cannot set those aside), and strips optional fields of the
// signature answer so that an inherited one would be read in their place. Outcomes:
// - / always loads and saves (the frames bundle holds no ky and reads nothing at load);
// - /card.html loads and saves unless a name the guard could not set aside makes ky's load-time
//   `new Request` check throw, which this spec works out in the page itself (ky's check, as ky
//   writes it, with only those names left on the prototype): then it fails closed (the typed
//   error, no ZuoraCors, the form disabled, nothing sent). ky's check cannot be avoided without
//   patching ky: it runs as ky's module is evaluated. With seed 2101404, variants 2 (`signal`, an
//   object, non-enumerable) and 4 (`priority: 0`, non-enumerable) fail closed in both engines;
//   the others, and every name at once, load.
// "Saves" means: exactly one card POST, to the stub, from the page's (or the frame's) origin, with
// exactly the expected body, headers and fetch init (recorded where fetch is called), the account
// the backend signed, "saved" shown with the stub's id, no polluted function called, nothing
// requested from the attacker's server, and Object.prototype left as the page polluted it.
//
// The card frame's document is another realm: a script of the checkout page cannot reach its
// Object.prototype, so its pollution is not a threat of this page and is not tested here.
import {createServer, type Server} from 'node:http';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {Frame, Locator, Page} from '@playwright/test';
import fc from 'fast-check';
import {CARD, cardBody, creates, expect, listening, test} from './fixtures.js';

/** The seed of every generated variant (fast-check); a failure names its variant's index. */
const SEED = 2_101_404;
const VARIANTS = 7;

/** ky's option names and the RequestInit members fetch reads, from ky's own tables (as e2e/hostile-transport.spec.ts). */
function kyNames(): string[] {
	const source = readFileSync(fileURLToPath(new URL('../node_modules/ky/distribution/core/constants.js', import.meta.url)), 'utf8');
	const keysOf = (name: string) => [...new RegExp(`export const ${name} = \\{([^}]*)\\}`).exec(source)![1]!.matchAll(/(\w+): true/g)].map(match => match[1]!);
	return [...keysOf('kyOptionKeys'), ...keysOf('requestOptionsRegistry')];
}

/** Every name the library reads, by where it reads it. */
const NAME_GROUPS = {
	// bindForm, createPaymentMethod, fetchSignature and mountCardFields options.
	options: [
		'signatureUrl',
		'url',
		'allowedHosts',
		'signatureOptions',
		'reconcileUrl',
		'reconcileDelay',
		'reconcileWindow',
		'reconcileTimeout',
		'onOutcomeUnknown',
		'fields',
		'formFields',
		'idempotencyKey',
		'supportedBrands',
		'status',
		'prefetch',
		'signatureMaxAge',
		'preconnect',
		'onSuccess',
		'onError',
		'messages',
		'signature',
		'card',
		'timeout',
		'accept',
		'frameUrl',
		'locale',
		'style',
		'title',
		'readyTimeout',
	],
	signatureAnswer: ['signature', 'token', 'tenantId', 'key', 'uri', 'method', 'accountKey', 'success', 'pageId'],
	zuoraAnswer: ['success', 'paymentMethodId', 'id', 'reasons', 'code', 'message', 'processId', 'retryAfter'],
	ky: [
		...kyNames(),
		'fetch',
		'throwHttpErrors',
		'prefixUrl',
		'searchParams',
		'hooks',
		'retry',
		'priority',
		'dispatcher',
		'beforeRequest',
		'beforeRetry',
		'afterResponse',
		'beforeError',
		'limit',
		'methods',
		'statusCodes',
		'afterStatusCodes',
		'shouldRetry',
		'retryOnTimeout',
		'delay',
	],
	card: [
		'creditCardNumber',
		'expirationMonth',
		'expirationYear',
		'securityCode',
		'creditCardType',
		'cardHolderInfo',
		'cardHolderName',
		'defaultPaymentMethod',
		'expiry',
		'brand',
		'last4',
		'email',
		'zipCode',
	],
	outcome: ['result', 'error', 'recovered', 'detail', 'retryable', 'kind', 'stage'],
	// What the frames bundle reads from the frame's messages (objects of the page's realm).
	frameProtocol: ['zc', 'type', 'state', 'field', 'height'],
	// What ky's load-time check reads besides RequestInit: ReadableStream's default source and strategy.
	stream: ['start', 'pull', 'cancel', 'autoAllocateChunkSize', 'highWaterMark', 'size'],
};
const NAMES = [...new Set(Object.values(NAME_GROUPS).flat())].sort();

/**
 * What ky's load-time check (`new Request(url, {body: new ReadableStream(), …})`) reads through
 * the prototype: the members of fetch's RequestInit, and those of ReadableStream's default
 * underlying source and strategy.
 */
const KY_CHECK_READS = [
	...['method', 'headers', 'body', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'signal', 'window', 'duplex', 'priority'],
	...['type', 'start', 'pull', 'cancel', 'autoAllocateChunkSize', 'highWaterMark', 'size'],
];

const VALUE_KINDS = ['string', 'zero', 'object', 'function', 'attackerUrl'] as const;
type ValueKind = (typeof VALUE_KINDS)[number];
/** How the name is put there: by assignment (the guard sets it aside), non-enumerable or non-configurable (it cannot). */
type How = 'assigned' | 'hidden' | 'fixed';
type Pollution = {name: string; kind: ValueKind; how: How};
/** Optional fields of the signature answer the backend sends that a variant strips, so an inherited one would be read instead. */
const ANSWER_OPTIONAL = ['success', 'uri', 'method', 'accountKey'] as const;
type Variant = {pollution: Pollution[]; stripped: string[]};

const variants: Variant[] = fc.sample(
	fc.record({
		pollution: fc.uniqueArray(
			fc.record({
				name: fc.constantFrom(...NAMES),
				kind: fc.constantFrom(...VALUE_KINDS),
				// One in five the guard cannot set aside.
				how: fc.constantFrom<How>('assigned', 'assigned', 'assigned', 'assigned', 'assigned', 'assigned', 'assigned', 'assigned', 'hidden', 'fixed'),
			}),
			{minLength: 9, maxLength: 11, selector: pollution => pollution.name},
		),
		stripped: fc.subarray([...ANSWER_OPTIONAL]),
	}),
	{seed: SEED, numRuns: VARIANTS},
);

/**
 * Every name at once: those ky's check reads by assignment (the guard sets them aside), every
 * other one non-configurable (it stays on Object.prototype while the bundle loads and after).
 */
const everyName: Variant = {
	pollution: NAMES.map((name, index) => ({name, kind: VALUE_KINDS[index % VALUE_KINDS.length]!, how: KY_CHECK_READS.includes(name) ? 'assigned' : 'fixed'})),
	stripped: [...ANSWER_OPTIONAL],
};

/** A server on port 0 that records every request: the attacker's. */
async function startAttacker() {
	const received: string[] = [];
	const server: Server = createServer((request, response) => {
		received.push(`${request.method} ${request.url}`);
		response.end('stolen');
	});
	return {...(await listening(server)), received};
}

type Sent = {method: string; url: string; headers: Array<[string, string]>; body: string; init: Record<string, unknown>};

/**
 * Before any script of every document: records each fetch where it is called (Firefox over
 * WebDriver BiDi reports no fetch body), and in the top document only, pollutes Object.prototype.
 * The values are made here (a function cannot be passed): `polluted` keeps them, off
 * Object.prototype, to check they are still there afterwards and to build the check's oracle.
 */
async function pollute(page: Page, pollution: Pollution[], attacker: string) {
	await page.addInitScript(
		({pollution, attacker}) => {
			type Scope = {sent: Array<Promise<unknown>>; polluted: Record<string, unknown>; pollutedCalls: string[]};
			const scope = window as unknown as Scope;
			const sent: Array<Promise<unknown>> = [];
			scope.sent = sent;
			const original = window.fetch;
			window.fetch = async (input, init) => {
				const request = new Request(input, init);
				const {method, url, credentials, mode, redirect, cache, referrer, referrerPolicy, integrity, keepalive} = request;
				sent.push(
					request
						.clone()
						.text()
						.then(body => ({method, url, headers: [...request.headers], body, init: {credentials, mode, redirect, cache, referrer, referrerPolicy, integrity, keepalive}})),
				);
				return original.call(window, request);
			};

			if (window !== window.top) {
				return;
			}

			const calls: string[] = [];
			scope.pollutedCalls = calls;
			const values = Object.create(null) as Record<string, unknown>;
			scope.polluted = values;
			for (const {name, kind, how} of pollution) {
				const value =
					kind === 'string'
						? 'polluted'
						: kind === 'zero'
							? 0
							: kind === 'object'
								? {url: `${attacker}/steal`, 'x-evil': '1'}
								: kind === 'function'
									? () => {
											calls.push(name);
											return `${attacker}/steal`;
										}
									: `${attacker}/steal`;
				values[name] = value;
				if (how === 'assigned') {
					(Object.prototype as Record<string, unknown>)[name] = value;
				} else {
					Object.defineProperty(Object.prototype, name, {value, writable: true, enumerable: how === 'fixed', configurable: how === 'hidden'});
				}
			}
		},
		{pollution, attacker},
	);
}

/** The signature answer without `stripped` (the backend's answer is otherwise passed through). */
async function stripSignatureAnswer(page: Page, origin: string, stripped: string[]) {
	if (stripped.length === 0) {
		return;
	}

	await page.route(`${origin}/signature`, async route => {
		const response = await route.fetch();
		const json = (await response.json()) as Record<string, unknown>;
		for (const name of stripped) {
			delete json[name];
		}

		await route.fulfill({response, json});
	});
}

/**
 * Whether the pollution is still on Object.prototype as the page put it, whether a polluted
 * function was called, and whether ky's load-time check, exactly as ky runs it, throws with only
 * the names the guard cannot set aside (non-enumerable or non-configurable) on Object.prototype.
 * The check reads more than RequestInit: `new ReadableStream()` reads its default underlying
 * source and strategy (`type`, `start`, `highWaterMark`, …) through the prototype too.
 */
async function pageFacts(page: Page) {
	return page.evaluate(() => {
		const {polluted, pollutedCalls} = window as unknown as {polluted: Record<string, unknown>; pollutedCalls: string[]};
		const prototype = Object.prototype as Record<string, unknown>;
		const changed = Object.keys(polluted).filter(name => Object.getOwnPropertyDescriptor(prototype, name)?.value !== polluted[name]);
		const setAside: PropertyDescriptorMap = Object.create(null);
		for (const name of Object.keys(polluted)) {
			const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
			if (descriptor.enumerable && descriptor.configurable) {
				setAside[name] = Object.assign(Object.create(null), descriptor);
				delete prototype[name];
			}
		}

		let kyCheckThrows = false;
		try {
			// node_modules/ky/distribution/core/constants.js, supportsRequestStreams.
			new Request('https://empty.invalid', {
				body: new ReadableStream(),
				method: 'POST',
				get duplex() {
					return 'half';
				},
			} as RequestInit).headers.has('Content-Type');
		} catch {
			kyCheckThrows = true;
		} finally {
			Object.defineProperties(prototype, setAside);
		}

		return {changed, calls: [...pollutedCalls], kyCheckThrows, loaded: typeof (window as unknown as {ZuoraCors?: unknown}).ZuoraCors};
	});
}

/** What each frame of the page handed to fetch. */
async function fetched(frames: Frame[]): Promise<Sent[]> {
	const all = await Promise.all(frames.map(async frame => frame.evaluate(async () => Promise.all((window as unknown as {sent: Array<Promise<Sent>>}).sent)).catch(() => [] as Sent[])));
	return all.flat();
}

const ZUORA_PATH = '/v1/payment-methods/credit-cards';

/** The card POST as it must be: the shopper's card, the account the backend signed, the protocol's headers. */
function expectedCardPost(zuora: string) {
	return {
		method: 'POST',
		url: `${zuora}${ZUORA_PATH}`,
		// The page's checkbox (/card.html: a declared control; /: the page's fields, through the frame).
		body: cardBody({defaultPaymentMethod: true}),
		headerNames: ['accept', 'content-type', 'signature', 'token'],
		headers: {accept: 'application/json', 'content-type': 'application/json'},
		init: {credentials: 'include', mode: 'cors', redirect: 'manual', cache: 'no-store', referrer: 'about:client', referrerPolicy: 'strict-origin-when-cross-origin', integrity: '', keepalive: false},
	};
}

type Demo = Parameters<Parameters<typeof test>[2]>[0]['demo'];

/** The one card POST the stub got since `before`, and the one the page (or frame) handed to fetch, checked in full. */
async function expectOneCardPost(page: Page, demo: Demo, before: number, origin: string) {
	const posts = creates(demo.stub).slice(before);
	expect(posts.map(post => `${post.method} ${post.path} ${post.origin} ${post.status}`)).toEqual([`POST ${ZUORA_PATH} ${origin} 200`]);
	const cardPosts = (await fetched(page.frames())).filter(sent => sent.url.startsWith(demo.stub.url) && sent.method === 'POST');
	expect(cardPosts).toHaveLength(1);
	const [sent] = cardPosts;
	const expected = expectedCardPost(demo.stub.url);
	const headers = Object.fromEntries(sent!.headers);
	expect({method: sent!.method, url: sent!.url, body: JSON.parse(sent!.body) as unknown, headerNames: Object.keys(headers).sort(), init: sent!.init}).toEqual({
		method: expected.method,
		url: expected.url,
		body: expected.body,
		headerNames: expected.headerNames,
		init: expected.init,
	});
	expect(headers).toMatchObject(expected.headers);
	// The pair the stub saw is the one the page sent (the backend's, never a polluted one).
	expect([headers['signature'], headers['token']]).toEqual([posts[0]!.signature, posts[0]!.token]);
}

/** Nothing reached the attacker, and every request went to the demo's own origins. */
function expectNothingElsewhere(requests: string[], demo: Demo, attacker: {url: string; received: string[]}) {
	expect(attacker.received).toEqual([]);
	const origins = new Set(requests.map(url => new URL(url).origin));
	expect([...origins].filter(origin => ![demo.merchant.origin, demo.stub.url, demo.cardFrame.origin].includes(origin))).toEqual([]);
}

/**
 * Enters a field's value. Firefox: not `fill`, which Playwright's Firefox (WebDriver BiDi) does
 * through a helper it installs in the top document's own realm, and a polluted Object.prototype
 * breaks that helper (a limit of the harness, for any page; the frame's fields too, as the helper
 * is looked up from the top document down). There the value is set as `fill` sets it, then an
 * `input` event (what the form formats on), in the field's own document; key presses would take
 * seconds per field over BiDi. Chromium fills natively.
 */
async function enter(field: Locator, text: string) {
	if (test.info().project.name !== 'firefox') {
		await field.fill(text);
		return;
	}

	await field.evaluate((element, value) => {
		const input = element as HTMLInputElement;
		input.focus();
		input.value = value;
		input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: value}));
	}, text);
}

/** /card.html: loads and saves, or (only where ky's check throws with what the guard left) fails closed. */
async function inPageForm(page: Page, demo: Demo, variant: Variant, errors: string[]): Promise<'loaded' | 'failed closed'> {
	await stripSignatureAnswer(page, demo.merchant.origin, variant.stripped);
	await page.goto(`${demo.merchant.url}/card.html`);
	const facts = await pageFacts(page);
	expect(facts.changed).toEqual([]);
	if (facts.kyCheckThrows) {
		await expect.poll(() => errors.join('\n')).toContain('ZuoraCorsError: zuora-cors did not load (Object.prototype): nothing was sent');
		// Before it, the error ky's check threw, uncaught, as the bundle's script ran.
		expect(errors.slice(0, -1).join('\n')).not.toContain('ZuoraCors');
		expect(errors.at(-1)).toBe('ZuoraCorsError: zuora-cors did not load (Object.prototype): nothing was sent');
		expect(facts.loaded).toBe('undefined');
		await expect(page.getByLabel('Card number')).toBeDisabled();
		await expect(page.getByRole('button', {name: 'Save card'})).toBeDisabled();
		// Nothing sent: nothing reached the stub, nothing was handed to fetch (not even the signature's).
		expect(demo.stub.requests()).toEqual([]);
		expect(await fetched(page.frames())).toEqual([]);
		expect(facts.calls).toEqual([]);
		return 'failed closed';
	}

	expect(facts.loaded).toBe('object');
	await enter(page.getByLabel('Name on card'), CARD.name);
	await enter(page.getByLabel('Card number'), CARD.number);
	await enter(page.getByLabel('Expiry date'), `${CARD.month}${CARD.year.slice(-2)}`);
	await enter(page.getByLabel('Security code'), CARD.cvv);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(page.locator('[data-zuora-cors-status]')).toHaveText('Visa ending 1111 saved.');
	await expect(page.locator('#result')).toHaveText('Next: Add another card');
	const [method] = demo.stub.paymentMethods();
	await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', method!.id);
	expect(demo.stub.paymentMethods()).toMatchObject([
		{accountKey: 'A00000001', creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031, cardHolderName: CARD.name, defaultPaymentMethod: true},
	]);
	await expectOneCardPost(page, demo, 0, demo.merchant.origin);
	const after = await pageFacts(page);
	expect(after.changed).toEqual([]);
	expect(after.calls).toEqual([]);
	expect(errors).toEqual([]);
	return 'loaded';
}

/** /: the frames bundle loads whatever the page's prototype carries, and the frame saves the card. */
async function framedCheckout(page: Page, demo: Demo, errors: string[]) {
	const before = creates(demo.stub).length;
	const saved = demo.stub.paymentMethods().length;
	await page.goto(demo.merchant.url);
	expect((await pageFacts(page)).loaded).toBe('object');
	await expect(page.getByRole('button', {name: 'Save card'})).toBeEnabled();
	const frame = page.frameLocator('#card-fields iframe');
	await enter(frame.getByLabel('Name on card'), CARD.name);
	await enter(frame.getByLabel('Card number'), CARD.number);
	await enter(frame.getByLabel('Expiry date'), `${CARD.month}${CARD.year.slice(-2)}`);
	await enter(frame.getByLabel('Security code'), CARD.cvv);
	await page.getByRole('button', {name: 'Save card'}).click();
	await expect(frame.getByRole('status')).toHaveText('Visa ending 1111 saved.');
	await expect(page.locator('#result')).toHaveText('Next: Add another card');
	const methods = demo.stub.paymentMethods().slice(saved);
	expect(methods).toMatchObject([{accountKey: 'A00000001', creditCardType: 'Visa', last4: '1111', expirationMonth: 12, expirationYear: 2031, cardHolderName: CARD.name, defaultPaymentMethod: true}]);
	await expect(page.locator('#result')).toHaveAttribute('data-payment-method-id', methods[0]!.id);
	await expectOneCardPost(page, demo, before, demo.cardFrame.origin);
	const after = await pageFacts(page);
	expect(after.changed).toEqual([]);
	expect(after.calls).toEqual([]);
	expect(errors).toEqual([]);
}

const title = (variant: Variant) => variant.pollution.map(({name, kind, how}) => `${name}=${kind}${how === 'assigned' ? '' : `(${how})`}`).join(' ');

/** Both checkouts under one variant; the outcome of /card.html is returned for the report. */
async function run(page: Page, demo: Demo, variant: Variant) {
	const attacker = await startAttacker();
	const errors: string[] = [];
	const requests: string[] = [];
	page.on('pageerror', error => errors.push(`${error.name}: ${error.message}`));
	page.on('request', request => requests.push(request.url()));
	try {
		await pollute(page, variant.pollution, attacker.url);
		const outcome = await inPageForm(page, demo, variant, errors);
		await page.unrouteAll();
		errors.length = 0;
		await framedCheckout(page, demo, errors);
		expectNothingElsewhere(requests, demo, attacker);
		return outcome;
	} finally {
		await attacker.close();
	}
}

test.describe('names on Object.prototype before the bundles load', () => {
	for (const [index, variant] of variants.entries()) {
		test(`variant ${index} (seed ${SEED}): ${title(variant)}; answer without ${variant.stripped.join(', ') || 'nothing'}`, async ({page, demo, consoleLines}) => {
			const outcome = await run(page, demo, variant);
			test.info().annotations.push({type: '/card.html', description: outcome});
			// Only a name the guard could not set aside may make the script tag fail closed.
			if (outcome === 'failed closed') {
				expect(variant.pollution.some(({name, how}) => how !== 'assigned' && KY_CHECK_READS.includes(name))).toBe(true);
			}

			expect(consoleLines.join('\n')).not.toContain(CARD.number);
		});
	}

	test(`every name at once (${NAMES.length}): ky's init names assigned, all others non-configurable; the answer without ${ANSWER_OPTIONAL.join(', ')}`, async ({page, demo}) => {
		expect(await run(page, demo, everyName)).toBe('loaded');
	});
});

test('a polluted name the guard cannot set aside (non-configurable) fails closed: a typed error, no ZuoraCors, nothing sent', async ({page, demo}) => {
	const errors: string[] = [];
	page.on('pageerror', error => errors.push(`${error.name}: ${error.message}`));
	await page.addInitScript(() => {
		Object.defineProperty(Object.prototype, 'cache', {value: 7, enumerable: true, configurable: false, writable: true});
	});
	// The in-page form: the page that loads the script-tag bundle (the framed / loads the frames bundle).
	await page.goto(`${demo.merchant.url}/card.html`);
	await expect.poll(() => errors.join('\n')).toContain('ZuoraCorsError: zuora-cors did not load (Object.prototype): nothing was sent');
	expect(await page.evaluate(() => typeof (window as unknown as {ZuoraCors?: unknown}).ZuoraCors)).toBe('undefined');
	await expect(page.getByLabel('Card number')).toBeDisabled();
	expect(creates(demo.stub)).toEqual([]);
});
