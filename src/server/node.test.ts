// toNodeListener, the node:http adapter: the only tests here that need sockets.
import {createServer, request as httpRequest, type Server} from 'node:http';
import {type AddressInfo, connect} from 'node:net';
import {afterEach, expect, test} from 'vitest';
import {toNodeListener, type WebHandler} from './index.js';

const servers: Server[] = [];
afterEach(async () => {
	await Promise.all(
		servers.splice(0).map(
			async server =>
				new Promise(resolve => {
					server.closeAllConnections();
					server.close(resolve);
				}),
		),
	);
});

async function serve(handler: WebHandler): Promise<string> {
	const server = createServer(toNodeListener(handler));
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw HTTP request (any method, any headers, a body) from a chosen loopback address. */
async function send(
	url: string,
	{method = 'POST', headers = {}, body, from = '127.0.0.1', chunks}: {method?: string; headers?: Record<string, string>; body?: string | Buffer; from?: string; chunks?: string[]} = {},
) {
	return new Promise<{status: number; headers: Record<string, string | string[] | undefined>; body: string}>((resolve, reject) => {
		const request = httpRequest(url, {method, headers, localAddress: from, agent: false}, response => {
			const parts: Buffer[] = [];
			response.on('data', (chunk: Buffer) => parts.push(chunk));
			response.on('end', () => {
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString('utf8')});
			});
		});
		request.on('error', reject);
		for (const chunk of chunks ?? []) {
			request.write(chunk);
		}

		request.end(body);
	});
}

test('the handler sees the method, the URL from Host, the headers, the socket address, and the body only when it reads it', async () => {
	const seen: unknown[] = [];
	const url = await serve(async (request, context) => {
		seen.push([request.method, request.url, request.headers.get('origin'), context?.clientAddress, await request.text()]);
		return new Response('ok', {headers: {'set-cookie': 'a=1', 'x-custom': 'y'}});
	});
	const bodies = ['', 'x', '{"a":1}', 'é'.repeat(3000)];
	for (const body of bodies) {
		expect((await send(`${url}/path?q=1`, {body, headers: {origin: 'http://shop.test'}, from: '127.0.0.7'})).status).toBe(200); // eslint-disable-line no-await-in-loop
	}

	const chunked = await send(url, {chunks: ['chun'], body: 'ked'});
	expect([chunked.status, chunked.headers['set-cookie'], chunked.headers['x-custom']]).toEqual([200, ['a=1'], 'y']);
	expect((await send(url, {method: 'DELETE'})).status).toBe(200);
	expect(seen).toEqual([
		...bodies.map(body => ['POST', `${url}/path?q=1`, 'http://shop.test', '127.0.0.7', body]),
		['POST', `${url}/`, null, '127.0.0.1', 'chunked'],
		['DELETE', `${url}/`, null, '127.0.0.1', ''],
	]);
});

test('a body the handler did not read ends the connection after the answer; HEAD gets no body; TRACE is refused by the adapter', async () => {
	const url = await serve(async () => new Response('{"reasons":[]}', {status: 413}));
	const large = await send(url, {body: Buffer.alloc(5 * 1024 * 1024, 'a')});
	expect([large.status, large.headers['connection']]).toEqual([413, 'close']);
	const head = await send(url, {method: 'HEAD'});
	expect([head.status, head.body]).toEqual([413, '']);
	const trace = await send(url, {method: 'TRACE'});
	expect([trace.status, JSON.parse(trace.body)]).toEqual([405, {reasons: [{code: 'METHOD_NOT_ALLOWED', message: 'TRACE is not allowed.'}]}]);
});

test('a handler that throws gets a 500 envelope, not a dropped connection', async () => {
	const url = await serve(async () => {
		throw new Error('boom');
	});
	const answer = await send(url);
	expect([answer.status, JSON.parse(answer.body)]).toEqual([500, {reasons: [{code: 'SERVER_ERROR', message: 'The request failed.'}]}]);
});

/** Raw bytes to the server, the whole answer back (the server closes after it). */
async function raw(url: string, head: string): Promise<string> {
	const {port} = new URL(url);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), '127.0.0.1', () => {
			socket.end(head);
		});
		let text = '';
		socket.on('data', chunk => {
			text += String(chunk);
		});
		socket.on('end', () => {
			resolve(text);
		});
		socket.on('error', reject);
	});
}

test('a request without a Host header (HTTP/1.0 allows one) is refused 400, never taken for localhost', async () => {
	let asked = 0;
	const url = await serve(async () => {
		asked++;
		return new Response('ok');
	});
	for (const version of ['1.0', '1.1']) {
		const answer = await raw(url, `POST /signature HTTP/${version}\r\nSec-Fetch-Site: same-origin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`); // eslint-disable-line no-await-in-loop
		// Node itself refuses HTTP/1.1 without Host; HTTP/1.0 reaches the adapter, which refuses it.
		expect(answer).toMatch(/^HTTP\/1\.1 400 /);
		if (version === '1.0') {
			expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe('{"reasons":[{"code":"BAD_REQUEST","message":"Bad Host header."}]}');
		}
	}

	expect(asked).toBe(0);
	const withHost = await raw(url, 'POST /signature HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n');
	expect(withHost).toMatch(/^HTTP\/1\.1 200 /);
	expect(asked).toBe(1);
});
