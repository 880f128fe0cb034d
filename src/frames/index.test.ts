// @vitest-environment happy-dom
// mountCardFields' checks when called, in happy-dom (the page at https://shop.example): where the
// frame may be, and styles that could load something. The connection itself is proved in browsers
// (e2e/card-frame.spec.ts): happy-dom loads no cross-origin frame.
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest';
import {mountCardFields} from './index.js';

beforeEach(() => {
	(window as unknown as {happyDOM: {setURL(url: string): void}}).happyDOM.setURL('https://shop.example/checkout');
	vi.useFakeTimers();
	// happy-dom loads no frame and says so on the console at each mount: expected here.
	vi.spyOn(console, 'error').mockImplementation(() => undefined);
	document.body.innerHTML = '<div id="card"></div>';
});
afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

/** The `fields` of the error a call throws (the option it names and its code), or 'mounted'. */
function refusal(frameUrl: unknown, options: Record<string, unknown> = {}): string {
	try {
		mountCardFields('#card', {frameUrl: frameUrl as string, ...options}).destroy();
		return 'mounted';
	} catch (error) {
		const {name, kind, fields} = error as {name: string; kind: string; fields: Record<string, {code: string}>};
		return `${name} ${kind} ${Object.entries(fields)
			.map(([field, {code}]) => `${field}:${code}`)
			.join(',')}`;
	}
}

describe('mountCardFields refuses, when called, a frame without isolation', () => {
	test("the page's own origin (any path, relative or absolute) is refused; another origin of the site is not", () => {
		expect(location.origin).toBe('https://shop.example');
		for (const url of ['/card-frame/', 'card', `${location.origin}/`, 'https://shop.example:443/x', '//shop.example/frame']) {
			expect(refusal(url)).toBe('ZuoraCorsError validation frameUrl:option_invalid');
		}

		expect(refusal('https://cards.shop.example/')).toBe('mounted');
		expect(document.querySelectorAll('iframe')).toHaveLength(0);
	});

	test('plain http is refused off loopback, allowed on loopback hosts (generated hosts)', () => {
		fc.assert(
			fc.property(fc.domain(), fc.integer({min: 1, max: 65_535}), (host, port) => {
				expect(refusal(`http://${host}:${port}/`)).toBe(host === 'localhost' ? 'mounted' : 'ZuoraCorsError validation frameUrl:option_invalid');
			}),
			{seed: 22, numRuns: 100},
		);
		for (const url of ['http://127.0.0.1:3002/', 'http://localhost:3002/', 'http://[::1]:3002/', 'http://127.8.9.10/']) {
			expect(refusal(url)).toBe('mounted');
		}

		for (const url of ['ftp://cards.shop.example/', 'javascript:alert(1)', 'data:text/html,x', 'http://127.0.0.1.evil.example/', 'http://0.0.0.0/', undefined, 42]) {
			expect(refusal(url)).toBe('ZuoraCorsError validation frameUrl:option_invalid');
		}
	});

	test('frameUrl is read as an own property only', () => {
		const options = Object.create({frameUrl: 'https://cards.shop.example/'}) as {frameUrl: string};
		expect(() => mountCardFields('#card', options)).toThrow('frameUrl');
	});

	test('no container: refused', () => {
		expect(() => mountCardFields('#nothing', {frameUrl: 'https://cards.shop.example/'})).toThrow('container');
	});
});

test('a style value that could load something is refused by the page module too (the frame refuses it again)', () => {
	expect(refusal('https://cards.shop.example/', {style: {base: {color: 'red'}, focus: {backgroundColor: 'url(https://evil.example/x)'}}})).toBe(
		'ZuoraCorsError validation style.focus.backgroundColor:option_invalid',
	);
	expect(refusal('https://cards.shop.example/', {style: {base: {color: 'red'}}})).toBe('mounted');
});

test('ready rejects with FRAME_TIMEOUT (kind setup) when the frame never connects', async () => {
	const card = mountCardFields('#card', {frameUrl: 'https://cards.shop.example/', readyTimeout: 1000});
	const errors: string[] = [];
	document.querySelector('#card')!.addEventListener('zuora-cors:error', event => errors.push((event as CustomEvent<{error: {code: string}}>).detail.error.code));
	const outcome = card.ready.then(
		() => 'ready',
		(error: {name: string; code: string; kind: string; retryable: boolean}) => [error.name, error.code, error.kind, error.retryable].join(' '),
	);
	await vi.advanceTimersByTimeAsync(1000);
	expect(await outcome).toBe('ZuoraCorsError FRAME_TIMEOUT setup false');
	expect(errors).toEqual(['FRAME_TIMEOUT']);
	card.destroy();
	expect(document.querySelectorAll('iframe')).toHaveLength(0);
});

test("the container's events read nothing inherited: a polluted Object.prototype (cancelable, composed) changes none", () => {
	const prototype = Object.prototype as Record<string, unknown>;
	const seen: string[] = [];
	document.querySelector('#card')!.addEventListener('zuora-cors:error', event => seen.push(`${event.cancelable} ${event.composed} ${event.bubbles}`));
	prototype['cancelable'] = true;
	prototype['composed'] = true;
	try {
		const card = mountCardFields('#card', {frameUrl: 'https://cards.shop.example/', readyTimeout: 10});
		vi.advanceTimersByTime(10);
		card.destroy();
	} finally {
		delete prototype['cancelable'];
		delete prototype['composed'];
	}

	expect(seen).toEqual(['false false true']);
});
