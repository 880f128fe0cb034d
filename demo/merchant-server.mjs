/**
 * The demo shop's backend, as a merchant would write it: it serves the checkout pages and signs
 * Zuora CORS calls with `zuora-cors/server`. Three parts:
 * - **sessions** (./sessions.mjs): a page served by GET starts one (an HttpOnly cookie); only
 *   a session may ask for a signature;
 * - **signature endpoints**: one `createSignatureHandler` per operation, each signing what this
 *   file fixes (the account, the invoice, the page), never what the browser sends; and
 *   `/reconcile` (`createReconcileHandler`), which finds a card whose answer was lost;
 * - **static pages** (./static-pages.mjs) with a strict Content-Security-Policy; CSP violation
 *   reports are logged masked, length-capped and rate-limited (./csp-report.mjs).
 * The same code runs against the stub Zuora or a real tenant: only the base URL and the OAuth
 * credentials differ. Test knobs live in the tests (e2e/fixtures.ts, e2e/bench/).
 */
import {createServer} from 'node:http';
/** @typedef {import('node:http').IncomingMessage} IncomingMessage @typedef {import('node:http').ServerResponse} ServerResponse */
import {createIssuedTokens, createReconcileHandler, createSignatureHandler, createZuoraClient, toNodeListener} from 'zuora-cors/server';
import {createReportLimiter, receiveCspReport} from './csp-report.mjs';
import {createSessions} from './sessions.mjs';
import {CSP_REPORT_PATH, pageServer} from './static-pages.mjs';

export {servedPages} from './static-pages.mjs';

const SESSION_COOKIE = 'demo_session';

/**
 * @typedef {object} MerchantOptions
 * @property {string} zuoraBaseUrl The stub's URL, or a tenant's (e.g. https://rest.apisandbox.zuora.com).
 * @property {string} [clientId] OAuth client. Default: the stub's 'demo-client-id'.
 * @property {string} [clientSecret] Default: the stub's 'demo-client-secret'.
 * @property {string} [accountKey] One account every session's cards go to (a real tenant's demo: its configured account, shared by every visitor). Default: none, each session its own account key (sessions.mjs).
 * @property {string} [accountName] The name Create Account signs. Default: 'Demo Shopper'.
 * @property {string | (() => string | undefined)} [invoiceFileId] The file `/signature/file` signs (a function is asked each time). Default: none.
 * @property {string} [pageId] The Payment Page `/signature/payment-page` signs. Default: 'demo-payment-page'.
 * @property {string} [frameOrigin] The card frame's origin (createCardFrameHandler, ./card-frame-server.mjs): the signature and reconcile endpoints answer it CORS with credentials when same-site, and the checkout at `/` frames it. Default: none (`/` says the card form is not configured).
 * @property {string} [publicOrigin] The https origin shoppers use behind a TLS proxy: the cookie becomes `__Host-`, `Secure`.
 * @property {import('zuora-cors/server').Limits} [limits] Signature limits. Default: zuora-cors/server's, the per-account one off (every card goes to one account here).
 * @property {import('./sessions.mjs').SessionOptions} [sessions] The session table. Default: see sessions.mjs.
 * @property {typeof SIGNATURE_ROUTES} [routes] Signature endpoints. Default: SIGNATURE_ROUTES.
 * @property {number} [port] Default: 0 (a free port).
 * @property {string} [host] Default: '127.0.0.1'.
 * @property {(line: string) => void} [log] Default: none.
 */

/**
 * The signature endpoints: path → the operation it signs. Each handler fixes its uri from the
 * base URL; what it binds (account, file, page) comes from the session, never the browser.
 * @type {Record<string, {operation: import('zuora-cors/server').SignatureOperation, uri?: string, viaBrowser?: boolean}>}
 */
export const SIGNATURE_ROUTES = {
	'/signature': {operation: 'credit-card'},
	'/signature/account': {operation: 'account'},
	'/signature/file': {operation: 'file'},
	'/signature/payment-page': {operation: 'rsa-signature', viaBrowser: true},
};

/**
 * The backend as a `node:http` request listener.
 * @param {MerchantOptions} options
 */
export async function createMerchant({
	zuoraBaseUrl,
	clientId = 'demo-client-id',
	clientSecret = 'demo-client-secret',
	accountKey,
	accountName = 'Demo Shopper',
	invoiceFileId,
	pageId = 'demo-payment-page',
	publicOrigin,
	frameOrigin,
	limits = {account: false},
	sessions: sessionOptions,
	routes = SIGNATURE_ROUTES,
	log = () => undefined,
}) {
	const base = zuoraBaseUrl.replace(/\/+$/, '');
	const sessions = createSessions(sessionOptions);
	const cspReports = createReportLimiter();
	// A `__Host-` cookie must be Secure: only behind an https origin.
	const cookie = publicOrigin?.startsWith('https:') ? {name: `__Host-${SESSION_COOKIE}`, flags: '; Secure'} : {name: SESSION_COOKIE, flags: ''};
	const sessionOf = (/** @type {string | null | undefined} */ header) => new Map((header ?? '').split(';').map(part => /** @type {[string, string]} */ (part.trim().split('=', 2)))).get(cookie.name);
	const fileId = () => (typeof invoiceFileId === 'function' ? invoiceFileId() : invoiceFileId);
	// One client for every handler: one OAuth token, cached until shortly before it expires.
	const zuora = createZuoraClient({baseUrl: base, clientId, clientSecret});
	/** @type {import('zuora-cors/server').Authorize} */
	const authorize = request => {
		const session = sessionOf(request.headers.get('cookie'));
		// The session's own account: /signature and /reconcile never reach another visitor's cards.
		const account = accountKey ?? sessions.accountOf(session);
		return session !== undefined && account !== undefined && sessions.touch(session) ? {session, accountKey: account, name: accountName, fileId: fileId(), pageId} : null;
	};

	// What every endpoint shares: one Zuora client, the limits, the session, the page's origin.
	// `tokens`: the signature endpoints record who was given each token; /reconcile answers only those.
	const common = {
		zuora,
		limits,
		authorize,
		trustProxy: 0,
		tokens: createIssuedTokens(),
		...(publicOrigin ? {origin: publicOrigin} : {}),
		...(frameOrigin ? {frameOrigin} : {}),
		log: (/** @type {string} */ line) => log(`merchant: ${line}`),
	};
	const endpoints = new Map(Object.entries(routes).map(([path, route]) => [path, toNodeListener(createSignatureHandler({...route, ...common}))]));
	// Whether a card whose answer was lost is on the session's account (the page's, or the card frame's, reconcileUrl).
	endpoints.set('/reconcile', toNodeListener(createReconcileHandler(common)));

	const accountKeyOf = (/** @type {IncomingMessage} */ request) => accountKey ?? sessions.accountOf(sessionOf(request.headers.cookie));
	const servePage = await pageServer({base, accountKeyOf, accountName, fileId, cardFrameOrigin: frameOrigin});
	/**
	 * A page served by GET starts a session (never HEAD, a script or a stylesheet): the headers
	 * to add and the session's account, or undefined once a 429 is answered.
	 * @param {IncomingMessage} request @param {ServerResponse} response
	 * @returns {{headers: Record<string, string>, accountKey: string | undefined} | undefined}
	 */
	const startSession = (request, response) => {
		if (request.method !== 'GET' || sessions.touch(sessionOf(request.headers.cookie))) {
			return {headers: {}, accountKey: accountKeyOf(request)};
		}

		const opened = sessions.open(request.socket.remoteAddress ?? '');
		if ('id' in opened) {
			return {headers: {'set-cookie': `${cookie.name}=${opened.id}; Path=/; HttpOnly; SameSite=Strict${cookie.flags}`}, accountKey: accountKey ?? sessions.accountOf(opened.id)};
		}

		log(`merchant: session refused, too many new sessions from ${opened.prefix}`);
		response.writeHead(429, {'content-type': 'text/plain', 'retry-after': String(Math.ceil(opened.retryAfterMs / 1000))}).end('Too many new checkouts from your network: try again in a minute.');
		return undefined;
	};

	return (/** @type {IncomingMessage} */ request, /** @type {ServerResponse} */ response) => {
		const path = new URL(request.url ?? '/', 'http://merchant.invalid').pathname;
		const endpoint = endpoints.get(path);
		if (endpoint) {
			endpoint(request, response);
		} else if (path === CSP_REPORT_PATH && request.method === 'POST') {
			void receiveCspReport(request, response, log, cspReports);
		} else if (request.method === 'GET' || request.method === 'HEAD') {
			servePage(path, request, response, startSession).catch((/** @type {unknown} */ error) => {
				log(`merchant: ${String(error)}`);
				response.destroy();
			});
		} else {
			response.writeHead(405, {allow: 'GET, HEAD'}).end();
		}
	};
}

/**
 * Starts the backend on `host:port` with Node's defences against slow and greedy clients.
 * @param {MerchantOptions} options
 */
export async function startMerchantServer(options) {
	const server = createServer({headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5000}, await createMerchant(options));
	server.maxConnections = 1000;
	await new Promise(resolve => {
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(undefined));
	});
	const url = `http://${options.host ?? '127.0.0.1'}:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	return {
		url,
		origin: url,
		server,
		close: async () =>
			new Promise(resolve => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			}),
	};
}

/** @typedef {Awaited<ReturnType<typeof startMerchantServer>>} MerchantServer */
