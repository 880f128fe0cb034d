/**
 * The demo shop's backend, as a merchant would write it: it serves the checkout pages and signs
 * Zuora CORS calls with `zuora-cors/server`. Three parts:
 * - **sessions** (./sessions.mjs): a page served by GET starts one (an HttpOnly cookie); only
 *   a session may ask for a signature;
 * - **signature endpoints**: one `createSignatureHandler` per operation, each signing what this
 *   file fixes (the account, the invoice, the page), never what the browser sends; and
 *   `/reconcile` (`createReconcileHandler`), which finds a card whose answer was lost;
 * - **static pages** with a strict Content-Security-Policy, `%PLACEHOLDERS%` filled in.
 * The same code runs against the stub Zuora or a real tenant: only the base URL and the OAuth
 * credentials differ. Test knobs live in the tests (e2e/fixtures.ts, e2e/bench/).
 */
import {readFile, readdir} from 'node:fs/promises';
import {createServer} from 'node:http';
/** @typedef {import('node:http').IncomingMessage} IncomingMessage @typedef {import('node:http').ServerResponse} ServerResponse */
import {extname, join, normalize, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import {CORS_OPERATIONS} from 'zuora-cors';
import {createReconcileHandler, createSignatureHandler, createZuoraClient, toNodeListener} from 'zuora-cors/server';
import {receiveCspReport} from './csp-report.mjs';
import {createSessions} from './sessions.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SESSION_COOKIE = 'demo_session';
const CSP_REPORT_PATH = '/__csp-report';
const TYPES = /** @type {Record<string, string>} */ ({'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png'});
/** URL prefix → folder it serves; the first match wins. */
const STATIC_ROOTS = [
	{prefix: '/dist/', dir: join(ROOT, 'dist')},
	{prefix: '/spa/', dir: join(ROOT, 'demo/spa/dist')},
	{prefix: '/vite/', dir: join(ROOT, 'demo/vite-app/dist')},
	{prefix: '/', dir: join(ROOT, 'demo/pages')},
];
/** A Zuora path from the library's facts (the one copy in the repository). */
const zuoraPath = (/** @type {string} */ method, /** @type {string | undefined} */ signed) => Object.values(CORS_OPERATIONS).find(operation => operation.method === method && operation.signedParameter === signed)?.path ?? '';

/**
 * @typedef {object} MerchantOptions
 * @property {string} zuoraBaseUrl The stub's URL, or a tenant's (e.g. https://rest.apisandbox.zuora.com).
 * @property {string} [clientId] OAuth client. Default: the stub's 'demo-client-id'.
 * @property {string} [clientSecret] Default: the stub's 'demo-client-secret'.
 * @property {string} [accountKey] The account every card is added to. Default: 'A00000001'.
 * @property {string} [accountName] The name Create Account signs. Default: 'Demo Shopper'.
 * @property {string | (() => string | undefined)} [invoiceFileId] The file `/signature/file` signs (a function is asked each time). Default: none.
 * @property {string} [pageId] The Payment Page `/signature/payment-page` signs. Default: 'demo-payment-page'.
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
export async function createMerchant({zuoraBaseUrl, clientId = 'demo-client-id', clientSecret = 'demo-client-secret', accountKey = 'A00000001', accountName = 'Demo Shopper', invoiceFileId, pageId = 'demo-payment-page', publicOrigin, limits = {account: false}, sessions: sessionOptions, routes = SIGNATURE_ROUTES, log = () => undefined}) {
	const base = zuoraBaseUrl.replace(/\/+$/, '');
	const sessions = createSessions(sessionOptions);
	// A `__Host-` cookie must be Secure: only behind an https origin.
	const cookie = publicOrigin?.startsWith('https:') ? {name: `__Host-${SESSION_COOKIE}`, flags: '; Secure'} : {name: SESSION_COOKIE, flags: ''};
	const sessionOf = (/** @type {string | null | undefined} */ header) => new Map((header ?? '').split(';').map(part => /** @type {[string, string]} */ (part.trim().split('=', 2)))).get(cookie.name);
	const fileId = () => (typeof invoiceFileId === 'function' ? invoiceFileId() : invoiceFileId);
	// One client for every handler: one OAuth token, cached until shortly before it expires.
	const zuora = createZuoraClient({baseUrl: base, clientId, clientSecret});
	/** @type {import('zuora-cors/server').Authorize} */
	const authorize = request => {
		const session = sessionOf(request.headers.get('cookie'));
		return session !== undefined && sessions.touch(session) ? {session, accountKey, name: accountName, fileId: fileId(), pageId} : null;
	};

	// What every endpoint shares: one Zuora client, the limits, the session, the page's origin.
	const common = {zuora, limits, authorize, ...(publicOrigin ? {origin: publicOrigin} : {}), log: (/** @type {string} */ line) => log(`merchant: ${line}`)};
	const endpoints = new Map(Object.entries(routes).map(([path, route]) => [path, toNodeListener(createSignatureHandler({...route, ...common}))]));
	// Whether a card whose answer was lost is on the session's account (the page's reconcileUrl).
	endpoints.set('/reconcile', toNodeListener(createReconcileHandler(common)));

	const servePage = await pageServer({base, accountKey, accountName, fileId});
	/**
	 * A page served by GET starts a session (never HEAD, a script or a stylesheet): the headers
	 * to add, or undefined once a 429 is answered.
	 * @param {IncomingMessage} request @param {ServerResponse} response
	 * @returns {Record<string, string> | undefined}
	 */
	const startSession = (request, response) => {
		if (request.method !== 'GET' || sessions.touch(sessionOf(request.headers.cookie))) {
			return {};
		}

		const opened = sessions.open(request.socket.remoteAddress ?? '');
		if ('id' in opened) {
			return {'set-cookie': `${cookie.name}=${opened.id}; Path=/; HttpOnly; SameSite=Strict${cookie.flags}`};
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
			void receiveCspReport(request, response, log);
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
 * Serves the static folders; HTML pages with the CSP, their `%PLACEHOLDERS%` filled, and the
 * headers `startSession` gives (it answers the request itself when it returns undefined).
 * @param {{base: string, accountKey: string, accountName: string, fileId: () => string | undefined}} config
 */
async function pageServer({base, accountKey, accountName, fileId}) {
	/** @type {Record<string, string | (() => string)>} */
	const placeholders = {
		ZUORA_URL: base + zuoraPath('POST', 'accountKey'),
		ZUORA_ACCOUNTS_URL: base + zuoraPath('POST', 'name'),
		ZUORA_FILE_URL: () => base + zuoraPath('GET', undefined).replace('{file-id}', fileId() ?? 'none'),
		ZUORA_RSA_URL: base + zuoraPath('POST', 'pageId'),
		SIGNATURE_URL: '/signature',
		ACCOUNT_KEY: accountKey,
		ACCOUNT_NAME: accountName,
		SRI: await subresourceIntegrity(),
	};
	const csp = pageSecurityHeaders(new URL(base).origin);
	const fill = (/** @type {string} */ html) => html.replace(/%([A-Z_]+)%/g, (match, /** @type {string} */ name) => {
		const value = Object.hasOwn(placeholders, name) ? placeholders[name] : undefined;
		return value === undefined ? match : escapeHtml(typeof value === 'function' ? value() : value);
	});

	/**
	 * @param {string} path
	 * @param {IncomingMessage} request
	 * @param {ServerResponse} response
	 * @param {(request: IncomingMessage, response: ServerResponse) => Record<string, string> | undefined} startSession
	 */
	return async (path, request, response, startSession) => {
		const file = staticFile(path);
		const content = file && await readFile(file).catch(() => undefined);
		if (!file || !content) {
			response.writeHead(404, {'content-type': 'text/plain'}).end('Not found (run npm run build?)');
			return;
		}

		const headers = {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store'};
		const html = extname(file) === '.html';
		const session = html ? startSession(request, response) : {};
		if (session !== undefined) {
			response.writeHead(200, {...headers, ...(html ? csp : {}), ...session}).end(request.method === 'HEAD' ? undefined : (html ? fill(content.toString('utf8')) : content));
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
	return {url, origin: url, server, close: async () => new Promise(resolve => {
		server.close(() => resolve(undefined));
		server.closeAllConnections();
	})};
}

/** @typedef {Awaited<ReturnType<typeof startMerchantServer>>} MerchantServer */

/**
 * The pages' CSP: scripts and styles from this origin only, no inline code, Trusted Types,
 * network access to this origin and Zuora's, and no native form submission at all.
 * @param {string} zuoraOrigin
 */
export function pageSecurityHeaders(zuoraOrigin) {
	const policy = ['default-src \'self\'', 'script-src \'self\'', 'style-src \'self\'', `connect-src 'self' ${zuoraOrigin}`, 'img-src \'self\' data:', 'base-uri \'none\'', 'form-action \'none\'', 'frame-ancestors \'none\'', 'require-trusted-types-for \'script\'', `report-uri ${CSP_REPORT_PATH}`];
	return {'content-security-policy': policy.join('; '), 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff'};
}

/** Every page the backend serves (the HTML files under its folders, built ones only): URL path and title, by path. */
export async function servedPages() {
	const pages = await Promise.all(STATIC_ROOTS.filter(root => root.prefix !== '/dist/').map(async root => {
		const files = await readdir(root.dir, {recursive: true}).catch(() => []);
		return Promise.all(files.filter(file => file.endsWith('.html')).map(async file => ({
			path: root.prefix + file.split('\\').join('/').replace(/(^|\/)index\.html$/, '$1'),
			title: /<title>([^<]*)<\/title>/.exec(await readFile(join(root.dir, file), 'utf8'))?.[1]?.trim() ?? '',
		})));
	}));
	return pages.flat().sort((a, b) => a.path.localeCompare(b.path));
}

/** @param {string} pathname The file under STATIC_ROOTS, or undefined when outside them. */
function staticFile(pathname) {
	const root = STATIC_ROOTS.find(candidate => pathname.startsWith(candidate.prefix));
	const relative = pathname.slice(root?.prefix.length ?? 0);
	const file = root && normalize(join(root.dir, relative === '' || relative.endsWith('/') ? `${relative}index.html` : relative));
	// The folder itself plus a separator: '/x/pages2' is not inside '/x/pages'.
	return root && file?.startsWith(join(root.dir, sep)) ? file : undefined;
}

/** The sha384 SRI hash of the script-tag bundle, as the build wrote it to dist/sri.json. */
async function subresourceIntegrity() {
	const text = await readFile(join(ROOT, 'dist/sri.json'), 'utf8').catch(() => '{}');
	return String(JSON.parse(text)['zuora-cors.iife.min.js'] ?? '');
}

/** @param {string} text */
function escapeHtml(text) {
	return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);
}
