/**
 * The demo's CSP report endpoint: a page's CSP violations, logged one line each. A native form
 * submission the CSP blocks is reported with its URL, query included (Chromium): the report can
 * carry a card number, so only a few fields are logged, card-like runs masked, and the raw body
 * is never kept or logged.
 */

/**
 * Logs one line per violation (directive, blocked origin, page path); a body over 8 KiB is refused.
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:http').ServerResponse} response
 * @param {(line: string) => void} log
 */
export async function receiveCspReport(request, response, log) {
	let text = '';
	request.setEncoding('utf8');
	for await (const chunk of request) {
		text += String(chunk);
		if (text.length > 8192) {
			response.writeHead(413, {connection: 'close'}).end();
			return;
		}
	}

	for (const line of describeCspReport(text)) {
		log(`merchant: CSP violation ${line}`);
	}

	response.writeHead(204).end();
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
			return [
				field('effectiveDirective', 'effective-directive', 'violated-directive'),
				URL.canParse(blocked) ? new URL(blocked).origin : blocked.slice(0, 20),
				URL.canParse(page) ? new URL(page).origin + new URL(page).pathname : page.slice(0, 20),
			]
				.map(maskCardRuns)
				.join(' ');
		});
}

/** @param {unknown} value @param {string} name */
function ownField(value, name) {
	return typeof value === 'object' && value !== null && Object.hasOwn(value, name) ? /** @type {Record<string, unknown>} */ (value)[name] : undefined;
}

/**
 * Masks runs of 12 or more digits with up to 3 separators between each (any card number, in
 * any grouping), on the decoded, NFKC-normalised text, each field cut to 200 characters.
 * @param {string} text
 */
export function maskCardRuns(text) {
	// NFKC first too: full-width digits in a percent-escape (%C２) would make decoding fail.
	let decoded = text.slice(0, 600).normalize('NFKC');
	try {
		decoded = decodeURIComponent(decoded);
	} catch {}

	return decoded
		.normalize('NFKC')
		.slice(0, 200)
		.replace(/\d(?:[^\p{L}\d]{0,3}\d){11,}/gu, '[redacted]');
}
