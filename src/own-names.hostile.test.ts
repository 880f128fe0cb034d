// @vitest-environment happy-dom
// Every name the library reads, polluted on Object.prototype one at a time: a card is saved the
// same way, a declined card is refused the same way, and an answer that leaves out `uri`,
// `method` or `accountKey` never has it filled in from the prototype. The names are generated
// from the library's own source (every `.name` and quoted name in src/, tests left out) and ky's
// option tables, so a name added to the code is polluted here too. `fetch` is answered
// in-process (the signature endpoint and Zuora); the browsers run the same idea in
// e2e/hostile-transport.spec.ts, before and after the bundle loads.
import {readdirSync, readFileSync} from 'node:fs';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {bindForm, createPaymentMethod, type ZuoraCorsError} from './index.js';

const ZUORA = 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards';
const SIGNATURE = 'https://shop.example/signature';
const PAGE =
	'<form id="card-form"><fieldset disabled data-zuora-cors-fields><input name="creditCardNumber" disabled><input name="expiry" disabled><input name="securityCode" disabled><input name="cardHolderInfo.cardHolderName" disabled><button disabled>Save</button></fieldset></form><p id="status" role="status"></p>';
const DECLINE = {success: false, reasons: [{code: 53_100_099, message: 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'}]};

/**
 * Names happy-dom itself reads from Object.prototype (its own property descriptors and proxy
 * handlers are plain objects), so polluting them breaks the DOM under test, not the library: the
 * browsers pollute these (e2e/hostile-transport.spec.ts).
 */
const HAPPY_DOM_READS: ReadonlySet<string> = new Set(['get', 'set', 'value', 'getPrototypeOf']);

/** Every identifier-like name read in src/ (not tests) and in ky's option tables, minus Object.prototype's own members. */
function namesRead(): string[] {
	// Paths from the working directory: happy-dom's URL takes no file: URLs.
	const root = `${process.cwd()}/src/`;
	const files = readdirSync(root, {recursive: true, encoding: 'utf8'}).filter(file => /\.ts$/.test(file) && !/\.test(-util)?\.ts$|^(server|testing)\//.test(file));
	const names = new Set<string>();
	for (const file of files) {
		const source = readFileSync(`${root}${file}`, 'utf8');
		for (const match of source.matchAll(/\.([A-Za-z_$][\w$]*)|'([A-Za-z_$][\w$]*)'/g)) {
			names.add(match[1] ?? match[2]!);
		}
	}

	const ky = readFileSync(`${process.cwd()}/node_modules/ky/distribution/core/constants.js`, 'utf8');
	for (const match of ky.matchAll(/(\w+): true/g)) {
		names.add(match[1]!);
	}

	const builtIn = new Set(Object.getOwnPropertyNames(Object.prototype));
	return [...names].filter(name => !builtIn.has(name) && !HAPPY_DOM_READS.has(name)).sort();
}

type Sent = {url: string; method: string; body: string};
let sent: Sent[];
let zuoraAnswer: unknown;
let signatureAnswer: unknown;

beforeEach(() => {
	document.body.innerHTML = PAGE;
	sent = [];
	vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
		// Own members only: the init is the library's own null-prototype record.
		const own = (name: string) => (Object.hasOwn(init, name) ? (init as Record<string, unknown>)[name] : undefined);
		sent.push({url: String(url), method: String(own('method')), body: String(own('body') ?? '')});
		const body = String(url) === ZUORA ? zuoraAnswer : signatureAnswer;
		return new Response(JSON.stringify(body), {status: 200, headers: {'content-type': 'application/json'}});
	});
});
afterEach(() => {
	vi.unstubAllGlobals();
	document.body.innerHTML = '';
});

const fill = () => {
	const values: Record<string, string> = {creditCardNumber: '4111 1111 1111 1111', expiry: '12 / 31', securityCode: '737', 'cardHolderInfo.cardHolderName': 'Ada'};
	for (const [name, value] of Object.entries(values)) {
		document.querySelector<HTMLInputElement>(`[name="${name}"]`)!.value = value;
	}
};

/** The three flows, as one comparable record; run once clean and once per polluted name. */
async function flows() {
	const seen: Record<string, unknown> = {};
	// 1. bindForm saves a card; the answer is {signature, token} only (the page gives url and accountKey).
	signatureAnswer = {success: true, signature: 's', token: 't'};
	zuoraAnswer = {success: true, paymentMethodId: 'pm1'};
	const binding = bindForm('#card-form', {
		signatureUrl: SIGNATURE,
		url: ZUORA,
		fields: {accountKey: 'A1'},
		prefetch: false,
		preconnect: false,
		status: document.querySelector<HTMLElement>('#status')!,
	});
	fill();
	seen['saved'] = await binding.submit().then(
		result => ({result}),
		(error: ZuoraCorsError) => ({error: [error.kind, error.message]}),
	);
	seen['savedStatus'] = document.querySelector('#status')!.textContent;
	// 2. After reset(), a declined card: refused, and the form says so.
	binding.reset();
	zuoraAnswer = DECLINE;
	fill();
	seen['declined'] = await binding.submit().then(
		result => ({result}),
		(error: ZuoraCorsError) => ({error: [error.kind, error.stage, error.code]}),
	);
	seen['declinedStatus'] = document.querySelector('#status')!.textContent;
	binding.destroy();
	// 3. createPaymentMethod, no accountKey anywhere, an answer with `uri` only: a method of no account, POSTed there.
	signatureAnswer = {success: true, signature: 's', token: 't', uri: ZUORA};
	zuoraAnswer = {success: true, paymentMethodId: 'pm2'};
	seen['anonymous'] = await createPaymentMethod({
		signatureUrl: SIGNATURE,
		card: {creditCardType: 'Visa', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031, securityCode: '737'},
	}).then(
		result => ({result}),
		(error: ZuoraCorsError) => ({error: [error.kind, error.message]}),
	);
	seen['sent'] = sent.map(({url, method, body}) => ({url, method, body: url === ZUORA ? (JSON.parse(body) as unknown) : body}));
	sent = [];
	return seen;
}

describe('Object.prototype polluted with each name the library reads', () => {
	const names = namesRead();
	// Hostile values of each kind a read could trip on: a URL string, a falsy number, an object, true.
	const values: unknown[] = ['https://evil.example/steal', 0, {url: 'https://evil.example/steal'}, true];
	// Each name with the URL string and one of the others in turn (all four for every name takes minutes).
	const valuesFor = (index: number) => [values[0], values[1 + (index % 3)]];

	it('the same requests and outcomes as on a clean prototype', async () => {
		const clean = await flows();
		expect(clean['saved']).toEqual({result: {success: true, paymentMethodId: 'pm1'}});
		expect(clean['declined']).toMatchObject({error: ['zuora', 'request', 53_100_099]});
		expect((clean['sent'] as Sent[]).map(({url, method}) => `${method} ${url}`)).toEqual([
			`POST ${SIGNATURE}`,
			`POST ${ZUORA}`,
			`POST ${SIGNATURE}`,
			`POST ${ZUORA}`,
			`POST ${SIGNATURE}`,
			`POST ${ZUORA}`,
		]);
		expect(names.length).toBeGreaterThan(300);
		const differing: string[] = [];
		const prototype = Object.prototype as Record<string, unknown>;
		for (const [index, name] of names.entries()) {
			for (const value of valuesFor(index)) {
				prototype[name] = value;
				let seen: unknown;
				try {
					seen = await flows(); // eslint-disable-line no-await-in-loop
				} catch (error) {
					seen = `threw ${String(error)}`;
				} finally {
					delete prototype[name];
					document.body.innerHTML = PAGE;
					sent = [];
				}

				if (JSON.stringify(seen) !== JSON.stringify(clean)) {
					differing.push(`${name}=${JSON.stringify(value)}: ${JSON.stringify(seen).slice(0, 300)}`);
				}
			}
		}

		expect(differing).toEqual([]);
	}, 300_000);
});
