/**
 * The demo's static pages: the folders it serves (pages, the built bundles and consumer apps),
 * HTML with a strict Content-Security-Policy and its `%PLACEHOLDERS%` filled in.
 */
import {readdir, readFile} from 'node:fs/promises';
/** @typedef {import('node:http').IncomingMessage} IncomingMessage @typedef {import('node:http').ServerResponse} ServerResponse */
import {extname, join, normalize, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import {ZUORA_CORS_OPERATIONS} from 'zuora-cors';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the pages' CSP violation reports go (csp-report.mjs). */
export const CSP_REPORT_PATH = '/__csp-report';
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
/** A Zuora path from the library's facts (the one copy in the repository). */
const zuoraPath = (/** @type {string} */ method, /** @type {string | undefined} */ signed) =>
	Object.values(ZUORA_CORS_OPERATIONS).find(operation => operation.method === method && operation.signedParameter === signed)?.path ?? '';

/**
 * Serves the static folders; HTML pages with the CSP, their `%PLACEHOLDERS%` filled, and the
 * headers `startSession` gives (it answers the request itself when it returns undefined).
 * `ACCOUNT_KEY` is the session's account (what `startSession` says; config.js, served without
 * starting one, asks `accountKeyOf` for the request's session).
 * @param {{base: string, accountKeyOf: (request: IncomingMessage) => string | undefined, accountName: string, fileId: () => string | undefined, cardFrameOrigin?: string | undefined}} config
 */
export async function pageServer({base, accountKeyOf, accountName, fileId, cardFrameOrigin}) {
	const sri = await subresourceIntegrity();
	/** @type {Record<string, string | (() => string)>} */
	const placeholders = {
		ZUORA_URL: base + zuoraPath('POST', 'accountKey'),
		ZUORA_ACCOUNTS_URL: base + zuoraPath('POST', 'name'),
		ZUORA_FILE_URL: () => base + zuoraPath('GET', undefined).replace('{file-id}', fileId() ?? 'none'),
		ZUORA_RSA_URL: base + zuoraPath('POST', 'pageId'),
		SIGNATURE_URL: '/signature',
		ACCOUNT_NAME: accountName,
		SRI: sri['zuora-cors.iife.min.js'] ?? '',
		FRAMES_SRI: sri['zuora-cors-frames.iife.min.js'] ?? '',
		// The framed checkout's frame (empty when the demo runs without a card origin).
		CARD_FRAME_URL: cardFrameOrigin ? `${cardFrameOrigin}/` : '',
	};
	const csp = pageSecurityHeaders(new URL(base).origin, cardFrameOrigin);
	const fill = (/** @type {string} */ html, /** @type {string} */ accountKey) =>
		html.replace(/%([A-Z_]+)%/g, (match, /** @type {string} */ name) => {
			const value = name === 'ACCOUNT_KEY' ? accountKey : Object.hasOwn(placeholders, name) ? placeholders[name] : undefined;
			return value === undefined ? match : escapeHtml(typeof value === 'function' ? value() : value);
		});

	/**
	 * @param {string} path
	 * @param {IncomingMessage} request
	 * @param {ServerResponse} response
	 * @param {(request: IncomingMessage, response: ServerResponse) => {headers: Record<string, string>, accountKey?: string | undefined} | undefined} startSession
	 */
	return async (path, request, response, startSession) => {
		const file = staticFile(path);
		const content = file && (await readFile(file).catch(() => undefined));
		if (!file || !content) {
			response.writeHead(404, {'content-type': 'text/plain'}).end('Not found (run npm run build?)');
			return;
		}

		const headers = {'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store'};
		const html = extname(file) === '.html';
		// The pages' configuration script (demo/pages/config.js) is filled in like the pages: the
		// pages read where the card goes from it, never from their markup.
		const filled = html || path === '/config.js';
		const session = html ? startSession(request, response) : {headers: {}, accountKey: accountKeyOf(request)};
		if (session !== undefined) {
			const body = filled ? fill(content.toString('utf8'), session.accountKey ?? '') : content;
			response.writeHead(200, {...headers, ...(html ? csp : {}), ...session.headers}).end(request.method === 'HEAD' ? undefined : body);
		}
	};
}

/**
 * The pages' CSP: scripts and styles from this origin only, no inline code, Trusted Types,
 * network access to this origin and Zuora's, frames from the card origin only, and no native
 * form submission at all.
 * @param {string} zuoraOrigin
 * @param {string | undefined} cardFrameOrigin
 */
function pageSecurityHeaders(zuoraOrigin, cardFrameOrigin) {
	const policy = [
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		`connect-src 'self' ${zuoraOrigin}`,
		`frame-src ${cardFrameOrigin ?? "'none'"}`,
		"img-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
		"require-trusted-types-for 'script'",
		`report-uri ${CSP_REPORT_PATH}`,
	];
	return {'content-security-policy': policy.join('; '), 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff'};
}

/** Every page the backend serves (the HTML files under its folders, built ones only): URL path and title, by path. */
export async function servedPages() {
	const pages = await Promise.all(
		STATIC_ROOTS.filter(root => root.prefix !== '/dist/').map(async root => {
			const files = await readdir(root.dir, {recursive: true}).catch(() => []);
			return Promise.all(
				files
					.filter(file => file.endsWith('.html'))
					.map(async file => ({
						path:
							root.prefix +
							file
								.split('\\')
								.join('/')
								.replace(/(^|\/)index\.html$/, '$1'),
						title: /<title>([^<]*)<\/title>/.exec(await readFile(join(root.dir, file), 'utf8'))?.[1]?.trim() ?? '',
					})),
			);
		}),
	);
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

/**
 * The sha384 SRI hashes of the script-tag bundles, as the build wrote them to dist/sri.json.
 * @returns {Promise<Record<string, string>>}
 */
async function subresourceIntegrity() {
	const text = await readFile(join(ROOT, 'dist/sri.json'), 'utf8').catch(() => '{}');
	return JSON.parse(text);
}

/** @param {string} text */
function escapeHtml(text) {
	return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);
}
