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
