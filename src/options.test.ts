// Issue 15 item 5: every options object, nested ones included, is read as own properties (through
// `ownCopy`). The page may have polluted Object.prototype with data (`__proto__[x]=y` in a query
// string parser, injected JSON): with ANY name the library reads set there, every call behaves as
// on a clean prototype, and every failure is a ZuoraCorsError (never a TypeError).
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {createAccount} from './account.js';
import {validateCreditCard} from './card.js';
import {describeError} from './describe-error.js';
import {ZuoraCorsError} from './errors.js';
import {de} from './locales/de.js';
import {ownCopy} from './options.js';
import {createPaymentMethod} from './payment-method.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Every name the library could read as a property, generated from its code (not typed by hand):
 * property accesses (`.name`, `?.name`, `['name']`), names inside braces (destructuring, which
 * reads, and object literals, which do not: a superset is harmless) and identifier-like string
 * literals (names looked up from lists), in the browser library's modules and in ky, which the
 * script-tag bundle carries whole.
 */
function readNames(): string[] {
	const sources = readdirSync(here)
		.filter(file => file.endsWith('.ts') && !/\.test(?:-util)?\.ts$/.test(file))
		.map(file => join(here, file));
	const kyRoot = join(here, '..', 'node_modules', 'ky', 'distribution');
	const kyFiles = (directory: string): string[] =>
		readdirSync(directory, {withFileTypes: true}).flatMap(entry => (entry.isDirectory() ? kyFiles(join(directory, entry.name)) : entry.name.endsWith('.js') ? [join(directory, entry.name)] : []));
	const names = new Set<string>();
	for (const file of [...sources, ...kyFiles(kyRoot)]) {
		const text = readFileSync(file, 'utf8');
		for (const [, name] of text.matchAll(/(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) {
			names.add(name!);
		}

		for (const [, name] of text.matchAll(/['"`]([A-Za-z_$][\w$]*)['"`]/g)) {
			names.add(name!);
		}

		for (const [, inside] of text.matchAll(/\{([^{}]*)\}/g)) {
			for (const [, name] of inside!.matchAll(/(?:^|[,\s.])([A-Za-z_$][\w$]*)\s*(?=[,:=}]|$)/g)) {
				names.add(name!);
			}
		}
	}

	// What Object.prototype already has is not an addition (overwriting toString breaks the engine,
	// not the library). The names Node's own fetch changes with are found by a probe (below).
	// A Proxy trap name (`get`, `getOwnPropertyDescriptor`…: Reflect's methods are exactly the traps)
	// breaks every Proxy whose handler is an object literal, the test runner's included: the engine
	// reads traps with inheritance, whoever wrote the Proxy.
	const traps = new Set(Object.getOwnPropertyNames(Reflect));
	return [...names].filter(name => !Object.hasOwn(Object.prototype, name) && name !== '__proto__' && !traps.has(name)).sort();
}

const NUMBER = '4111111111111111';
const card = {creditCardNumber: NUMBER, expirationMonth: '12', expirationYear: '2031', securityCode: '737'};
const created = {success: true, paymentMethodId: '2c92c0f86a8dd422016a9e7a70116b0d'};

/**
 * The backend and Zuora, in-process: `fetch` (the one the library calls, `globalThis.fetch`) is
 * answered here without a socket, so a run of ~2,000 polluted calls takes seconds, not a minute of
 * connections. What a socket adds (Node's HTTP parser under pollution) is the socket suites' and
 * the browser suite's subject (e2e/hostile-transport.spec.ts).
 */
type Received = {method: string; url: string; rawHeaders: string[]; body: string};
/** A loopback port no test listens on: a request that missed the in-process fetch would fail, and open a socket the unit project refuses. */
const ORIGIN = 'http://127.0.0.1:58000';
const server = {url: ORIGIN, received: [] as Received[]};
/** What Zuora answers next (the other paths are the backend's, fixed). */
let zuoraAnswer: () => Response;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), {status, headers: {'content-type': 'application/json'}});
/** A connection lost before the answer, as fetch reports it. */
const lost = () => {
	throw new TypeError('fetch failed', {cause: new Error('the connection was dropped')});
};

async function inProcessFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
	const request = new Request(input, init);
	const url = new URL(request.url);
	const path = url.origin === ORIGIN ? `${url.pathname}${url.search}` : url.href;
	server.received.push({method: request.method, url: path, rawHeaders: [...request.headers].flat(), body: await request.text()});
	if (url.origin !== ORIGIN) {
		throw new TypeError('fetch failed', {cause: new Error(`nothing answers at ${url.origin}`)});
	}

	const backend: Record<string, () => Response> = {
		'/signature': () => json(200, {success: true, signature: 'sig', token: 'tok', uri: `${server.url}/v1/payment-methods/credit-cards`, method: 'POST', accountKey: 'A00000001'}),
		'/signature/account': () => json(200, {success: true, signature: 'sig', token: 'tok', uri: `${server.url}/v1/accounts`, method: 'POST', name: 'Ada'}),
		'/reconcile': () => json(200, {success: true, paymentMethodId: 'p-recovered'}),
		'/v1/accounts': () => json(200, {success: true, accountId: 'a1', accountNumber: 'A00000009'}),
	};
	return (Object.hasOwn(backend, path) ? backend[path]! : zuoraAnswer)();
}

beforeAll(() => {
	vi.stubGlobal('fetch', inProcessFetch);
});
afterAll(() => {
	vi.unstubAllGlobals();
});

/** What the server received, headers as they came (Node's `headers` object is itself fooled by a polluted prototype). */
const sent = () =>
	server.received.map(({method, url, rawHeaders, body}) => ({
		method,
		url,
		body,
		headers: rawHeaders.filter((_text, index) => (index % 2 === 0 ? !/^(?:host|connection)$/i.test(_text) : !/^(?:host|connection)$/i.test(rawHeaders[index - 1]!))),
	}));

/** An outcome as text: what resolved, or the failure's class and classification. */
async function outcome(run: () => unknown): Promise<string> {
	try {
		return `ok ${JSON.stringify(ownCopy(await run()))}`;
	} catch (error) {
		return error instanceof ZuoraCorsError
			? `ZuoraCorsError ${JSON.stringify([error.kind, error.stage, error.code, error.status, error.retryable, error.fields])}`
			: `NOT ZuoraCorsError: ${String(error)}`;
	}
}

const now = new Date('2031-06-15T12:00:00Z');
const options = {allowedHosts: [] as string[], signatureUrl: ''};
/** Each scenario: the calls a page makes, with every kind of options object (nested ones included). */
const scenarios: Record<string, () => Promise<unknown>> = {
	async 'createPaymentMethod, signed values from the backend'() {
		zuoraAnswer = () => json(200, created);
		return createPaymentMethod({...options, card, idempotencyKey: 'k1', signatureOptions: {headers: {'X-CSRF': 'c'}, json: {cart: 1}}, messages: de});
	},
	async 'createPaymentMethod, declined'() {
		zuoraAnswer = () => json(200, {success: false, reasons: [{code: 53_100_099, message: 'Transaction declined.402 - [card_error/card_declined/generic_decline]'}]});
		return createPaymentMethod({...options, url: `${server.url}/v1/payment-methods/credit-cards`, card: {...card, accountKey: 'A00000001', cardHolderInfo: {cardHolderName: 'Ada'}}});
	},
	async 'createPaymentMethod, answer lost, reconciled'() {
		zuoraAnswer = lost;
		return createPaymentMethod({...options, card, reconcileUrl: `${server.url}/reconcile`, reconcileDelay: 0});
	},
	async 'createPaymentMethod, an invalid card'() {
		return createPaymentMethod({...options, card: {...card, expirationMonth: '13', cardHolderInfo: {cardHolderName: 'x'.repeat(51)}}, messages: de});
	},
	async 'createAccount, signed name and uri'() {
		return createAccount({
			...options,
			signatureUrl: `${server.url}/signature/account`,
			account: {
				currency: 'USD',
				billToContact: {firstName: 'Ada', lastName: 'L', country: 'GB'},
				creditCard: {cardNumber: NUMBER, expirationMonth: 12, expirationYear: 2031, cardHolderInfo: {cardHolderName: 'Ada'}},
			},
		});
	},
	async 'validateCreditCard with now and messages'() {
		return [
			validateCreditCard({...card, expirationYear: '2031', expirationMonth: '5'}, {now, messages: de}),
			validateCreditCard({creditCardType: 'constructor'}),
			validateCreditCard({...card, defaultPaymentMethod: 'maybe'}),
		];
	},
	async 'describeError with messages'() {
		return [
			describeError(new ZuoraCorsError('x', {kind: 'http', stage: 'request', status: 429, retryAfter: 5000}), {messages: de}),
			describeError(new ZuoraCorsError('x', {kind: 'validation', stage: 'request', fields: {securityCode: {code: 'security_code_invalid', message: 'm', values: {size: 3}}}}), {messages: de}),
			describeError({kind: 'network', stage: 'signature'}),
			describeError(new ZuoraCorsError('x', {kind: 'not-saved', stage: 'request'})),
		];
	},
};

/** Sets every name on Object.prototype to `value` while `run` runs (its outcome as text), then removes them. */
async function polluted(names: readonly string[], value: unknown, run: () => Promise<string>): Promise<string> {
	const proto = Object.prototype as Record<string, unknown>;
	for (const name of names) {
		proto[name] = value;
	}

	try {
		return await run();
	} finally {
		for (const name of names) {
			delete proto[name];
		}
	}
}

/**
 * What Node's own web classes do (not this library): undici's Request, Headers and Response, which
 * the in-process fetch uses as a server's parser would, read some names from their internal objects.
 * The probe loses one answer, then sends a request, and tells what arrived.
 */
async function probeNode(): Promise<string> {
	zuoraAnswer = () => (server.received.at(-1)?.url === '/probe-drop' ? lost() : json(200, {probe: true}));

	const seen: string[] = [];
	for (const path of ['/probe-drop', '/probe']) {
		server.received.length = 0;
		try {
			// eslint-disable-next-line no-await-in-loop
			const response = await fetch(server.url + path, {method: 'POST', headers: {'X-Probe': '1'}, body: '{}'});
			// eslint-disable-next-line no-await-in-loop
			seen.push(`${response.status} ${await response.text()}`);
		} catch {
			seen.push('failed');
		}

		seen.push(JSON.stringify(sent()));
	}

	return seen.join(' ');
}

/** The names among `names` that change `run`'s result when polluted (by halves: a few runs per culprit). */
async function culprits(names: readonly string[], value: unknown, run: () => Promise<string>, baseline: string): Promise<string[]> {
	if ((await polluted(names, value, run)) === baseline) {
		return [];
	}

	if (names.length === 1) {
		return [...names];
	}

	const half = Math.ceil(names.length / 2);
	const found = [...(await culprits(names.slice(0, half), value, run, baseline)), ...(await culprits(names.slice(half), value, run, baseline))];
	// Only together: reported as the group.
	return found.length > 0 ? found : [names.join('+')];
}

describe('Object.prototype pollution: every name the library reads (generated)', () => {
	const names = readNames();
	// Data, as a polluting parser writes it: a URL, a number, an object (a nested option), a list.
	const values: unknown[] = ['http://127.0.0.1:9/steal', 7, {url: 'http://127.0.0.1:9/steal', now: 'x'}, ['x'], true];

	it('finds the names the options, the card, the signature answer and the reconcile answer use', () => {
		for (const name of [
			'messages',
			'now',
			'signatureOptions',
			'card',
			'cardHolderInfo',
			'cardHolderName',
			'url',
			'allowedHosts',
			'uri',
			'accountKey',
			'name',
			'pageId',
			'reconcileUrl',
			'reconcileDelay',
			'paymentMethodId',
			'idempotencyKey',
			'fields',
			'kind',
			'prefixUrl',
			'hooks',
		]) {
			expect(names).toContain(name);
		}
	});

	it('changes no outcome and no request with all of them polluted at once, by each kind of value', async () => {
		options.allowedHosts = [server.url];
		options.signatureUrl = `${server.url}/signature`;
		const run = async () => {
			const outcomes: string[] = [];
			for (const [scenario, call] of Object.entries(scenarios)) {
				server.received.length = 0;
				// eslint-disable-next-line no-await-in-loop
				outcomes.push(`${scenario}: ${await outcome(call)} ${JSON.stringify(sent())}`);
			}

			return outcomes.join('\n');
		};

		const baseline = await run();
		expect(baseline.split('\n').map(line => / (ok|ZuoraCorsError) /.exec(line)?.[1])).toEqual(['ok', 'ZuoraCorsError', 'ok', 'ZuoraCorsError', 'ok', 'ok', 'ok']);
		// Names Node's own fetch changes with are left to the browser suite (e2e/hostile-transport.spec.ts), one name at a time.
		// One name at a time: all at once, Node's fetch can hang.
		const nodeBreaks = new Set<string>();
		const cleanProbe = await probeNode();
		for (const name of names) {
			for (const value of ['http://127.0.0.1:9/steal', 7, {url: 'x'}]) {
				// eslint-disable-next-line no-await-in-loop
				if ((await polluted([name], value, probeNode)) !== cleanProbe) {
					nodeBreaks.add(name);
					break;
				}
			}
		}

		const tested = names.filter(name => !nodeBreaks.has(name));
		console.info(`${tested.length} names polluted; left to the browser suite, as Node's own fetch changes with them: ${[...nodeBreaks].join(', ')}`);
		expect(tested.length).toBeGreaterThan(300);
		for (const name of ['messages', 'now', 'card', 'cardHolderInfo', 'url', 'uri', 'accountKey', 'reconcileUrl', 'paymentMethodId', 'fields']) {
			expect(tested).toContain(name);
		}

		const differences: string[] = [];
		for (const value of values) {
			// eslint-disable-next-line no-await-in-loop
			for (const name of await culprits(tested, value, run, baseline)) {
				// eslint-disable-next-line no-await-in-loop
				const alone = await polluted(name.split('+'), value, run);
				differences.push(
					`${name.slice(0, 200)}=${JSON.stringify(value)}: ${alone
						.split('\n')
						.filter(line => !baseline.includes(line))
						.join(' | ')
						.slice(0, 3000)}`,
				);
			}
		}

		expect(differences).toEqual([]);
	}, 600_000);
});
