/**
 * The adapter for `node:http` and Express listeners: `(req, res) => void`. Node-only code
 * lives here; the handler itself sees a web `Request` and the socket's address.
 */
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {TLSSocket} from 'node:tls';
import type {RequestContext} from './gate.js';

export type WebHandler = (request: Request, context?: RequestContext) => Promise<Response>;

/**
 * Wraps a web handler as a `node:http` request listener (Express: the same signature). The URL
 * is built from the socket (https when TLS) and the Host header; the body is streamed to the
 * handler only if it reads it; `context.clientAddress` is the socket's remote address. A body
 * the handler did not read ends the connection after the answer instead of being drained.
 *
 * @example
 * createServer(toNodeListener(createSignatureHandler({...}))).listen(3000);
 * app.post('/signature', toNodeListener(handler)); // Express
 */
export function toNodeListener(handler: WebHandler): (request: IncomingMessage, response: ServerResponse) => void {
	return (incoming, response) => {
		void serve(handler, incoming, response);
	};
}

async function serve(handler: WebHandler, incoming: IncomingMessage, response: ServerResponse) {
	try {
		const secure = Boolean((incoming.socket as Partial<TLSSocket>).encrypted);
		// No Host (HTTP/1.0 allows it) is no host at all: never taken for localhost, which the origin check trusts.
		const host = incoming.headers.host ?? incoming.headers[':authority'];
		let url: URL;
		try {
			if (typeof host !== 'string' || host === '') {
				throw new TypeError('no Host header');
			}

			url = new URL(incoming.url ?? '/', `${secure ? 'https' : 'http'}://${host}`);
		} catch {
			response.writeHead(400, {'content-type': 'application/json', connection: 'close'}).end(JSON.stringify({reasons: [{code: 'BAD_REQUEST', message: 'Bad Host header.'}]}));
			return;
		}

		const headers = new Headers();
		for (const [name, value] of Object.entries(incoming.headers)) {
			if (value !== undefined && !name.startsWith(':')) {
				headers.set(name, Array.isArray(value) ? value.join(', ') : value);
			}
		}

		const method = incoming.method ?? 'GET';
		// A request that declares no body (Content-Length: 0) gets none: a web stream per request
		// costs ~10 µs of CPU on Node 20, for a body the signature handler never reads.
		const hasBody = method !== 'GET' && method !== 'HEAD' && !(incoming.headers['content-length'] === '0' && incoming.headers['transfer-encoding'] === undefined);
		let request: Request;
		try {
			request = new Request(url, {
				method,
				headers,
				...(hasBody ? {body: lazyBody(incoming), duplex: 'half'} : {}),
			} as RequestInit);
		} catch {
			// CONNECT, TRACE and TRACK cannot be a web Request.
			response.writeHead(405, {'content-type': 'application/json', connection: 'close'}).end(JSON.stringify({reasons: [{code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed.`}]}));
			return;
		}

		const answer = await handler(request, {clientAddress: incoming.socket.remoteAddress});
		const unread = !incoming.complete;
		const outgoing: Record<string, string | string[]> = {};
		answer.headers.forEach((value, name) => {
			outgoing[name] = name === 'set-cookie' ? answer.headers.getSetCookie() : value;
		});
		if (unread) {
			outgoing['connection'] = 'close';
			response.once('finish', () => {
				incoming.socket.destroy();
			});
		}

		response.writeHead(answer.status, outgoing);
		response.end(method === 'HEAD' ? undefined : Buffer.from(await answer.arrayBuffer()));
	} catch {
		if (!response.headersSent) {
			response.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({reasons: [{code: 'SERVER_ERROR', message: 'The request failed.'}]}));
		} else {
			response.destroy();
		}
	}
}

/** The request body as a web stream that reads from the socket only when the handler reads it. */
function lazyBody(incoming: IncomingMessage): ReadableStream<Uint8Array> {
	let chunks: AsyncIterator<Buffer> | undefined;
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				chunks ??= incoming[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
				const {value, done} = await chunks.next();
				if (done) {
					controller.close();
				} else {
					controller.enqueue(new Uint8Array(value));
				}
			},
			async cancel() {
				await chunks?.return?.();
			},
		},
		{highWaterMark: 0},
	);
}
