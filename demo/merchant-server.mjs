/**
 * The demo merchant backend: serves the checkout pages and the built bundles, and issues
 * Zuora CORS signatures at `/signature` the way Zuora asks a merchant to:
 * - it calls `POST /v1/hmac-signatures` with a **hard-coded** uri, method and accountKey (or
 *   account name), never with anything the browser sends;
 * - it issues only to a session it created (a cookie set when it served a page), and
 *   rate-limits issuance per session and per IP (429 with Retry-After): issued tokens are
 *   card-testing fuel;
 * - it gets an OAuth token with client credentials and caches it until shortly before expiry.
 * The same code runs against the embedded stub or a real tenant: only the base URL and the
 * credentials differ (see README, "Run the demo against your Zuora tenant").
 *
 * Pages are served with a strict Content-Security-Policy (no inline script or style, Trusted
 * Types required), and `%PLACEHOLDERS%` in HTML are filled with the configuration.
 */
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import {extname, join, normalize} from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CREDIT_CARDS_PATH = '/v1/payment-methods/credit-cards';
const ACCOUNTS_PATH = '/v1/accounts';
const SESSION_COOKIE = 'demo_session';
const SESSION_LIFETIME_MS = 30 * 60_000;
const MAX_SESSIONS = 100_000;
// Refresh the OAuth token this long before Zuora says it expires, so a request never races expiry.
const OAUTH_MARGIN_MS = 60_000;

const TYPES = /** @type {Record<string, string>} */ ({
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.map': 'application/json',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
});

/** URL prefix → folder it serves; the first match wins. */
const STATIC_ROOTS = [
	{prefix: '/dist/', dir: join(ROOT, 'dist')},
	{prefix: '/spa/', dir: join(ROOT, 'demo/spa/dist')},
	{prefix: '/vite/', dir: join(ROOT, 'demo/vite-app/dist')},
	{prefix: '/', dir: join(ROOT, 'demo/pages')},
];

/**
 * @typedef {{limit: number, windowMs: number}} RateLimit
 * @typedef {object} MerchantOptions
 * @property {string} zuoraBaseUrl Zuora REST base URL (the stub's, or e.g. https://rest.apisandbox.zuora.com).
 * @property {number} [port] Default: 0 (a free port).
 * @property {string} [host] Default: '127.0.0.1'.
 * @property {string} [clientId] OAuth client id. Default: 'demo-client-id' (the stub's).
 * @property {string} [clientSecret] OAuth client secret. Default: 'demo-client-secret' (the stub's).
 * @property {string} [accountKey] The account every card is added to (hard-coded, as Zuora asks). Default: 'A00000001'.
 * @property {string} [accountName] The name Create Account signatures bind. Default: 'Demo Shopper'.
 * @property {string} [creditCardsPath] The path signed for cards. Default: Zuora's '/v1/payment-methods/credit-cards'; tests set another to see Zuora refuse it.
 * @property {RateLimit} [sessionLimit] Signatures per session. Default: 10 a minute.
 * @property {RateLimit} [ipLimit] Signatures per client IP. Default: 30 a minute.
 * @property {(line: string) => void} [log] Default: no logging.
 * @property {() => number} [now] Default: Date.now.
 */

/**
 * @typedef {object} MerchantServer
 * @property {string} url
 * @property {string} origin
 * @property {() => Promise<void>} close
 * @property {() => unknown[]} cspReports CSP violation reports the pages sent.
 * @property {() => number} signaturesIssued
 * @property {(ms: number) => void} setLatency Delays every answer by `ms` (benchmarks model a distant backend).
 */

/**
 * Starts the demo merchant backend.
 * @param {MerchantOptions} options
 * @returns {Promise<MerchantServer>}
 */
export async function startMerchantServer(options) {
	const config = /** @type {Required<MerchantOptions>} */ ({
		port: 0,
		host: '127.0.0.1',
		clientId: 'demo-client-id',
		clientSecret: 'demo-client-secret',
		accountKey: 'A00000001',
		accountName: 'Demo Shopper',
		creditCardsPath: CREDIT_CARDS_PATH,
		sessionLimit: {limit: 10, windowMs: 60_000},
		ipLimit: {limit: 30, windowMs: 60_000},
		log: (/** @type {string} */ _line) => undefined,
		now: Date.now,
		// An option given as undefined (say an unset environment variable) keeps its default.
		...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
	});
	const zuoraBaseUrl = config.zuoraBaseUrl.replace(/\/+$/, '');
	const zuoraOrigin = new URL(zuoraBaseUrl).origin;
	// The only two URIs this backend ever signs, fixed at start: the browser cannot choose.
	const signable = {
		'/signature': {uri: zuoraBaseUrl + config.creditCardsPath, method: 'POST', accountKey: config.accountKey},
		'/signature/account': {uri: zuoraBaseUrl + ACCOUNTS_PATH, method: 'POST', name: config.accountName},
	};

	// Session id → when it was created. Bounded: sessions expire, and a flood of page loads
	// evicts the oldest rather than growing the map without end.
	/** @type {Map<string, number>} */
	const sessions = new Map();
	const hasSession = (/** @type {string | undefined} */ id) => id !== undefined && (sessions.get(id) ?? -Infinity) > config.now() - SESSION_LIFETIME_MS;
	const limiter = createLimiter(config.now);
	/** @type {unknown[]} */
	const cspReports = [];
	let issued = 0;
	let latency = 0;
	/** @type {{token: string, expiresAt: number} | undefined} */
	let oauth;
	const sri = await subresourceIntegrity();

	async function bearer(forceRefresh = false) {
		if (!forceRefresh && oauth && config.now() < oauth.expiresAt - OAUTH_MARGIN_MS) {
			return oauth.token;
		}

		const response = await fetch(`${zuoraBaseUrl}/oauth/token`, {
			method: 'POST',
			headers: {'content-type': 'application/x-www-form-urlencoded'},
			body: new URLSearchParams({client_id: config.clientId, client_secret: config.clientSecret, grant_type: 'client_credentials'}),
		});
		const body = /** @type {{access_token?: string, expires_in?: number}} */ (await response.json().catch(() => ({})));
		if (!response.ok || !body.access_token) {
			throw new Error(`Zuora OAuth answered HTTP ${response.status}`);
		}

		oauth = {token: body.access_token, expiresAt: config.now() + (body.expires_in ?? 3599) * 1000};
		return oauth.token;
	}

	/** @param {object} request */
	async function hmacSignature(request) {
		const call = async (/** @type {string} */ token) => fetch(`${zuoraBaseUrl}/v1/hmac-signatures`, {
			method: 'POST',
			headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json'},
			body: JSON.stringify(request),
		});
		let response = await call(await bearer());
		if (response.status === 401) {
			// Zuora's advice: on a 401, get a new token once.
			response = await call(await bearer(true));
		}

		return {status: response.status, body: /** @type {unknown} */ (await response.json())};
	}

	const server = createServer(async (request, response) => {
		if (latency > 0) {
			await new Promise(resolve => {
				setTimeout(resolve, latency);
			});
		}

		try {
			const url = new URL(request.url ?? '/', 'http://merchant.invalid');
			const cookies = parseCookies(request.headers.cookie);
			if (url.pathname in signable && (request.method === 'GET' || request.method === 'POST')) {
				await issueSignature(url.pathname, cookies[SESSION_COOKIE], request.socket.remoteAddress ?? '', response);
			} else if (url.pathname === '/__csp-report' && request.method === 'POST') {
				cspReports.push(await readJson(request));
				response.writeHead(204).end();
			} else if (request.method === 'GET' || request.method === 'HEAD') {
				await serveFile(url.pathname, cookies[SESSION_COOKIE], response);
			} else {
				sendJson(response, 405, {message: 'Method not allowed'});
			}
		} catch (error) {
			config.log(`merchant: ${error instanceof Error ? error.message : String(error)}`);
			if (!response.headersSent) {
				sendJson(response, 502, {message: 'The payment service could not be reached'});
			}
		}
	});

	/**
	 * @param {string} path
	 * @param {string | undefined} session
	 * @param {string} ip
	 * @param {import('node:http').ServerResponse} response
	 */
	async function issueSignature(path, session, ip, response) {
		if (!hasSession(session)) {
			sendJson(response, 403, {message: 'No checkout session: load the checkout page first'});
			return;
		}

		const wait = limiter.take(`session:${session}`, config.sessionLimit) ?? limiter.take(`ip:${ip}`, config.ipLimit);
		if (wait !== undefined) {
			config.log(`merchant: signature refused, rate limit (${ip})`);
			sendJson(response, 429, {message: 'Too many signature requests'}, {'retry-after': String(Math.ceil(wait / 1000))});
			return;
		}

		const {status, body} = await hmacSignature(signable[/** @type {keyof typeof signable} */ (path)]);
		if (status === 200 && isObject(body) && body['success'] === true) {
			issued++;
			config.log(`merchant: signature issued for ${signable[/** @type {keyof typeof signable} */ (path)].uri}`);
			sendJson(response, 200, {success: true, signature: body['signature'], token: body['token']});
		} else if (isObject(body) && body['success'] === false) {
			// Zuora's refusal is relayed as is, so the page sees Zuora's reasons.
			sendJson(response, 200, body);
		} else {
			throw new Error(`Zuora answered HTTP ${status} to hmac-signatures`);
		}
	}

	/**
	 * @param {string} pathname
	 * @param {string | undefined} session
	 * @param {import('node:http').ServerResponse} response
	 */
	async function serveFile(pathname, session, response) {
		const root = STATIC_ROOTS.find(candidate => pathname.startsWith(candidate.prefix));
		const relative = pathname.slice(root?.prefix.length ?? 0) || 'index.html';
		const file = normalize(join(root?.dir ?? '', relative.endsWith('/') ? `${relative}index.html` : relative));
		if (!root || !file.startsWith(root.dir)) {
			sendJson(response, 404, {message: 'Not found'});
			return;
		}

		let content;
		try {
			content = await readFile(file);
		} catch {
			sendJson(response, 404, {message: `Not found${root.prefix === '/dist/' ? ': run npm run build' : ''}`});
			return;
		}

		/** @type {Record<string, string>} */
		const headers = {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store'};
		if (extname(file) === '.html') {
			content = Buffer.from(fill(content.toString('utf8')));
			Object.assign(headers, pageSecurityHeaders(zuoraOrigin));
			if (!hasSession(session)) {
				// The session that may ask for signatures starts when a checkout page is served.
				const id = randomBytes(16).toString('hex');
				if (sessions.size >= MAX_SESSIONS) {
					sessions.delete(/** @type {string} */ (sessions.keys().next().value));
				}

				sessions.set(id, config.now());
				headers['set-cookie'] = `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`;
			}
		}

		response.writeHead(200, headers).end(content);
	}

	/** @param {string} html */
	function fill(html) {
		const values = /** @type {Record<string, string>} */ ({
			ZUORA_URL: zuoraBaseUrl + config.creditCardsPath,
			ZUORA_ACCOUNTS_URL: zuoraBaseUrl + ACCOUNTS_PATH,
			SIGNATURE_URL: '/signature',
			ACCOUNT_KEY: config.accountKey,
			ACCOUNT_NAME: config.accountName,
			SRI: sri,
		});
		return html.replace(/%([A-Z_]+)%/g, (match, name) => escapeHtml(values[name] ?? match));
	}

	await new Promise(resolve => {
		server.listen(config.port, config.host, () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `http://${config.host}:${address.port}`;
	return {
		url,
		origin: url,
		cspReports: () => [...cspReports],
		signaturesIssued: () => issued,
		setLatency(ms) {
			latency = ms;
		},
		async close() {
			await new Promise(resolve => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			});
		},
	};
}

/**
 * The page's CSP: scripts and styles from this origin only, no inline code, Trusted Types
 * enforced, and network access to this origin and Zuora's only.
 * @param {string} zuoraOrigin
 */
export function pageSecurityHeaders(zuoraOrigin) {
	return {
		'content-security-policy': [
			'default-src \'self\'',
			'script-src \'self\'',
			'style-src \'self\'',
			`connect-src 'self' ${zuoraOrigin}`,
			'img-src \'self\' data:',
			'base-uri \'none\'',
			'form-action \'none\'',
			'frame-ancestors \'none\'',
			'require-trusted-types-for \'script\'',
			'report-uri /__csp-report',
		].join('; '),
		'referrer-policy': 'no-referrer',
		'x-content-type-options': 'nosniff',
	};
}

/** The sha384 SRI hash of the script-tag bundle, as the build wrote it to dist/sri.json. */
async function subresourceIntegrity() {
	try {
		const hashes = /** @type {Record<string, string>} */ (JSON.parse(await readFile(join(ROOT, 'dist/sri.json'), 'utf8')));
		return hashes['zuora-cors.iife.min.js'] ?? '';
	} catch {
		return '';
	}
}

/**
 * Fixed-window counters: at most `limit` hits per `windowMs` per key.
 * @param {() => number} now
 */
function createLimiter(now) {
	/** @type {Map<string, {start: number, count: number}>} */
	const windows = new Map();
	return {
		/**
		 * Counts a hit; returns the milliseconds to wait when over the limit, else undefined.
		 * @param {string} key
		 * @param {RateLimit} rule
		 */
		take(key, {limit, windowMs}) {
			const time = now();
			if (windows.size > 10_000) {
				// Bounded memory under a flood of keys: drop windows that are over.
				for (const [old, window] of windows) {
					if (time - window.start >= windowMs) windows.delete(old);
				}
			}

			let window = windows.get(key);
			if (!window || time - window.start >= windowMs) {
				window = {start: time, count: 0};
				windows.set(key, window);
			}

			window.count++;
			return window.count > limit ? window.start + windowMs - time : undefined;
		},
	};
}

/** @param {string | undefined} header */
function parseCookies(header) {
	/** @type {Record<string, string>} */
	const cookies = {};
	for (const part of (header ?? '').split(';')) {
		const [name, ...value] = part.trim().split('=');
		if (name) cookies[name] = value.join('=');
	}

	return cookies;
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
	return typeof value === 'object' && value !== null;
}

/** @param {string} text */
function escapeHtml(text) {
	return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);
}

/** @param {import('node:http').IncomingMessage} request */
async function readJson(request) {
	let text = '';
	for await (const chunk of request) {
		text += String(chunk);
		if (text.length > 65_536) break;
	}

	try {
		return /** @type {unknown} */ (JSON.parse(text));
	} catch {
		return text;
	}
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(response, status, body, headers = {}) {
	response.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store', ...headers}).end(JSON.stringify(body));
}
