import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export type ReceivedRequest = {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	/** As received, name and value pairs in order (Node builds `headers` on a plain object, which a polluted Object.prototype corrupts). */
	rawHeaders: string[];
	body: string;
};

export type Handler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/** A real HTTP server on port 0 that records what it receives. */
export async function startServer(handler: Handler) {
	const received: ReceivedRequest[] = [];
	const server = createServer(async (incoming, response) => {
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) {
			chunks.push(chunk as Buffer);
		}

		const request = {method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, rawHeaders: incoming.rawHeaders, body: Buffer.concat(chunks).toString('utf8')};
		received.push(request);
		await handler(request, response);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

/** Answers with a JSON body (or a raw string) and a status. */
export function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	response.writeHead(status, {'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers});
	response.end(text);
}

/** What a path answers: a status, a body (JSON, or a raw string) and headers; or a function that answers itself. */
export type CannedAnswer = {status: number; body: unknown; headers?: Record<string, string>} | ((response: ServerResponse, request: ReceivedRequest) => void);

/**
 * A real server on port 0 where each test registers its own answers, each at a fresh path
 * (`at` returns its URL): no answer is shared between tests, so one that fails or times out
 * cannot change what the next one gets. `at(…answers)` answers the n-th request to the path
 * with the n-th answer (the last one again after that).
 */
export async function startAnswerServer() {
	const answers = new Map<string, CannedAnswer[]>();
	let cases = 0;
	const server = await startServer((request, response) => {
		const path = /^\/case\/\d+/.exec(request.url)?.[0] ?? '';
		const list = answers.get(path);
		if (!list) {
			reply(response, 599, 'no such case');
			return;
		}

		const count = server.received.filter(({url}) => url.startsWith(`${path}/`) || url === path).length;
		const answer = list[Math.min(count, list.length) - 1]!;
		if (typeof answer === 'function') {
			answer(response, request);
		} else {
			reply(response, answer.status, answer.body, answer.headers);
		}
	});
	return {
		...server,
		/** A fresh URL (with `suffix` as its path's end) that answers with `list`, in order. */
		at(suffix: string, ...list: CannedAnswer[]): string {
			const path = `/case/${cases++}`;
			answers.set(path, list);
			return `${server.url}${path}${suffix}`;
		},
		/** The requests received at `url`'s case path. */
		receivedAt(url: string): ReceivedRequest[] {
			const path = /^\/case\/\d+/.exec(new URL(url).pathname)?.[0];
			return server.received.filter(request => path !== undefined && (request.url === path || request.url.startsWith(`${path}/`) || request.url.startsWith(`${path}?`)));
		},
	};
}
