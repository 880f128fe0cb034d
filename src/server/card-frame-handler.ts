/**
 * `createCardFrameHandler`: the card frame's own origin (`https://cards.shop.example`), as a
 * web-standard `(request: Request) => Promise<Response>`. It serves the frame page, the frame's
 * script and its stylesheet, each with headers that confine it: the page may be framed only by
 * `parentOrigins`, may connect only to the signature, reconcile and Zuora origins, and loads
 * script and style only from itself. Where the card goes is fixed here, in the server's options:
 * the page that embeds the frame never names a URL.
 */
import {ZUORA_CARD_BRANDS, zuoraBaseUrl, ZUORA_CORS_OPERATIONS} from '../zuora.js';
import {ownFields} from './own-fields.js';

export type CardFrameHandlerOptions = {
	/** The checkout page origin(s) allowed to embed the frame (`frame-ancestors`) and to connect to it, e.g. `'https://shop.example'`. */
	parentOrigins: string | readonly string[];
	/** The signature endpoint (`createSignatureHandler` with `frameOrigin`), absolute: the frame fetches it with the shopper's cookie. */
	signatureUrl: string;
	/** The reconcile endpoint (`createReconcileHandler` with `frameOrigin`), absolute. */
	reconcileUrl?: string;
	/**
	 * The Zuora environment or base URL the card is posted to (`'apisandbox'`,
	 * `'https://rest.zuora.com'`); the signed `uri` must match it. Without it, any https host under
	 * `zuora.com` the signature names (`connect-src https://*.zuora.com`).
	 */
	zuora?: string;
	/** Hosts or origins allowed besides zuora.com (as the library's `allowedHosts`; a test stub's origin). */
	allowedHosts?: readonly string[];
	/** The brands you accept (others are a field error in the frame). @default all six of Zuora's */
	supportedBrands?: readonly string[];
	/**
	 * The frame's script. Default: read once from the package (`dist/zuora-cors-frame.min.js`
	 * beside `dist/server/`). Give it on runtimes without a file system.
	 */
	script?: string;
	/** Where a failure is logged, one line (the script missing from dist/, say). @default console.error */
	log?: (line: string) => void;
};

export type CardFrameHandler = (request: Request) => Promise<Response>;

const OPTION_NAMES = ['parentOrigins', 'signatureUrl', 'reconcileUrl', 'zuora', 'allowedHosts', 'supportedBrands', 'script', 'log'] as const satisfies ReadonlyArray<keyof CardFrameHandlerOptions>;

/** The frame's layout: inputs stacked, errors under their input; the page restyles through `style`. */
const STYLE = `*{box-sizing:border-box}html,body{margin:0;padding:0;background:transparent}body{padding:4px;font:16px/1.4 system-ui,sans-serif}
fieldset{border:0;margin:0;padding:0;min-width:0}.zc-field{display:flex;flex-direction:column;margin:0 0 .75rem}
.zc-field label{margin:0 0 .25rem}.zc-field input{font:inherit;padding:.5rem;border:1px solid #767676;border-radius:4px;width:100%}
.zc-field input[aria-invalid="true"]{border-color:#b00020}[data-zuora-cors-error-for]{color:#b00020;margin:.25rem 0 0}
.zc-status{margin:0;min-height:1px}
`;

/** An absolute http(s) URL option; a TypeError naming it otherwise. */
function absolute(name: string, value: unknown): URL {
	let url: URL | undefined;
	try {
		url = typeof value === 'string' ? new URL(value) : undefined;
	} catch {}

	if (!url || !/^https?:$/.test(url.protocol)) {
		throw new TypeError(`${name} must be an absolute http(s) URL (the frame is on its own origin)`);
	}

	return url;
}

/** The page origins checked: scheme, host and port only. */
function origins(value: unknown): string[] {
	const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
	if (list.length === 0 || list.some(origin => typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin) || new URL(origin).origin !== origin)) {
		throw new TypeError('parentOrigins must be the checkout page origin(s), e.g. https://shop.example (scheme, host, port only)');
	}

	return list as string[];
}

/** What the frame page carries and the headers it is served with, fixed at creation. */
export function frameSetup(given: CardFrameHandlerOptions) {
	const options = ownFields(given, OPTION_NAMES);
	const parents = origins(options.parentOrigins);
	const signature = absolute('signatureUrl', options.signatureUrl);
	const reconcile = options.reconcileUrl === undefined ? undefined : absolute('reconcileUrl', options.reconcileUrl);
	const base = options.zuora === undefined ? undefined : zuoraBaseUrl(options.zuora);
	if (options.zuora !== undefined && base === undefined) {
		throw new TypeError('zuora must be a Zuora environment name or base URL, e.g. apisandbox or https://rest.zuora.com');
	}

	const brands = options.supportedBrands;
	if (brands !== undefined && (!Array.isArray(brands) || brands.length === 0 || brands.some(brand => typeof brand !== 'string' || !Object.hasOwn(ZUORA_CARD_BRANDS, brand)))) {
		throw new TypeError(`supportedBrands must be a non-empty list of Zuora's brands: ${Object.keys(ZUORA_CARD_BRANDS).join(', ')}`);
	}

	const hosts = options.allowedHosts;
	if (hosts !== undefined && (!Array.isArray(hosts) || hosts.some(host => typeof host !== 'string' || !/^(?:https?:\/\/)?[\w.-]+(?::\d{1,5})?$/.test(host)))) {
		// The frame's engine checks them again (https only, http for a loopback origin).
		throw new TypeError('allowedHosts must be a list of hosts (host[:port]) or origins');
	}

	const allowedHosts = hosts === undefined ? undefined : [...hosts];
	const zuoraSources = base ? [new URL(base).origin] : ['https://*.zuora.com', ...(allowedHosts ?? []).map(host => (host.includes('://') ? host : `https://${host}`))];
	const connect = [...new Set([signature.origin, ...(reconcile ? [reconcile.origin] : []), ...zuoraSources])];
	const config = {
		parentOrigins: parents,
		signatureUrl: signature.href,
		...(reconcile ? {reconcileUrl: reconcile.href} : {}),
		...(base ? {url: base + ZUORA_CORS_OPERATIONS.creditCard.path} : {}),
		...(allowedHosts ? {allowedHosts} : {}),
		...(brands ? {supportedBrands: [...brands]} : {}),
	};
	const csp = ["default-src 'none'", "script-src 'self'", "style-src 'self'", `connect-src ${connect.join(' ')}`, `frame-ancestors ${parents.join(' ')}`, "form-action 'none'", "base-uri 'none'"].join(
		'; ',
	);
	return {config, csp, script: options.script, log: options.log ?? ((line: string) => console.error(line))};
}

/** `&`, `<`, `>`, `"` and `'` as character references: the configuration goes into an attribute. */
const escapeAttribute = (text: string) => text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);

/** A short content hash for the asset paths (a new release gets new URLs, so the assets can be cached for good). */
async function hashOf(text: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
	return [...new Uint8Array(digest).slice(0, 6)].map(byte => byte.toString(16).padStart(2, '0')).join('');
}

async function readScript(): Promise<string> {
	const {readFile} = await import('node:fs/promises');
	return readFile(new URL('../zuora-cors-frame.min.js', import.meta.url), 'utf8');
}

/**
 * Creates the card origin's handler, to mount at its root: `GET /` answers the frame page,
 * its script and stylesheet are served under hashed paths it chooses; any other path is 404,
 * another method 405.
 *
 * @example
 * const frame = createCardFrameHandler({
 *   parentOrigins: 'https://shop.example',
 *   signatureUrl: 'https://shop.example/signature',
 *   reconcileUrl: 'https://shop.example/reconcile',
 *   zuora: 'apisandbox',
 * });
 * createServer(toNodeListener(frame)).listen(8443); // behind https://cards.shop.example
 */
export function createCardFrameHandler(given: CardFrameHandlerOptions): CardFrameHandler {
	const {config, csp, script, log} = frameSetup(given);
	let assets: Promise<Map<string, {body: string; type: string; cache: string}>> | undefined;
	const load = async () => {
		const code = script ?? (await readScript());
		const [scriptPath, stylePath] = [`/frame.${await hashOf(code)}.js`, `/frame.${await hashOf(STYLE)}.css`];
		const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Card details</title><meta name="zuora-cors-frame" content="${escapeAttribute(JSON.stringify(config))}"><link rel="stylesheet" href="${stylePath}"></head><body><script src="${scriptPath}"></script></body></html>`;
		const immutable = 'public, max-age=31536000, immutable';
		return new Map([
			['/', {body: page, type: 'text/html; charset=utf-8', cache: 'no-cache'}],
			[scriptPath, {body: code, type: 'text/javascript; charset=utf-8', cache: immutable}],
			[stylePath, {body: STYLE, type: 'text/css; charset=utf-8', cache: immutable}],
		]);
	};

	return async request => {
		const headers: Record<string, string> = {'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer'};
		let served: Awaited<ReturnType<typeof load>>;
		try {
			assets ??= load();
			served = await assets;
		} catch (error) {
			// Tried again at the next request (a build still being written, say).
			assets = undefined;
			log(`zuora-cors/server card frame: the frame's script could not be read (${error instanceof Error ? error.message : 'unknown error'}): run npm run build, or give the script option`);
			return new Response('The card frame is unavailable.', {status: 500, headers: {...headers, 'content-type': 'text/plain', 'cache-control': 'no-store'}});
		}

		const asset = served.get(new URL(request.url).pathname);
		if (!asset) {
			return new Response('Not found', {status: 404, headers: {...headers, 'content-type': 'text/plain'}});
		}

		if (request.method !== 'GET' && request.method !== 'HEAD') {
			return new Response(null, {status: 405, headers: {...headers, allow: 'GET, HEAD'}});
		}

		const page: Record<string, string> = asset.type.startsWith('text/html')
			? {'content-security-policy': csp, 'cross-origin-opener-policy': 'same-origin'}
			: {'cross-origin-resource-policy': 'same-origin'};
		return new Response(request.method === 'HEAD' ? null : asset.body, {status: 200, headers: {...headers, ...page, 'content-type': asset.type, 'cache-control': asset.cache}});
	};
}
