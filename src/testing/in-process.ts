/**
 * The stub without a socket, for tests of its decisions (as the server handlers are tested):
 * `fetch` takes a web `Request` through the same order as the server (CORS headers, log, body,
 * controls, latency, preflight, faults, the resource) and answers a `Response`, or rejects as
 * `fetch` does when the server drops the connection (TypeError) or the caller aborts (the
 * signal's reason). The socket's own behaviour (drops on the wire, slow clients, connection
 * limits, the node adapter) is tested against `startZuoraStub`, in zuora-stub.socket.test.ts.
 * Not part of `zuora-cors/testing`.
 */
import {corsHeaders} from './cors.js';
import {clearableDelay, encode, isControl, logRequest, MAX_BODY_BYTES, serve, type Handling, type Outcome} from './stub-server.js';
import type {StubRequest} from './stub-state.js';
import {failure, reason} from './values.js';
import {STUB_CODES as CODES} from './zuora-facts.js';
import {resolveStubOptions, type ZuoraStubOptions} from './stub-options.js';
import {controlReply} from './test-controls.js';
import {newContext, stubOver, type ZuoraStub} from './zuora-stub.js';

export type InProcessStub = ZuoraStub & {fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>};

let stubs = 0;

/**
 * A stub served in-process at `http://stub-<n>.zuora.invalid` (a name no socket resolves: a
 * request that reaches the network instead of `fetch` fails).
 */
export function inProcessStub(options: ZuoraStubOptions = {}): InProcessStub {
	const context = newContext(resolveStubOptions(options));
	const timers = clearableDelay();
	const closing = new AbortController();
	const handling: Handling = {context, controls: request => controlReply(stub, request), delay: timers.delay};
	const stub = stubOver(context, {
		url: `http://stub-${++stubs}.zuora.invalid`,
		port: 0,
		async closeAll() {
			timers.clear();
			closing.abort(new TypeError('fetch failed', {cause: new Error('the stub closed')}));
		},
	});
	return Object.assign(stub, {
		fetch: (input: string | URL | Request, init?: RequestInit) => answer(handling, new Request(input, init), closing.signal),
	});
}

/** The server's order for one request, its outcome as fetch would see it. */
async function answer(handling: Handling, request: Request, closing: AbortSignal): Promise<Response> {
	const {context} = handling;
	const url = new URL(request.url);
	const header = (name: string) => request.headers.get(name) ?? undefined;
	const entry = isControl(context, url.pathname) ? undefined : logRequest(context, request.method, url.pathname, header);
	const bytes = Buffer.from(await request.arrayBuffer());
	const tooLarge = bytes.length > MAX_BODY_BYTES;
	const stubRequest: StubRequest = {method: request.method, path: url.pathname, query: url.searchParams, header, text: tooLarge ? '' : bytes.toString('utf8')};
	const either = AbortSignal.any([request.signal, closing]);
	const outcome = await unlessAborted(
		serve(handling, stubRequest, tooLarge).catch((): Outcome => ({reply: {status: 500, body: failure(reason(CODES.internal, 'Internal error.'))}})),
		either,
	);
	if (!('reply' in outcome)) {
		// A dropped connection rejects as fetch does; a hanging one waits for the caller's abort or close().
		throw 'drop' in outcome ? new TypeError('fetch failed', {cause: new Error(`the stub dropped the connection ('${outcome.drop}')`)}) : await aborted(either);
	}

	const {status, headers, body} = encode(context, outcome.reply);
	const all = new Headers(corsHeaders(context, header('origin')));
	for (const [name, value] of Object.entries(headers)) {
		all.set(name, String(value));
	}

	if (entry) {
		entry.status = status;
	}

	return new Response(body === undefined || status === 204 ? null : body, {status, headers: all});
}

/** `work`, or the signal's reason if it aborts first (the caller's abort, or close()). */
function unlessAborted(work: Promise<Outcome>, signal: AbortSignal): Promise<Outcome> {
	return Promise.race([work, aborted(signal).then(reason => Promise.reject(reason))]);
}

/** Resolves with the signal's reason when it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
	return new Promise(resolve => {
		if (signal.aborted) {
			resolve(signal.reason);
		} else {
			signal.addEventListener('abort', () => resolve(signal.reason), {once: true});
		}
	});
}
