// What the stub's tests share: requests to a stub (in-process or over a socket) and the cards,
// pairs and failures they assert on.
import {expect} from 'vitest';
import {inProcessStub, type InProcessStub} from './in-process.js';
import type {ZuoraStub, ZuoraStubOptions} from './zuora-stub.js';

export type Answer = {status: number; headers: Headers; text: string; json: any};
export type Pair = {signature?: string; token?: string};

export const SHOP = 'http://shop.test';
export const CREDIT_CARDS = '/v1/payment-methods/credit-cards';
export const ACCOUNTS = '/v1/accounts';
export const VISA = '4111111111111111';
export const FUTURE_YEAR = new Date().getUTCFullYear() + 3;
export const USED_TOKEN = {code: 90000011, message: 'Invalid token. Note: a token can only be used once.'};
export const EXPIRED_TOKEN = {code: 90000011, message: 'Invalid token. The token has expired.'};
export const INVALID_SIGNATURE = {code: 90000012, message: 'Invalid signature.'};
export const PROCESS_ID = /^[0-9A-F]{16}$/;
export const HEX32 = /^[0-9a-f]{32}$/;
export const EXPOSED = 'Retry-After, ratelimit-limit, ratelimit-remaining, ratelimit-reset';
export const DECLINED = 53100099;

/** A request the stub never answers fails the test with a TimeoutError, well before the test's own timeout. */
export const CALL_TIMEOUT_MS = 10_000;

/** In-process stubs by origin: `call` hands their requests to the stub's `fetch`, no socket. */
const inProcess = new Map<string, InProcessStub['fetch']>();

/** A stub served in-process (see in-process.ts), reachable through `call` at its `url`. */
export function stubInProcess(options: ZuoraStubOptions = {}): InProcessStub {
	const stub = inProcessStub(options);
	inProcess.set(stub.url, stub.fetch);
	return stub;
}

/** A request to a stub: in-process when `url` is an in-process stub's, else through Node's fetch and a socket. */
export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
	const send = inProcess.get(new URL(url).origin) ?? fetch;
	const response = await send(url, {signal: AbortSignal.timeout(CALL_TIMEOUT_MS), ...init});
	const text = await response.text();
	const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
	return {status: response.status, headers: response.headers, text, json: isJson ? JSON.parse(text) : undefined};
}

export function oauth(stub: ZuoraStub, form: Record<string, string> = {}) {
	const body = new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials', ...form});
	return call(`${stub.url}/oauth/token`, {method: 'POST', body});
}

const bearers = new WeakMap<ZuoraStub, string>();

export async function bearer(stub: ZuoraStub): Promise<string> {
	const cached = bearers.get(stub);
	if (cached) {
		return cached;
	}

	const {json} = await oauth(stub);
	bearers.set(stub, json.access_token);
	return json.access_token as string;
}

export async function postSigning(stub: ZuoraStub, path: string, body: unknown, token?: string) {
	const authorization = `Bearer ${token ?? (await bearer(stub))}`;
	return call(`${stub.url}${path}`, {method: 'POST', headers: {authorization, 'content-type': 'application/json'}, body: JSON.stringify(body)});
}

export async function signFor(stub: ZuoraStub, request: Record<string, unknown>): Promise<{signature: string; token: string}> {
	const {json} = await postSigning(stub, '/v1/hmac-signatures', {method: 'POST', ...request});
	expect(json.success).toBe(true);
	return json;
}

export function card(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		accountKey: 'A00000001',
		creditCardType: 'Visa',
		creditCardNumber: VISA,
		expirationMonth: 12,
		expirationYear: FUTURE_YEAR,
		securityCode: '123',
		cardHolderInfo: {cardHolderName: 'Ada Lovelace'},
		...overrides,
	};
}

/** POSTs to a CORS create operation the way the browser does. */
export function corsPost(stub: ZuoraStub, path: string, body: unknown, pair: Pair, headers: Record<string, string> = {}, init: RequestInit = {}) {
	const all: Record<string, string> = {origin: SHOP, accept: 'application/json', 'content-type': 'application/json', ...headers};
	if (pair.signature !== undefined) {
		all['signature'] = pair.signature;
	}

	if (pair.token !== undefined) {
		all['token'] = pair.token;
	}

	return call(`${stub.url}${path}`, {method: 'POST', headers: all, body: typeof body === 'string' ? body : JSON.stringify(body), ...init});
}

/** Signs for the credit-cards uri with the body's accountKey, then posts the card. */
export async function createCard(stub: ZuoraStub, body: Record<string, unknown> = card(), headers: Record<string, string> = {}) {
	const pair = await signFor(stub, {uri: `${stub.publicUrl}${CREDIT_CARDS}`, accountKey: body.accountKey});
	return corsPost(stub, CREDIT_CARDS, body, pair, headers);
}

export function expectFailure(answer: Answer, reasons: Array<{code: number; message: string}>, status = 200) {
	expect(answer.status).toBe(status);
	expect(answer.json).toEqual({success: false, processId: expect.stringMatching(PROCESS_ID), reasons});
}

export function corsHeaderNames(headers: Headers) {
	return [...headers.keys()].filter(name => name.startsWith('access-control-'));
}
