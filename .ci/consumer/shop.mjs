// A merchant's checkout, as a shop using the INSTALLED package would write it (this file runs
// inside the temporary consumer project made by .ci/consumer-project.mjs, never from the repo):
// node:http, one page with a card form bound by the script-tag build (pinned by its SRI hash
// from the package's dist/sri.json), POST /signature from `zuora-cors/server`, and POST
// /reconcile (`createReconcileHandler`), which the page asks when a card POST's answer is lost.
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {fileURLToPath} from 'node:url';
import {createIssuedTokens, createReconcileHandler, createSignatureHandler, toNodeListener} from 'zuora-cors/server';

// The files a page serves resolve through the package's exports as `zuora-cors/dist/<file>`.
const script = readFileSync(fileURLToPath(import.meta.resolve('zuora-cors/dist/zuora-cors.iife.min.js')));
const integrity = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve('zuora-cors/dist/sri.json')), 'utf8'))['zuora-cors.iife.min.js'];

/**
 * Starts the shop on a free port, its signature endpoint talking to the Zuora at `zuoraUrl`.
 *
 * @param {{zuoraUrl: string, accountKey?: string}} options
 * @returns {Promise<{url: string, signatureRequests: string[], reconcileRequests: string[], close(): Promise<void>}>}
 *   `signatureRequests`, `reconcileRequests`: the URL, headers and body of every request to
 *   /signature and /reconcile, as text (a test checks that no card data ever reaches the shop)
 */
export async function startShop({zuoraUrl, accountKey = 'A00000042'}) {
	/** @type {Set<string>} */
	const sessions = new Set();
	/** @type {string[]} */
	const signatureRequests = [];
	/** @type {string[]} */
	const reconcileRequests = [];
	/** @type {import('zuora-cors/server').Authorize} */
	const authorize = request => {
		const session = /(?:^|;\s*)sid=([\da-f]{32})(?:;|$)/.exec(request.headers.get('cookie') ?? '')?.[1];
		return session !== undefined && sessions.has(session) ? {session, accountKey} : null;
	};
	// Who was given each token: the reconcile endpoint answers only for those.
	const tokens = createIssuedTokens();
	const signature = toNodeListener(
		createSignatureHandler({
			tokens,
			operation: 'credit-card',
			zuora: {baseUrl: zuoraUrl, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'},
			// The account comes from the shop's session, never from the page.
			authorize,
			trustProxy: 0,
			log: () => {},
		}),
	);
	// Whether the card whose answer was lost is on the session's account: it lists the account's cards at Zuora.
	const reconcileHandler = createReconcileHandler({
		tokens,
		zuora: {baseUrl: zuoraUrl, clientId: 'demo-client-id', clientSecret: 'demo-client-secret'},
		authorize,
		trustProxy: 0,
		log: () => {},
	});
	// Recorded as the handler receives it (a clone: the handler reads the body itself).
	const reconcile = toNodeListener(async (request, context) => {
		reconcileRequests.push(`${request.method} ${new URL(request.url).pathname} ${JSON.stringify(Object.fromEntries(request.headers))} ${await request.clone().text()}`);
		return reconcileHandler(request, context);
	});

	const server = createServer((request, response) => {
		if (request.method === 'GET' && request.url === '/') {
			const session = randomBytes(16).toString('hex');
			sessions.add(session);
			response.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'set-cookie': `sid=${session}; Path=/; HttpOnly; SameSite=Strict`});
			response.end(page(zuoraUrl, accountKey));
			return;
		}

		if (request.method === 'GET' && request.url === '/zuora-cors.iife.min.js') {
			response.writeHead(200, {'content-type': 'text/javascript'}).end(script);
			return;
		}

		if (request.url === '/signature') {
			/** @type {Buffer[]} */
			const chunks = [];
			request.on('data', chunk => chunks.push(chunk));
			request.on('end', () => signatureRequests.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)} ${Buffer.concat(chunks).toString('utf8')}`));
			signature(request, response);
			return;
		}

		if (request.url === '/reconcile') {
			reconcile(request, response);
			return;
		}

		response.writeHead(404).end();
	});
	await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${address.port}`,
		signatureRequests,
		reconcileRequests,
		close: () =>
			new Promise(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/**
 * @param {string} zuoraUrl
 * @param {string} accountKey the session's account, sent beside the card: Zuora checks it against the signed one
 */
function page(zuoraUrl, accountKey) {
	return `<!doctype html>
<html lang="en">
<title>Checkout</title>
<form id="card">
	<fieldset disabled data-zuora-cors-fields>
	<label>Card number <input name="creditCardNumber" autocomplete="cc-number" disabled></label>
	<label>Month <input name="expirationMonth" autocomplete="cc-exp-month" disabled></label>
	<label>Year <input name="expirationYear" autocomplete="cc-exp-year" disabled></label>
	<label>Security code <input name="securityCode" autocomplete="cc-csc" disabled></label>
	<label>Name on card <input name="cardHolderInfo.cardHolderName" autocomplete="cc-name" disabled></label>
	<button disabled>Save card</button>
	</fieldset>
</form>
<p id="result" role="status"></p>
<script src="/zuora-cors.iife.min.js" integrity="${integrity}" crossorigin="anonymous"></script>
<script>
	const zuoraUrl = ${JSON.stringify(zuoraUrl)};
	const result = document.querySelector('#result');
	ZuoraCors.bindForm('#card', {
		signatureUrl: '/signature',
		signatureOptions: {method: 'POST'},
		// Asked when the card POST's outcome is unknown (its answer lost): saved after all, or not.
		reconcileUrl: '/reconcile',
		fields: {accountKey: ${JSON.stringify(accountKey)}},
		url: zuoraUrl + '/v1/payment-methods/credit-cards',
		// The stub is plain http on loopback: the library sends cards there only when told to.
		allowedHosts: [zuoraUrl],
		onSuccess: ({paymentMethodId, recovered}) => { result.textContent = 'Saved ' + paymentMethodId + (recovered ? ' (recovered)' : ''); },
		onError: error => { result.textContent = 'Failed: ' + [error.kind, error.stage, error.status, error.code, error.retryable].join(' '); },
	});
</script>
</html>
`;
}
