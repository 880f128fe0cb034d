/**
 * The demo's card origin: `createCardFrameHandler` from zuora-cors/server, alone on its own port
 * (`https://cards.shop.example` beside `https://shop.example` in production; here
 * `http://127.0.0.1:4002` beside `http://127.0.0.1:4000`: another origin, the same site, so the
 * shopper's session cookie reaches the shop's signature endpoint from the frame).
 *
 * The port opens first, answering 503 until `serve` names the shop: the shop needs the card
 * origin for its own configuration (`frameOrigin`, its CSP's `frame-src`) and the frame needs the
 * shop's (`parentOrigins`, `signatureUrl`), and with free ports neither is known before it listens.
 */
import {createServer} from 'node:http';
import {createCardFrameHandler, toNodeListener} from 'zuora-cors/server';

/**
 * @param {{port?: number, host?: string}} [options] Default: a free port on 127.0.0.1.
 */
export async function startCardFrameServer({port = 0, host = '127.0.0.1'} = {}) {
	/** @type {import('node:http').RequestListener | undefined} */
	let listener;
	const server = createServer({headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5000}, (request, response) => {
		if (listener) {
			listener(request, response);
		} else {
			response.writeHead(503, {'content-type': 'text/plain', 'retry-after': '1'}).end('The card origin is starting.');
		}
	});
	server.maxConnections = 1000;
	await new Promise(resolve => {
		server.listen(port, host, () => resolve(undefined));
	});
	const url = `http://${host}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	return {
		url,
		origin: url,
		server,
		/**
		 * Serves the frame for the shop at `shopOrigin`: its signature and reconcile endpoints, and
		 * the Zuora the card goes to (the stub's URL or a tenant's). Fixed here, never by the page.
		 * @param {{shopOrigin: string, zuoraBaseUrl: string}} shop
		 */
		serve({shopOrigin, zuoraBaseUrl}) {
			const zuora = new URL(zuoraBaseUrl).origin;
			listener = toNodeListener(
				createCardFrameHandler({
					parentOrigins: [shopOrigin],
					signatureUrl: `${shopOrigin}/signature`,
					reconcileUrl: `${shopOrigin}/reconcile`,
					zuora,
					// The stub is plain http on loopback: the library sends a card there only when it is listed.
					allowedHosts: [zuora],
				}),
			);
		},
		close: async () =>
			new Promise(resolve => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			}),
	};
}

/** @typedef {Awaited<ReturnType<typeof startCardFrameServer>>} CardFrameServer */
