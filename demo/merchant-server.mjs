/**
 * The demo merchant backend: serves the checkout pages and the built bundles, and issues
 * Zuora CORS signatures at `/signature` (cards), `/signature/account` (Create Account),
 * `/signature/file` (the session's invoice, Get File) and `/signature/payment-page` (the page's
 * own call to `/v1/rsa-signatures`) with `createSignatureHandler` from `zuora-cors/server`,
 * imported by name as a merchant would:
 * - each handler signs a **hard-coded** uri, method and accountKey (or account name), never
 *   anything the browser sends; tokens only on same-origin POSTs;
 * - `authorize` is the demo's session: a cookie set when it served a checkout page by GET;
 *   issuance is limited per session and per client address (429 with Retry-After): issued
 *   tokens are card-testing fuel;
 * - one Zuora client for both handlers: one OAuth token, cached until shortly before expiry.
 * The same code runs against the embedded stub or a real tenant: only the base URL and the
 * credentials differ (see README, "Run the demo against your Zuora tenant").
 *
 * Pages are served with a strict Content-Security-Policy (no inline script or style, Trusted
 * Types required), and `%PLACEHOLDERS%` in HTML are filled with the configuration.
 */
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import {RateLimiterMemory, RateLimiterRes} from 'rate-limiter-flexible';
import {CORS_OPERATIONS, CREDIT_CARDS_PATH} from 'zuora-cors';
import {addressKey, createSignatureHandler, createZuoraClient, toNodeListener} from 'zuora-cors/server';
import {extname, join, normalize} from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Zuora's paths from the library's facts module (the one copy in the repository).
const ACCOUNTS_PATH = CORS_OPERATIONS[1].path;
const FILES_PATH = CORS_OPERATIONS[2].path.replace('/{file-id}', '');
const RSA_SIGNATURES_PATH = CORS_OPERATIONS[3].path;
const SESSION_COOKIE = 'demo_session';
/** Fields kept from a CSP report, each cut to this many characters. */
const CSP_FIELD_CHARS = 200;

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
 * @property {string | (() => string | undefined)} [invoiceFileId] The file `/signature/file` signs (the shopper's invoice; a function is asked each time). Default: none (that endpoint answers 500).
 * @property {string} [pageId] The Payment Page `/signature/payment-page` signs. Default: 'demo-payment-page'.
 * @property {string} [creditCardsPath] The path signed for cards. Default: Zuora's '/v1/payment-methods/credit-cards'; tests set another to see Zuora refuse it.
 * @property {RateLimit} [sessionLimit] Signatures per session. Default: 10 a minute.
 * @property {RateLimit} [ipLimit] Signatures per client IP. Default: 30 a minute.
 * @property {RateLimit | false} [accountLimit] Signatures per account. Default: off, because the demo adds every card to one fixed account, so this limit would be one global limit.
 * @property {RateLimit} [sessionCreationLimit] New checkout sessions per client IP. Default: 30 a minute.
 * @property {number} [maxSessions] Live sessions held at most; when full, idle-expired ones are dropped and, if none, new ones refused (503): a live session is never evicted. Default: 10,000.
 * @property {number} [sessionIdleMs] A session unused this long expires. Default: 30 minutes.
 * @property {string} [publicOrigin] The origin shoppers reach the pages at, when a TLS proxy fronts this server (e.g. 'https://shop.example'). An https origin makes the session cookie `__Host-demo_session` with `Secure`. Default: this server's own http URL (no proxy header is trusted for it).
 * @property {number} [maxCspReports] CSP reports kept (the newest). Default: 100.
 * @property {number} [maxCspReportBytes] A CSP report body over this is refused (413) unread. Default: 8192.
 * @property {RateLimit} [cspReportLimit] CSP reports per client IP. Default: 10 a minute.
 * @property {number} [headersTimeoutMs] A client must send its request headers within this. Default: 10,000.
 * @property {number} [requestTimeoutMs] A client must send its whole request within this. Default: 30,000.
 * @property {number} [keepAliveTimeoutMs] An idle keep-alive connection is closed after this. Default: 5,000.
 * @property {number} [maxConnections] Connections open at once; more are refused. Default: 1,000.
 * @property {(line: string) => void} [log] Default: no logging.
 * @property {() => number} [now] Default: Date.now.
 */

/**
 * @typedef {object} MerchantServer
 * @property {string} url
 * @property {string} origin
 * @property {() => Promise<void>} close
 * @property {() => CspReport[]} cspReports CSP violation reports the pages sent: a few parsed fields each, never the raw body.
 * @property {() => number} sessionCount Live sessions in the table.
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
		invoiceFileId: () => undefined,
		pageId: 'demo-payment-page',
		creditCardsPath: CREDIT_CARDS_PATH,
		sessionLimit: {limit: 10, windowMs: 60_000},
		ipLimit: {limit: 30, windowMs: 60_000},
		accountLimit: false,
		sessionCreationLimit: {limit: 30, windowMs: 60_000},
		maxSessions: 10_000,
		sessionIdleMs: 30 * 60_000,
		publicOrigin: '',
		maxCspReports: 100,
		maxCspReportBytes: 8192,
		cspReportLimit: {limit: 10, windowMs: 60_000},
		headersTimeoutMs: 10_000,
		requestTimeoutMs: 30_000,
		keepAliveTimeoutMs: 5000,
		maxConnections: 1000,
		log: (/** @type {string} */ _line) => undefined,
		now: Date.now,
		// An option given as undefined (say an unset environment variable) keeps its default.
		...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
	});
	const zuoraBaseUrl = config.zuoraBaseUrl.replace(/\/+$/, '');
	const zuoraOrigin = new URL(zuoraBaseUrl).origin;
	const invoiceFileId = () => (typeof config.invoiceFileId === 'function' ? config.invoiceFileId() : config.invoiceFileId);
	// The only URIs this backend ever signs, fixed at start (the file: the session's invoice): the browser cannot choose.
	/** @type {Record<string, {operation: import('zuora-cors/server').SignatureOperation, uri: string, viaBrowser?: boolean}>} */
	const signable = {
		'/signature': {operation: 'credit-card', uri: zuoraBaseUrl + config.creditCardsPath},
		'/signature/account': {operation: 'account', uri: zuoraBaseUrl + ACCOUNTS_PATH},
		'/signature/file': {operation: 'file', uri: zuoraBaseUrl + FILES_PATH},
		'/signature/payment-page': {operation: 'rsa-signature', uri: zuoraBaseUrl + RSA_SIGNATURES_PATH, viaBrowser: true},
	};

	const sessions = createSessions(config);
	const sessionCreation = memoryLimiter('session-creation', config.sessionCreationLimit);
	const cspLimit = memoryLimiter('csp-report', config.cspReportLimit);
	/** @type {CspReport[]} */
	const cspReports = [];
	let issued = 0;
	let latency = 0;
	const sri = await subresourceIntegrity();

	let cookieName = SESSION_COOKIE;
	const zuora = createZuoraClient({baseUrl: zuoraBaseUrl, clientId: config.clientId, clientSecret: config.clientSecret, now: config.now});
	const rule = (/** @type {RateLimit | false} */ limit) => (limit === false ? false : {points: limit.limit, duration: Math.max(1, Math.ceil(limit.windowMs / 1000))});
	/** @type {Record<string, (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void>} */
	const signatureEndpoints = {};
	for (const [path, {operation, uri, ...rest}] of Object.entries(signable)) {
		const handler = createSignatureHandler({
			operation,
			zuora,
			uri,
			...rest,
			// Behind a TLS proxy the page's origin is the public one; otherwise the request's own.
			...(config.publicOrigin ? {origin: config.publicOrigin} : {}),
			limits: {session: rule(config.sessionLimit), address: rule(config.ipLimit), account: rule(config.accountLimit)},
			authorize(request) {
				const session = parseCookies(request.headers.get('cookie') ?? undefined)[cookieName];
				return sessions.touch(session) ? {session: /** @type {string} */ (session), accountKey: config.accountKey, name: config.accountName, fileId: invoiceFileId(), pageId: config.pageId} : null;
			},
			log: line => config.log(`merchant: ${line}`),
		});
		signatureEndpoints[path] = toNodeListener(async (request, context) => {
			const answer = await handler(request, context);
			if (answer.status === 200) {
				issued++;
				config.log(`merchant: signature issued for ${uri}`);
			}

			return answer;
		});
	}

	const server = createServer({
		headersTimeout: config.headersTimeoutMs,
		requestTimeout: config.requestTimeoutMs,
		keepAliveTimeout: config.keepAliveTimeoutMs,
		// How often Node checks the two timeouts above (its default, 30 s, would let a short timeout run long).
		connectionsCheckingInterval: Math.max(50, Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 4),
	}, async (request, response) => {
		if (latency > 0) {
			await new Promise(resolve => {
				setTimeout(resolve, latency);
			});
		}

		try {
			const url = new URL(request.url ?? '/', 'http://merchant.invalid');
			const cookies = parseCookies(request.headers.cookie);
			// Limits count per client as zuora-cors/server does: an IPv6 client by its /64 prefix, so
			// rotating addresses inside one allocation does not multiply what it may create.
			const remote = request.socket.remoteAddress ?? '';
			const ip = addressKey(remote) ?? remote;
			const endpoint = Object.hasOwn(signatureEndpoints, url.pathname) ? signatureEndpoints[url.pathname] : undefined;
			if (endpoint) {
				endpoint(request, response);
			} else if (url.pathname === '/__csp-report' && request.method === 'POST') {
				await receiveCspReport(request, ip, response);
			} else if (request.method === 'GET' || request.method === 'HEAD') {
				await serveFile(url.pathname, request.method, cookies[cookieName], ip, response);
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
	 * @param {string} pathname
	 * @param {string} method GET or HEAD
	 * @param {string | undefined} session
	 * @param {string} ip
	 * @param {import('node:http').ServerResponse} response
	 */
	async function serveFile(pathname, method, session, ip, response) {
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
		// The pages' configuration script (demo/pages/config.js) is filled in like the pages: the
		// pages read where the card goes from it, never from their markup.
		if (pathname === '/config.js') {
			content = Buffer.from(fill(content.toString('utf8')));
		}

		if (extname(file) === '.html') {
			content = Buffer.from(fill(content.toString('utf8')));
			Object.assign(headers, pageSecurityHeaders(zuoraOrigin));
			// The session that may ask for signatures starts when a checkout page is served by GET
			// (never on HEAD or a static file), at most `sessionCreationLimit` per client address.
			if (method === 'GET' && !sessions.touch(session)) {
				const wait = await sessionCreation.take(ip);
				if (wait !== undefined) {
					config.log(`merchant: session refused, creation limit (${ip})`);
					sendJson(response, 429, {message: 'Too many new sessions from this address'}, {'retry-after': String(Math.ceil(wait / 1000))});
					return;
				}

				const id = sessions.create();
				if (id === undefined) {
					config.log('merchant: session refused, table full of live sessions');
					sendJson(response, 503, {message: 'Too many checkouts in progress: try again in a minute'}, {'retry-after': '60'});
					return;
				}

				headers['set-cookie'] = `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
			}
		}

		response.writeHead(200, headers).end(method === 'HEAD' ? undefined : content);
	}

	/**
	 * Keeps a few parsed fields of a CSP report, cut short and card-masked; never the raw body.
	 * Needs no session, is limited per client address, and the store keeps only the newest.
	 * @param {import('node:http').IncomingMessage} request
	 * @param {string} ip
	 * @param {import('node:http').ServerResponse} response
	 */
	async function receiveCspReport(request, ip, response) {
		const wait = await cspLimit.take(ip);
		if (wait !== undefined) {
			request.resume();
			sendJson(response, 429, {message: 'Too many reports'}, {'retry-after': String(Math.ceil(wait / 1000)), connection: 'close'});
			return;
		}

		const text = await readLimited(request, config.maxCspReportBytes);
		if (text === undefined) {
			sendJson(response, 413, {message: 'Report too large'}, {connection: 'close'});
			return;
		}

		for (const report of parseCspReports(text)) {
			cspReports.push(report);
			if (cspReports.length > config.maxCspReports) cspReports.shift();
		}

		response.writeHead(204).end();
	}

	/** @param {string} html */
	function fill(html) {
		const values = /** @type {Record<string, string>} */ ({
			ZUORA_URL: zuoraBaseUrl + config.creditCardsPath,
			ZUORA_ACCOUNTS_URL: zuoraBaseUrl + ACCOUNTS_PATH,
			ZUORA_FILE_URL: `${zuoraBaseUrl}${FILES_PATH}/${invoiceFileId() ?? 'none'}`,
			ZUORA_RSA_URL: zuoraBaseUrl + RSA_SIGNATURES_PATH,
			SIGNATURE_URL: '/signature',
			ACCOUNT_KEY: config.accountKey,
			ACCOUNT_NAME: config.accountName,
			SRI: sri,
		});
		return html.replace(/%([A-Z_]+)%/g, (match, name) => escapeHtml(values[name] ?? match));
	}

	server.maxConnections = config.maxConnections;
	await new Promise(resolve => {
		server.listen(config.port, config.host, () => resolve(undefined));
	});
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	const url = `http://${config.host}:${address.port}`;
	const secure = (config.publicOrigin || url).startsWith('https:');
	// A `__Host-` cookie must be Secure, Path=/ and host-only: browsers refuse it otherwise.
	cookieName = secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
	return {
		url,
		origin: url,
		cspReports: () => cspReports.map(report => ({...report})),
		sessionCount: () => sessions.size(),
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

/**
 * The body as text, or undefined when it is over `maxBytes` (reading stops there).
 * @param {import('node:http').IncomingMessage} request
 * @param {number} maxBytes
 */
async function readLimited(request, maxBytes) {
	if (Number(request.headers['content-length'] ?? 0) > maxBytes) return undefined;
	/** @type {Buffer[]} */
	const chunks = [];
	let size = 0;
	for await (const chunk of request) {
		size += /** @type {Buffer} */ (chunk).length;
		if (size > maxBytes) return undefined;
		chunks.push(/** @type {Buffer} */ (chunk));
	}

	return Buffer.concat(chunks).toString('utf8');
}

/**
 * @typedef {object} CspReport
 * @property {string} directive The effective (or violated) directive.
 * @property {string} blocked What was blocked: an origin, or a keyword such as 'inline' or 'eval'; never a path or query.
 * @property {string} document The page's origin and path; never its query or fragment.
 * @property {string} disposition 'enforce' or 'report'.
 */

/**
 * Both report formats: `application/csp-report` (`{"csp-report": {...}}`) and the Reporting
 * API's list (`[{type: 'csp-violation', body: {...}}]`). Anything else yields nothing.
 * @param {string} text
 * @returns {CspReport[]}
 */
export function parseCspReports(text) {
	/** @type {unknown} */
	let parsed;
	try {
		parsed = JSON.parse(text);
	} catch {
		return [];
	}

	const bodies = Array.isArray(parsed)
		? parsed.slice(0, 10).map(entry => (isObject(entry) && entry['type'] === 'csp-violation' ? entry['body'] : undefined))
		: [isObject(parsed) ? parsed['csp-report'] : undefined];
	return bodies.filter(isObject).map(body => {
		const field = (/** @type {string[]} */ ...names) => {
			for (const name of names) {
				if (Object.hasOwn(body, name) && typeof body[name] === 'string') return /** @type {string} */ (body[name]);
			}

			return '';
		};

		return {
			directive: cspField(field('effectiveDirective', 'effective-directive', 'violated-directive')),
			blocked: cspField(originOnly(field('blockedURL', 'blocked-uri'))),
			document: cspField(withoutQuery(field('documentURL', 'document-uri'))),
			disposition: cspField(field('disposition')),
		};
	});
}

/** @param {string} text */
function cspField(text) {
	// Runs of 12 or more digits, with any separators between them, could be a card number;
	// masked on the decoded text, so percent-encoded separators (%C2%A0) hide nothing.
	let decoded = text.slice(0, CSP_FIELD_CHARS * 3);
	try {
		decoded = decodeURIComponent(decoded);
	} catch {}

	return decoded.normalize('NFKC').slice(0, CSP_FIELD_CHARS).replace(/\d(?:[^\p{L}\d]{0,3}\d){11,}/gu, '[redacted]');
}

/** @param {string} uri */
function originOnly(uri) {
	try {
		const url = new URL(uri);
		return url.origin === 'null' ? url.protocol.replace(/:$/, '') : url.origin;
	} catch {
		// Keywords ('inline', 'eval', 'self'); anything else is cut to its first word.
		return /^[a-z-]{1,20}$/.test(uri) ? uri : '';
	}
}

/** @param {string} uri */
function withoutQuery(uri) {
	try {
		const url = new URL(uri);
		return url.origin + url.pathname;
	} catch {
		return '';
	}
}

/**
 * A rate-limit rule kept by rate-limiter-flexible in this process.
 * @param {string} name
 * @param {RateLimit} rule
 */
function memoryLimiter(name, {limit, windowMs}) {
	const limiter = new RateLimiterMemory({keyPrefix: name, points: limit, duration: Math.max(1, Math.ceil(windowMs / 1000))});
	return {
		/**
		 * Counts a hit; the milliseconds to wait when over the limit, else undefined.
		 * @param {string} key
		 * @returns {Promise<number | undefined>}
		 */
		async take(key) {
			try {
				await limiter.consume(key);
				return undefined;
			} catch (error) {
				if (error instanceof RateLimiterRes) return Math.max(1000, error.msBeforeNext);
				throw error;
			}
		},
	};
}

/**
 * The checkout sessions: a bounded table that never evicts a live session. The Map is kept in
 * order of last use, so the idle-expired ones are always at its start.
 * @param {{maxSessions: number, sessionIdleMs: number, now: () => number}} config
 */
function createSessions({maxSessions, sessionIdleMs, now}) {
	/** @type {Map<string, number>} session id → last use */
	const table = new Map();
	const dropExpired = () => {
		for (const [id, lastUse] of table) {
			if (now() - lastUse < sessionIdleMs) break;
			table.delete(id);
		}
	};

	return {
		size: () => table.size,
		/**
		 * Whether `id` is a live session; if so, marks it used now.
		 * @param {string | undefined} id
		 */
		touch(id) {
			const lastUse = id === undefined ? undefined : table.get(id);
			if (id === undefined || lastUse === undefined) return false;
			table.delete(id);
			if (now() - lastUse >= sessionIdleMs) return false;
			table.set(id, now());
			return true;
		},
		/** A new session id, or undefined when the table is full of live sessions. */
		create() {
			if (table.size >= maxSessions) dropExpired();
			if (table.size >= maxSessions) return undefined;
			const id = randomBytes(16).toString('hex');
			table.set(id, now());
			return id;
		},
	};
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
