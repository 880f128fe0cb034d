/**
 * The demo's CSP report endpoint: a page's CSP violations, logged one line each. Anyone can post
 * here (a report comes from the browser, unauthenticated), so what reaches the log is bounded by
 * class, not by who sent it:
 *
 * - **masked**: a native form submission the CSP blocks is reported with its URL, query included
 *   (Chromium), so a report can carry a card number. Only three fields are logged; any run of 6 or
 *   more digits (any script's decimal digits, full-width ones included), whatever separates them
 *   (anything but a letter), is `[redacted]`; control characters become `?` (no forged lines).
 *   The raw body is never kept or logged.
 * - **length-capped**: each field 200 characters, each line at most LINE_LIMIT (300), at most 10
 *   violations a report, a body over 8 KiB refused (413).
 * - **rate-limited**: every line spends a token from its client's bucket (the address, an IPv6
 *   one by its /64) and from one bucket for everybody (CSP_REPORT_LIMITS); an empty bucket
 *   answers 429 and logs nothing. At most 10,000 client buckets are kept (the least recently
 *   used goes first): the overall bucket caps the log whatever the number of addresses.
 */
import {addressKey} from 'zuora-cors/server';

/**
 * Token buckets: `capacity` lines at once, then one line every `everyMs`. Per client: 10 at
 * once, one every 6 s (a page with a real CSP problem reports a few violations per load); for
 * everybody: 60 at once, 1 a second (3,600 lines an hour at most, about 1 MB of log).
 */
export const CSP_REPORT_LIMITS = {client: {capacity: 10, everyMs: 6000}, overall: {capacity: 60, everyMs: 1000}, maxClients: 10_000};

/** The longest line logged, after the `merchant: CSP violation ` prefix. */
export const LINE_LIMIT = 300;

/**
 * The rate limiter, a decision: an injected clock, no I/O.
 * @param {{limits?: typeof CSP_REPORT_LIMITS, now?: () => number}} [options]
 */
export function createReportLimiter({limits = CSP_REPORT_LIMITS, now = Date.now} = {}) {
	/** @typedef {{tokens: number, at: number}} Bucket */
	/** @type {Map<string, Bucket>} least recently used first */
	const clients = new Map();
	const overall = {tokens: limits.overall.capacity, at: now()};
	// Whole tokens only, `at` moved by the time they took: integer arithmetic, no drift.
	const refill = (/** @type {Bucket} */ bucket, /** @type {{capacity: number, everyMs: number}} */ rule) => {
		const earned = Math.floor((now() - bucket.at) / rule.everyMs);
		bucket.tokens = Math.min(rule.capacity, bucket.tokens + earned);
		bucket.at = bucket.tokens === rule.capacity ? now() : bucket.at + earned * rule.everyMs;
	};

	return {
		/**
		 * Whether one more line from `address` may be logged; if so, its tokens are spent.
		 * @param {string} address
		 */
		take(address) {
			const key = addressKey(address) ?? 'other';
			const bucket = clients.get(key) ?? {tokens: limits.client.capacity, at: now()};
			clients.delete(key);
			clients.set(key, bucket);
			if (clients.size > limits.maxClients) {
				clients.delete(/** @type {string} */ (clients.keys().next().value));
			}

			refill(bucket, limits.client);
			refill(overall, limits.overall);
			if (bucket.tokens < 1 || overall.tokens < 1) {
				return false;
			}

			bucket.tokens -= 1;
			overall.tokens -= 1;
			return true;
		},
		/** How many client buckets are held. */
		clients: () => clients.size,
	};
}

/**
 * Logs one line per violation (directive, blocked origin, page path) while the limiter allows;
 * a body over 8 KiB is refused, a report over the limit answered 429 and not logged.
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:http').ServerResponse} response
 * @param {(line: string) => void} log
 * @param {ReturnType<typeof createReportLimiter>} limiter
 */
export async function receiveCspReport(request, response, log, limiter) {
	let text = '';
	request.setEncoding('utf8');
	for await (const chunk of request) {
		text += String(chunk);
		if (text.length > 8192) {
			response.writeHead(413, {connection: 'close'}).end();
			return;
		}
	}

	let limited = false;
	for (const line of describeCspReport(text)) {
		if (limiter.take(request.socket.remoteAddress ?? '')) {
			log(`merchant: CSP violation ${line}`);
		} else {
			limited = true;
		}
	}

	response.writeHead(limited ? 429 : 204).end();
}

/**
 * A CSP report (`application/csp-report`, or the Reporting API's list) as log lines; nothing
 * for anything else.
 * @param {string} text
 */
export function describeCspReport(text) {
	/** @type {unknown} */
	let parsed;
	try {
		parsed = JSON.parse(text);
	} catch {
		return [];
	}

	const bodies = Array.isArray(parsed) ? parsed.slice(0, 10).map(entry => (ownField(entry, 'type') === 'csp-violation' ? ownField(entry, 'body') : undefined)) : [ownField(parsed, 'csp-report')];
	return bodies
		.filter(body => typeof body === 'object' && body !== null)
		.map(body => {
			const field = (/** @type {string[]} */ ...names) => String(names.map(name => ownField(body, name)).find(value => typeof value === 'string') ?? '');
			// URLs as their origin (the page: and path), never a query; a keyword such as 'inline' cut short.
			const blocked = field('blockedURL', 'blocked-uri');
			const page = field('documentURL', 'document-uri');
			// Masked as one line: a run split across two fields is still one run.
			return maskCardRuns(
				[
					field('effectiveDirective', 'effective-directive', 'violated-directive'),
					URL.canParse(blocked) ? new URL(blocked).origin : blocked.slice(0, 20),
					URL.canParse(page) ? new URL(page).origin + new URL(page).pathname : page.slice(0, 20),
				]
					.map(readable)
					.join(' '),
			).slice(0, LINE_LIMIT);
		});
}

/** @param {unknown} value @param {string} name */
function ownField(value, name) {
	return typeof value === 'object' && value !== null && Object.hasOwn(value, name) ? /** @type {Record<string, unknown>} */ (value)[name] : undefined;
}

/**
 * A field as a person reads it: percent-escapes decoded, NFKC-normalised (full-width digits are
 * digits), cut to 200 characters.
 * @param {string} text
 */
function readable(text) {
	// NFKC first too: full-width digits in a percent-escape (%C２) would make decoding fail.
	let decoded = text.slice(0, 600).normalize('NFKC');
	try {
		decoded = decodeURIComponent(decoded);
	} catch {}

	return decoded.normalize('NFKC').slice(0, 200);
}

/**
 * Masks every run of 6 or more decimal digits (`\p{Nd}`: any script's), whatever separates them
 * (anything but a letter: spaces, punctuation, symbols, control characters), then turns control
 * characters into `?`. Six, not a card's 12 to 19: a number cut in two (a page path and its
 * query, a field cut short) still leaves no run long enough to be worth a guess. A still-escaped
 * digit (`%34`) is digits itself, so an escaped run is masked too.
 * @param {string} text
 */
export function maskCardRuns(text) {
	return text.replace(/\p{Nd}(?:[^\p{L}\p{Nd}]*\p{Nd}){5,}/gu, '[redacted]').replace(/\p{C}/gu, '?');
}
