// @vitest-environment happy-dom
// bindForm composed, in happy-dom: `fetch` answered in-process (the signature endpoint and Zuora),
// timers faked. The browser suite (e2e/form-*.spec.ts) proves the same in Chromium and Firefox.
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {ZuoraCorsError} from '../errors.js';
import {bindForm, FORM_EVENTS, type BindFormOptions} from './index.js';

const ZUORA = 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards';
const CONTROLS = '<input name="creditCardNumber" disabled><input name="expiry" disabled><input name="securityCode" disabled><input name="cardHolderInfo.cardHolderName" disabled>';
const PAGE = `<form id="card-form"><fieldset disabled data-zuora-cors-fields>${CONTROLS}<input name="cardHolderInfo.email" disabled><button disabled>Save</button></fieldset></form><p id="status" role="status"></p>`;

/** 'hang': no answer until the request is aborted; `drop`: no answer (the connection lost). */
type Answer = {status?: number; body: unknown; headers?: Record<string, string>; drop?: true};
let sent: Array<{url: string; body: string; key: string | null}>;
let answers: {signature: Array<Answer | 'hang'>; zuora: Answer[]; reconcile: Answer[]};

function answer({status = 200, body, headers = {}}: Answer) {
	return new Response(JSON.stringify(body), {status, headers: {'content-type': 'application/json', ...headers}});
}

beforeEach(() => {
	document.body.innerHTML = PAGE;
	sent = [];
	answers = {signature: [], zuora: [], reconcile: []};
	vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
		sent.push({url: String(url), body: String(init.body ?? ''), key: new Headers(init.headers).get('idempotency-key')});
		const zuora = String(url).startsWith(ZUORA);
		const queue: Array<Answer | 'hang'> = zuora ? answers.zuora : String(url).endsWith('/reconcile') ? answers.reconcile : answers.signature;
		const next = queue.shift() ?? (zuora ? {body: {success: true, paymentMethodId: 'pm1'}} : {body: {success: true, signature: 's', token: `t${sent.length}-0123456789abcdef`}});
		if (next === 'hang') {
			return new Promise<Response>((_, reject) => {
				init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
			});
		}

		if (next.drop) {
			throw new TypeError('fetch failed');
		}

		return answer(next);
	});
});

afterEach(() => {
	vi.unstubAllGlobals();
	vi.useRealTimers();
	document.body.innerHTML = '';
	document.head.innerHTML = '';
});

const form = () => document.querySelector('form')!;
const control = (name: string) => form().querySelector<HTMLInputElement>(`[name="${name}"]`)!;
const status = () => document.querySelector('#status')!.textContent;
const options = (extra: Partial<BindFormOptions> = {}): BindFormOptions => ({
	signatureUrl: 'https://shop.example/signature',
	url: ZUORA,
	fields: {accountKey: 'A1'},
	prefetch: false,
	preconnect: false,
	status: document.querySelector<HTMLElement>('#status')!,
	...extra,
});

function fill(card: Record<string, string> = {}) {
	for (const [name, value] of Object.entries({creditCardNumber: '4111 1111 1111 1111', expiry: '12 / 31', securityCode: '737', 'cardHolderInfo.cardHolderName': 'Ada', ...card})) {
		control(name).value = value;
	}
}

const zuoraBodies = () => sent.filter(request => request.url.startsWith(ZUORA)).map(request => JSON.parse(request.body) as Record<string, unknown>);

describe('bind and destroy', () => {
	it('enables exactly the bound controls and the submit button; destroy() disables them again', () => {
		const binding = bindForm('#card-form', options());
		expect([...form().querySelectorAll(':disabled')].map(element => element.getAttribute('name'))).toEqual(['cardHolderInfo.email']);
		binding.destroy();
		expect(form().querySelectorAll(':enabled')).toHaveLength(0);
		expect(() => binding.reset()).toThrow(expect.objectContaining({kind: 'validation'}));
	});

	it('binds with the signature endpoint alone: the Zuora URL comes with the signature', () => {
		const {url: _url, ...withoutUrl} = options({preconnect: true});
		bindForm('#card-form', withoutUrl).destroy();
		expect(document.head.innerHTML).toBe('');
	});

	it('a refused form is left as it was: nothing enabled, nothing sent', () => {
		document.body.insertAdjacentHTML('afterbegin', '<div id="card-form"></div>');
		expect(() => bindForm(document.querySelector('form')!, options())).toThrow(expect.objectContaining({name: 'ZuoraCorsError', kind: 'validation', stage: 'request'}));
		expect(form().querySelectorAll(':enabled')).toHaveLength(0);
		expect(sent).toEqual([]);
	});
});

describe('`fields` at each submission', () => {
	// The card frame binds once and sets the page's fields (defaultPaymentMethod, cardHolderInfo)
	// into its `fields` object before each submission: a copy taken at bind dropped them.
	it("reads the page's own `fields` at each submission; a bad value is refused at bind; an inherited one is never read", async () => {
		const fields: Record<string, unknown> = {accountKey: 'A1'};
		const binding = bindForm('#card-form', options({fields}));
		fields['defaultPaymentMethod'] = true;
		fields['cardHolderInfo'] = {email: 'ada@example.com'};
		fill();
		await binding.submit();
		binding.reset();
		delete fields['defaultPaymentMethod'];
		fill();
		await binding.submit();
		expect(zuoraBodies().map(({accountKey, defaultPaymentMethod, cardHolderInfo}) => ({accountKey, defaultPaymentMethod, cardHolderInfo}))).toEqual([
			{accountKey: 'A1', defaultPaymentMethod: true, cardHolderInfo: {cardHolderName: 'Ada', email: 'ada@example.com'}},
			{accountKey: 'A1', defaultPaymentMethod: undefined, cardHolderInfo: {cardHolderName: 'Ada', email: 'ada@example.com'}},
		]);
		binding.destroy();
		expect(() => bindForm('#card-form', options({fields: {accountKey: {}}}))).toThrow(expect.objectContaining({kind: 'validation', message: 'Invalid option `fields` (not_field_values)'}));
		const inherited = Object.create({fields: {accountKey: 'ATTACKER'}}) as BindFormOptions;
		Object.assign(inherited, options(), {fields: undefined});
		delete inherited.fields;
		sent = [];
		const second = bindForm('#card-form', inherited);
		fill();
		await second.submit().catch(() => undefined);
		expect(sent.map(request => request.body).join('\n')).not.toContain('ATTACKER');
		second.destroy();
	});
});

describe('least privilege', () => {
	it('sends the card and the declared fields only: an undeclared Zuora control, and a card type injected after bind, are ignored', async () => {
		const binding = bindForm('#card-form', options());
		fill();
		control('cardHolderInfo.email').disabled = false;
		control('cardHolderInfo.email').value = 'thief@example.com';
		form()
			.querySelector('fieldset')!
			.insertAdjacentHTML('beforeend', '<input name="creditCardType" value="MasterCard"><input name="cardHolderInfo.zipCode" value="666"><input name="accountKey" value="B2">');
		await binding.submit();
		expect(zuoraBodies()).toEqual([
			{accountKey: 'A1', creditCardType: 'Visa', creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2031, securityCode: '737', cardHolderInfo: {cardHolderName: 'Ada'}},
		]);
	});

	it('generated: an undeclared creditCardType control inside the form (hidden, text, select; any brand) never decides the brand', async () => {
		const numbers = {Visa: '4111111111111111', MasterCard: '5555555555554444', Discover: '6011111111111117', JCB: '3530111333300000'} as const;
		const brands = ['Visa', 'MasterCard', 'AmericanExpress', 'Discover', 'JCB', 'Diners', 'visa', 'x'];
		const controls = [
			(value: string) => `<input type="hidden" name="creditCardType" value="${value}">`,
			(value: string) => `<input name="creditCardType" value="${value}">`,
			(value: string) => `<select name="creditCardType"><option selected>${value}</option></select>`,
		];
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...(Object.keys(numbers) as Array<keyof typeof numbers>)), fc.constantFrom(...brands), fc.constantFrom(...controls), async (brand, injected, make) => {
				document.body.innerHTML = PAGE;
				sent = [];
				form().querySelector('fieldset')!.insertAdjacentHTML('afterbegin', make(injected));
				const binding = bindForm('#card-form', options());
				fill({creditCardNumber: numbers[brand]});
				await binding.submit();
				expect(zuoraBodies().map(body => body['creditCardType'])).toEqual([brand]);
				binding.destroy();
			}),
			{numRuns: 40, seed: 2121},
		);
	});

	it('reads a field named in formFields', async () => {
		const binding = bindForm('#card-form', options({formFields: ['cardHolderInfo.email']}));
		fill({'cardHolderInfo.email': 'ada@example.com'});
		await binding.submit();
		expect(zuoraBodies()[0]?.['cardHolderInfo']).toEqual({cardHolderName: 'Ada', email: 'ada@example.com'});
	});
});

describe('lifecycle', () => {
	it('after success: number and code cleared, the form locked (no second card) until reset()', async () => {
		const binding = bindForm('#card-form', options({formFields: ['cardHolderInfo.email']}));
		const seen: string[] = [];
		form().addEventListener(FORM_EVENTS.success, event => seen.push(event.detail.result.paymentMethodId));
		fill({'cardHolderInfo.email': 'ada@example.com'});
		await binding.submit();
		expect(seen).toEqual(['pm1']);
		expect([control('creditCardNumber').value, control('securityCode').value, control('expiry').value]).toEqual(['', '', '12 / 31']);
		expect(form().querySelectorAll('fieldset :enabled')).toHaveLength(0);
		expect(status()).toBe('Your card was saved.');
		fill();
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation'});
		expect(zuoraBodies()).toHaveLength(1);
		binding.reset();
		expect(status()).toBe('');
		expect(form().querySelectorAll(':disabled')).toHaveLength(0);
		// The card's controls are emptied for the next card; a declared field keeps its value.
		expect([control('cardHolderInfo.cardHolderName').value, control('expiry').value, control('cardHolderInfo.email').value]).toEqual(['', '', 'ada@example.com']);
	});

	it('after a 429: submit off, the wait counted down in the status, nothing sent meanwhile, then open', async () => {
		vi.useFakeTimers({now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date']});
		const binding = bindForm('#card-form', options());
		answers.signature.push({status: 429, body: {success: false, reasons: [{message: 'slow down'}]}, headers: {'Retry-After': '12'}});
		fill();
		const error = await binding.submit().catch((failure: unknown) => failure as ZuoraCorsError);
		expect(error).toMatchObject({status: 429, retryAfter: 12_000});
		const button = form().querySelector('button')!;
		expect(button.disabled).toBe(true);
		expect(control('creditCardNumber').disabled).toBe(false);
		expect(status()).toBe('Too many attempts. Please wait 12 seconds and try again.');
		vi.advanceTimersByTime(5000);
		expect(status()).toBe('Too many attempts. Please wait 7 seconds and try again.');
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation'});
		expect(sent).toHaveLength(1);
		vi.advanceTimersByTime(7000);
		expect(button.disabled).toBe(false);
		expect(status()).toBe('');
		await binding.submit();
		expect(zuoraBodies()).toHaveLength(1);
	});

	it('a decline naming the security code marks it, focuses it, and the status says why; the form stays open for a corrected code', async () => {
		const binding = bindForm('#card-form', options());
		answers.zuora.push({
			body: {success: false, processId: 'P1', reasons: [{code: 53000020, message: "Transaction declined.402 - [card_error/incorrect_cvc/incorrect_cvc] Your card's security code is incorrect."}]},
		});
		fill();
		await expect(binding.submit()).rejects.toMatchObject({kind: 'zuora'});
		const code = control('securityCode');
		const sentence = 'Your card was declined because the security code is wrong. Please check it and try again.';
		expect(code.getAttribute('aria-invalid')).toBe('true');
		expect(document.activeElement).toBe(code);
		expect(document.getElementById(code.getAttribute('aria-describedby')!)?.textContent).toBe(sentence);
		expect(status()).toBe(sentence);
		expect(form().querySelector('button')!.disabled).toBe(false);
		code.value = '738';
		await binding.submit();
		expect(code.hasAttribute('aria-invalid')).toBe(false);
		// Two signatures: the declined token was spent.
		expect(sent.filter(request => !request.url.startsWith(ZUORA))).toHaveLength(2);
	});

	it('supportedBrands: another brand is an error while typing and on submit, nothing sent', async () => {
		const binding = bindForm('#card-form', options({supportedBrands: ['Visa']}));
		const number = control('creditCardNumber');
		number.value = '3782';
		number.dispatchEvent(new Event('input', {bubbles: true}));
		expect(number.getAttribute('aria-invalid')).toBe('true');
		fill({creditCardNumber: '378282246310005', securityCode: '1234'});
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation', fields: {creditCardNumber: {code: 'card_brand_not_supported'}}});
		expect(status()).toBe('This card type is not accepted here. Use Visa.');
		expect(sent).toEqual([]);
		number.value = '4111';
		number.dispatchEvent(new Event('input', {bubbles: true}));
		expect(number.hasAttribute('aria-invalid')).toBe(false);
	});

	it('a not-saved error opens the form for a retry with a fresh signature', async () => {
		const binding = bindForm('#card-form', options());
		answers.zuora.push({status: 503, body: {success: false, reasons: [{message: 'busy'}]}});
		fill();
		await expect(binding.submit()).rejects.toMatchObject({status: 503});
		expect(form().querySelector('button')!.disabled).toBe(false);
		fill();
		await binding.submit();
		const tokens = sent.filter(request => request.url.startsWith(ZUORA)).length;
		expect(tokens).toBe(2);
		expect(sent.filter(request => !request.url.startsWith(ZUORA))).toHaveLength(2);
	});
});

describe('a shopper never waits in silence', () => {
	const BUSY = 'The payment service is busy. Please try again in a moment.';
	const statusElement = () => document.querySelector<HTMLElement>('#status')!;
	const signatures = () => sent.filter(request => !request.url.startsWith(ZUORA)).length;
	/** The status texts seen, one per change. */
	function watchStatus() {
		const texts: string[] = [];
		new MutationObserver(() => texts.push(status() ?? '')).observe(statusElement(), {childList: true, characterData: true, subtree: true});
		return texts;
	}

	it('busy from the click (aria-busy="true"), "still working" said once after 4 s, the busy message at the 10 s deadline', async () => {
		vi.useFakeTimers({now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date']});
		const binding = bindForm('#card-form', options());
		answers.signature.push('hang', 'hang', 'hang');
		fill();
		const texts = watchStatus();
		const outcome = binding.submit().catch((failure: unknown) => failure as ZuoraCorsError);
		expect(form().getAttribute('aria-busy')).toBe('true');
		await vi.advanceTimersByTimeAsync(3999);
		expect(status()).toBe('');
		await vi.advanceTimersByTimeAsync(1);
		expect(status()).toBe('Still working on it. Please wait.');
		await vi.advanceTimersByTimeAsync(5999);
		expect(form().getAttribute('aria-busy')).toBe('true');
		await vi.advanceTimersByTimeAsync(1);
		expect(await outcome).toMatchObject({kind: 'timeout', stage: 'signature', retryable: true});
		expect(form().hasAttribute('aria-busy')).toBe(false);
		expect(texts).toEqual(['Still working on it. Please wait.', BUSY]);
		// One request that hung: nothing was waited for twice.
		expect(signatures()).toBe(1);
	});

	it('a prefetched pair still pending at the click is waited for within the same deadline, then replaced with the time left', async () => {
		vi.useFakeTimers({now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date']});
		const binding = bindForm('#card-form', options({prefetch: true}));
		answers.signature.push('hang', 'hang');
		control('creditCardNumber').dispatchEvent(new FocusEvent('focusin', {bubbles: true}));
		await vi.advanceTimersByTimeAsync(3000);
		fill();
		const settled = vi.fn();
		const outcome = binding.submit().catch((failure: unknown) => failure as ZuoraCorsError);
		void outcome.then(settled);
		// The prefetch times out 10 s after it began (7 s after the click); a fresh request gets the 3 s left.
		await vi.advanceTimersByTimeAsync(7000);
		expect(signatures()).toBe(2);
		await vi.advanceTimersByTimeAsync(2999);
		expect(settled).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(1);
		expect(await outcome).toMatchObject({kind: 'timeout', stage: 'signature'});
		expect(status()).toBe(BUSY);
	});

	it('a backend answering 503 with Retry-After is retried within the deadline, then the busy message', async () => {
		vi.useFakeTimers({now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date']});
		const binding = bindForm('#card-form', options());
		const unavailable = {status: 503, body: {success: false, reasons: [{message: 'store down'}]}, headers: {'Retry-After': '4'}};
		answers.signature.push(unavailable, unavailable, unavailable);
		fill();
		const outcome = binding.submit().catch((failure: unknown) => failure as ZuoraCorsError);
		await vi.advanceTimersByTimeAsync(8000);
		expect(await outcome).toMatchObject({status: 503, stage: 'signature', retryable: true});
		expect(signatures()).toBe(3);
		expect(status()).toBe(BUSY);
	});

	it('after a decline that names no field, focus lands on the status message (focusable, restored by destroy)', async () => {
		const binding = bindForm('#card-form', options());
		answers.zuora.push({body: {success: false, reasons: [{code: 53000020, message: 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'}]}});
		fill();
		form().querySelector('button')!.focus();
		await expect(binding.submit()).rejects.toMatchObject({kind: 'zuora'});
		expect(status()).toBe('Your card was declined. Please use another card or contact your bank.');
		expect(document.activeElement).toBe(statusElement());
		expect(statusElement().getAttribute('tabindex')).toBe('-1');
		binding.destroy();
		expect(statusElement().hasAttribute('tabindex')).toBe(false);
	});

	it('after an invalid card, focus stays on the first invalid field', async () => {
		const binding = bindForm('#card-form', options());
		fill({securityCode: '1'});
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation'});
		expect(document.activeElement).toBe(control('securityCode'));
	});

	it('the "still working" text comes from the page\'s messages', async () => {
		vi.useFakeTimers({now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date']});
		const binding = bindForm('#card-form', options({messages: {still_working: 'Noch dabei.'}}));
		answers.signature.push('hang');
		fill();
		const outcome = binding.submit().catch(() => undefined);
		await vi.advanceTimersByTimeAsync(4000);
		expect(status()).toBe('Noch dabei.');
		await vi.advanceTimersByTimeAsync(6000);
		await outcome;
	});
});

describe('an outcome nobody knows yet: locked, checked, never sent again', () => {
	const reconcileUrl = 'https://shop.example/reconcile';
	const locked = () => [...form().querySelectorAll<HTMLInputElement | HTMLButtonElement>('fieldset input[name], fieldset button')].filter(element => !element.disabled).map(element => element.name);

	/** Submits with the card POST's answer lost, and stops at the moment the form says it is checking. */
	async function loseTheAnswer(extra: Partial<BindFormOptions> = {}) {
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		const binding = bindForm('#card-form', options({reconcileUrl, ...extra}));
		const checking: string[] = [];
		form().addEventListener(FORM_EVENTS.checking, event => checking.push(event.detail.error.kind));
		answers.zuora.push({body: undefined, drop: true});
		fill();
		const submitted = binding.submit().then(
			result => ({result}),
			(error: unknown) => ({error: error as ZuoraCorsError}),
		);
		// Turned by hand: vi.waitFor would move the faked clock.
		while (checking.length === 0) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => {
				setImmediate(resolve);
			});
		}

		expect(checking).toEqual(['network']);
		return {binding, submitted};
	}

	it('checking: controls and submit locked, number and code cleared, the status says so; found later: saved', async () => {
		const {binding, submitted} = await loseTheAnswer();
		expect(locked()).toEqual([]);
		expect([control('creditCardNumber').value, control('securityCode').value, control('expiry').value]).toEqual(['', '', '12 / 31']);
		expect(status()).toBe('Checking whether your card was saved…');
		// A click meanwhile sends nothing.
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation'});
		answers.reconcile.push({body: {success: true, paymentMethodId: null}}, {body: {success: true, paymentMethodId: 'pm-found'}});
		await vi.advanceTimersByTimeAsync(6000);
		expect(await submitted).toEqual({result: {success: true, paymentMethodId: 'pm-found', recovered: true}});
		expect(status()).toBe('Your card was saved.');
		expect(zuoraBodies()).toHaveLength(1);
	});

	it('not found when the window has passed: "not saved", the form open for a fresh attempt', async () => {
		const {submitted} = await loseTheAnswer({reconcileWindow: 20_000});
		answers.reconcile.push(...Array.from({length: 5}, () => ({body: {success: true, paymentMethodId: null}})));
		await vi.advanceTimersByTimeAsync(19_999);
		expect(status()).toBe('Checking whether your card was saved…');
		expect(locked()).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		const outcome = await submitted;
		expect('error' in outcome && outcome.error.kind).toBe('not-saved');
		expect(status()).toBe('Your card was not saved. Please try again.');
		expect(locked()).toHaveLength(5);
		expect(zuoraBodies()).toHaveLength(1);
	});

	it('the endpoint cannot answer: stays locked with the advice to check saved cards, until reset()', async () => {
		const {binding, submitted} = await loseTheAnswer({reconcileWindow: 0});
		answers.reconcile.push({status: 503, body: {reasons: [{code: 'DOWN', message: 'down'}]}});
		await vi.advanceTimersByTimeAsync(0);
		const outcome = await submitted;
		expect('error' in outcome && outcome.error.kind).toBe('network');
		expect(status()).toBe('The connection was lost, so we could not confirm whether your card was saved. Please check your saved cards before trying again.');
		expect(locked()).toEqual([]);
		fill();
		await expect(binding.submit()).rejects.toMatchObject({kind: 'validation'});
		expect(zuoraBodies()).toHaveLength(1);
		binding.reset();
		expect(locked()).toHaveLength(5);
	});

	it('without reconcileUrl: unknown at once, locked until reset()', async () => {
		const binding = bindForm('#card-form', options());
		answers.zuora.push({body: undefined, drop: true});
		fill();
		await expect(binding.submit()).rejects.toMatchObject({kind: 'network'});
		expect(locked()).toEqual([]);
		expect(control('creditCardNumber').value).toBe('');
		binding.reset();
		expect(locked()).toHaveLength(5);
	});
});

describe('Idempotency-Key per card (opt-in)', () => {
	const keys = () => sent.filter(request => request.url.startsWith(ZUORA)).map(request => request.key);

	it('none without the option', async () => {
		const binding = bindForm('#card-form', options());
		fill();
		await binding.submit();
		expect(keys()).toEqual([null]);
	});

	it("a prefix: the same key across the card's retries, a new one after a definite outcome and after reset()", async () => {
		const binding = bindForm('#card-form', options({idempotencyKey: 'order-7'}));
		answers.zuora.push(
			{status: 503, body: {success: false, reasons: [{message: 'busy'}]}},
			{body: {success: false, reasons: [{code: 53100099, message: 'Transaction declined.402 - [card_error/card_declined/generic_decline] Your card was declined.'}]}},
		);
		fill();
		await expect(binding.submit()).rejects.toMatchObject({status: 503});
		await expect(binding.submit()).rejects.toMatchObject({kind: 'zuora'});
		fill();
		await binding.submit();
		binding.reset();
		fill();
		await binding.submit();
		const [first, retry, afterDecline, afterReset] = keys();
		expect(first).toMatch(/^order-7-[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
		expect(retry).toBe(first);
		expect(new Set([first, afterDecline, afterReset]).size).toBe(3);
		expect([afterDecline, afterReset].every(key => key?.startsWith('order-7-'))).toBe(true);
	});

	it('a function: called once per card attempt', async () => {
		let calls = 0;
		const binding = bindForm('#card-form', options({idempotencyKey: () => `k${++calls}`}));
		fill();
		await binding.submit();
		binding.reset();
		fill();
		await binding.submit();
		expect([keys(), calls]).toEqual([['k1', 'k2'], 2]);
	});

	it.each([[''], ['x'.repeat(201)], [7], [{}]])('refuses %j when binding', value => {
		expect(() => bindForm('#card-form', options({idempotencyKey: value as never}))).toThrow(expect.objectContaining({kind: 'validation', fields: {idempotencyKey: expect.anything()}}));
	});
});
