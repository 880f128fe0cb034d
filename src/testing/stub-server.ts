/**
 * The stub's small core: the HTTP server, the routing table, and the order every request goes
 * through (CORS headers, log, body, test controls, latency, preflight, faults, the resource).
 * The resources' decisions live in their own modules and take a `StubRequest`, no socket.
 *
 * - Slow clients: a request's headers must arrive within `headersTimeoutMs` and the whole
 *   request within `requestTimeoutMs`, else Node answers 408 and closes; at most
 *   `maxConnections` connections are open at once, a further one is closed at once.
 * - A body over 1 MiB answers HTTP 413, code 50000070; an unknown route 404, code 50000040.
 * - Latency (`setLatency`) delays every answer, preflights included, but not the controls.
 * - Test controls under `/__stub/` exist only with `testMode` (otherwise 404 like any unknown
 *   route), get the same CORS headers, and are neither delayed, faulted nor logged.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {createAccount} from './accounts.js';
import {corsHeaders, preflight} from './cors.js';
import {faultAnswer, takeFault} from './faults.js';
import {FILE_PATH, getFile} from './files.js';
import {createViaCors} from './idempotency.js';
import {issueOAuthToken} from './oauth.js';
import {createPaymentMethod, LIST_CREDIT_CARDS_PATH, listCreditCards} from './payment-methods.js';
import {rsaSignatureViaBearerOrPair} from './rsa-signatures.js';
import {issueHmacSignature} from './signatures.js';
import type {LoggedRequest, StubContext, StubRequest, StubState} from './stub-state.js';
import {failure, isPlainObject, reason, type Reply} from './values.js';
import {STUB_CODES as CODES} from './zuora-facts.js';
import {ZUORA_BACKEND_PATHS, ZUORA_CORS_OPERATIONS} from '../zuora.js';

export const MAX_BODY_BYTES = 1024 * 1024;

type Route = {method: string; path: RegExp; handle: (context: StubContext, request: StubRequest) => Reply | Promise<Reply>};

function exactly(path: string): RegExp {
	return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Every operation the stub serves, by method and path. */
const ROUTES: readonly Route[] = [
	{method: 'POST', path: exactly(ZUORA_BACKEND_PATHS.oauthToken), handle: issueOAuthToken},
	{method: 'POST', path: exactly(ZUORA_BACKEND_PATHS.hmacSignatures), handle: issueHmacSignature},
	{method: 'POST', path: exactly(ZUORA_BACKEND_PATHS.rsaSignatures), handle: rsaSignatureViaBearerOrPair},
	{method: 'POST', path: exactly(ZUORA_CORS_OPERATIONS.creditCard.path), handle: (context, request) => createViaCors(context, request, createPaymentMethod)},
	{method: 'POST', path: exactly(ZUORA_CORS_OPERATIONS.account.path), handle: (context, request) => createViaCors(context, request, createAccount)},
	{method: 'GET', path: FILE_PATH, handle: getFile},
	{method: 'GET', path: LIST_CREDIT_CARDS_PATH, handle: listCreditCards},
];

export function notFound(method: string, path: string): Reply {
	return {status: 404, body: failure(reason(CODES.notFound, `No operation matches ${method} ${path}.`))};
}

function route(context: StubContext, request: StubRequest): Reply | Promise<Reply> {
	const found = ROUTES.find(candidate => candidate.method === request.method && candidate.path.test(request.path));
	return found ? found.handle(context, request) : notFound(request.method, request.path);
}

export type StubServer = {server: Server; closeAll(): Promise<void>};

/** What `serve` needs besides the request: the context, the `/__stub/` answers, and a timer that close() can clear. */
export type Handling = {context: StubContext; controls: (request: StubRequest) => Reply; delay: (ms: number) => Promise<void>};

/**
 * What became of a request: an answer, or a connection dropped ('reset' before processing,
 * 'answerLost' after, 'drop' while processing goes on) or left hanging.
 */
export type Outcome = {reply: Reply} | {drop: 'reset' | 'answerLost'} | {drop: 'drop'; processing: Promise<Reply>} | {hang: true};

/** A `delay` whose timers `clear()` ends (close() must not wait on a latency). */
export function clearableDelay() {
	const timers = new Set<NodeJS.Timeout>();
	return {
		delay: (ms: number) =>
			new Promise<void>(resolve => {
				const timer = setTimeout(() => {
					timers.delete(timer);
					resolve();
				}, ms);
				timers.add(timer);
			}),
		clear() {
			for (const timer of timers) {
				clearTimeout(timer);
			}

			timers.clear();
		},
	};
}

/** The server; `controls` answers the `/__stub/` routes (with `testMode`). */
export function createStubServer(context: StubContext, controls: (request: StubRequest) => Reply): StubServer {
	const timers = clearableDelay();
	const server = createServer(
		{
			headersTimeout: context.config.headersTimeoutMs,
			requestTimeout: context.config.requestTimeoutMs,
			// Node checks both timeouts on this interval (30 s by default): keep it well under them.
			connectionsCheckingInterval: Math.max(10, Math.min(30_000, Math.floor(context.config.headersTimeoutMs / 4))),
		},
		(request, response) => {
			handle({context, controls, delay: timers.delay}, request, response).catch(() => {
				if (response.headersSent) {
					response.destroy();
				} else {
					send(context, response, {status: 500, body: failure(reason(CODES.internal, 'Internal error.'))});
				}
			});
		},
	);
	server.maxConnections = context.config.maxConnections;

	return {
		server,
		closeAll() {
			timers.clear();
			return new Promise(resolve => {
				server.close(() => resolve());
				// Hanging requests and idle keep-alive sockets would otherwise hold close() open.
				server.closeAllConnections();
			});
		},
	};
}

/** Whether `path` is a test control (then neither logged, delayed nor faulted). */
export function isControl(context: StubContext, path: string): boolean {
	return context.config.testMode && path.startsWith('/__stub/');
}

/** The Node adapter: CORS headers, log, body, then `serve`; the outcome written to (or dropped on) the socket. */
async function handle(handling: Handling, request: IncomingMessage, response: ServerResponse): Promise<void> {
	const {context} = handling;
	const url = new URL(request.url ?? '/', 'http://stub');
	const method = request.method ?? 'GET';
	for (const [name, value] of Object.entries(corsHeaders(context, header(request, 'origin')))) {
		response.setHeader(name, value);
	}

	if (!isControl(context, url.pathname)) {
		const entry = logRequest(context, method, url.pathname, name => header(request, name));
		response.on('finish', () => {
			entry.status = response.statusCode;
		});
	}

	const body = await readBody(request);
	if (body === undefined) {
		return; // the client went away
	}

	const stubRequest: StubRequest = {method, path: url.pathname, query: url.searchParams, header: name => header(request, name), text: body.text};
	const outcome = await serve(handling, stubRequest, body.tooLarge);
	if ('reply' in outcome) {
		send(context, response, outcome.reply);
	} else if ('drop' in outcome) {
		request.socket.destroy();
		await ('processing' in outcome ? outcome.processing : undefined);
	} // a hang is never answered; close() ends the connection.
}

/**
 * The order every request goes through after its log entry, sockets apart: controls, latency,
 * preflight, faults, then the operation ('answerLost' processes and then drops the connection).
 */
export async function serve({context, controls, delay}: Handling, request: StubRequest, tooLarge: boolean): Promise<Outcome> {
	if (isControl(context, request.path)) {
		return {reply: controls(request)};
	}

	if (context.state.latencyMs > 0) {
		await delay(context.state.latencyMs);
	}

	if (request.method === 'OPTIONS') {
		return {reply: preflight(context, request.header('origin'))};
	}

	const fault = takeFault(context.state, request.path);
	if (fault === 'reset') {
		return {drop: 'reset'};
	}

	if (fault === 'hang') {
		return {hang: true};
	}

	if (fault === 'drop' && !tooLarge) {
		// The connection goes now; the create goes on (held by holdCreates until released).
		return {drop: 'drop', processing: Promise.resolve(route(context, request))};
	}

	const faulted = fault === undefined || fault === 'answerLost' || fault === 'drop' ? undefined : faultAnswer(fault);
	if (faulted) {
		return {reply: faulted};
	}

	const reply = tooLarge ? {status: 413, body: failure(reason(CODES.tooLarge, 'Request body exceeds 1 MiB.'))} : await route(context, request);
	return fault === 'answerLost' ? {drop: 'answerLost'} : {reply};
}

function header(request: IncomingMessage, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(', ') : value;
}

/** The longest header value (or cookie name) a log entry keeps: a signature is 344 characters, a token 32. */
export const LOGGED_HEADER_LIMIT = 512;
const MAX_COOKIE_NAMES = 16;

/**
 * A copy of at most LOGGED_HEADER_LIMIT characters that shares no memory with the header: a
 * slice or a split part of a V8 string may keep the whole original alive.
 */
function ownCopy(text: string): string {
	return Buffer.from(text.slice(0, LOGGED_HEADER_LIMIT), 'utf8').toString('utf8');
}

/** The cookie names of a Cookie header (`a=1; b=2` → `['a', 'b']`), never a value. */
export function cookieNames(cookie: string | undefined): string[] {
	return (cookie ?? '')
		.split(';')
		.slice(0, MAX_COOKIE_NAMES)
		.map(pair => (pair.split('=', 1)[0] ?? '').trim())
		.filter(name => name !== '')
		.map(ownCopy);
}

/**
 * A log entry for the request, in the ring of the last `requestLogSize`; its status is filled in
 * when the answer is sent (null if never).
 */
export function logRequest(context: StubContext, method: string, path: string, header: (name: string) => string | undefined): LoggedRequest {
	const kept = (name: string) => {
		const value = header(name);
		return value === undefined ? null : ownCopy(value);
	};
	const entry: LoggedRequest = {
		method: ownCopy(method),
		path: ownCopy(path),
		origin: kept('origin'),
		cookieNames: cookieNames(header('cookie')),
		signature: kept('signature'),
		token: kept('token'),
		idempotencyKey: kept('idempotency-key'),
		status: null,
	};
	const {requests} = context.state;
	requests.push(entry);
	if (requests.length > context.config.requestLogSize) {
		requests.splice(0, requests.length - context.config.requestLogSize);
	}

	return entry;
}

/**
 * Reads the whole body, keeping at most MAX_BODY_BYTES; the rest is drained (not kept) so
 * the client can finish sending and read the 413.
 * @returns undefined when the client went away
 */
function readBody(request: IncomingMessage): Promise<{text: string; tooLarge: boolean} | undefined> {
	return new Promise(resolve => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES) {
				chunks.push(chunk);
			}
		});
		request.on('end', () => {
			const tooLarge = size > MAX_BODY_BYTES;
			resolve({text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge});
		});
		request.on('error', () => resolve(undefined));
		request.on('close', () => resolve(undefined)); // no-op after 'end'
	});
}

/** A reply as bytes and headers: raw bytes, no body, or JSON (reason codes as strings with `stringCodes`). */
export function encode(context: StubContext, reply: Reply): {status: number; headers: Record<string, string | number>; body: Buffer | string | undefined} {
	if (reply.raw) {
		return {status: reply.status, headers: {...reply.headers, 'Content-Length': reply.raw.length}, body: reply.raw};
	}

	if (reply.body === undefined) {
		return {status: reply.status, headers: {...reply.headers}, body: undefined};
	}

	const text = JSON.stringify(context.config.stringCodes ? withStringCodes(reply.body) : reply.body);
	return {status: reply.status, headers: {'Content-Type': 'application/json; charset=utf-8', ...reply.headers, 'Content-Length': Buffer.byteLength(text)}, body: text};
}

function send(context: StubContext, response: ServerResponse, reply: Reply): void {
	const {status, headers, body} = encode(context, reply);
	response.writeHead(status, headers).end(body);
}

/** The envelope with its reason codes as strings. */
function withStringCodes(body: unknown): unknown {
	if (!isPlainObject(body) || !Array.isArray(body['reasons'])) {
		return body;
	}

	return {...body, reasons: body['reasons'].map((item: unknown) => (isPlainObject(item) && typeof item['code'] === 'number' ? {...item, code: String(item['code'])} : item))};
}
