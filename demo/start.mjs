// `npm start`: the demo checkout against the embedded stub Zuora (or a real tenant when
// ZUORA_BASE_URL, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET are set). `npm start` runs it through
// demo/launch.mjs, which installs and builds first; alone, it needs a build (`npm run build`).
import {startCardFrameServer} from './card-frame-server.mjs';
import {servedPages, startMerchantServer} from './merchant-server.mjs';
import {startZuoraStub} from 'zuora-cors/testing';

const env = process.env;
// Not 3000: the README's example server listens there, and both may run side by side.
const port = Number(env['PORT'] ?? 4000);
const real = env['ZUORA_BASE_URL'];

/** @type {import('zuora-cors/testing').ZuoraStub | undefined} */
let stub;
if (real) {
	if (!env['ZUORA_CLIENT_ID'] || !env['ZUORA_CLIENT_SECRET']) {
		console.error('ZUORA_BASE_URL is set: also set ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET (and ZUORA_ACCOUNT_KEY).');
		process.exit(1);
	}
} else {
	stub = await startZuoraStub({port: Number(env['STUB_PORT'] ?? 4001), testMode: env['STUB_TEST_MODE'] === '1'});
}

// The card origin (the checkout's card frame) listens first: the shop names it in its CSP and CORS.
const cardFrame = await startCardFrameServer({port: Number(env['CARD_PORT'] ?? 4002)});
const merchant = await startMerchantServer({
	port,
	// Behind TLS proxies: the card origin's public https origin too (CARD_PUBLIC_ORIGIN), as PUBLIC_ORIGIN for the shop.
	frameOrigin: env['CARD_PUBLIC_ORIGIN'] ?? cardFrame.origin,
	zuoraBaseUrl: real ?? /** @type {NonNullable<typeof stub>} */ (stub).url,
	clientId: env['ZUORA_CLIENT_ID'],
	clientSecret: env['ZUORA_CLIENT_SECRET'],
	// The stub: each session its own account (sessions.mjs). A tenant: its one configured account,
	// shared by every visitor (their cards listed to each other by /reconcile: a demo tenant only).
	accountKey: real ? (env['ZUORA_ACCOUNT_KEY'] ?? 'A00000001') : undefined,
	// The invoice the account page downloads: the stub's (new after each reset), or one of the tenant's.
	invoiceFileId: env['ZUORA_INVOICE_FILE_ID'] ?? (() => stub?.fileIds()[0]),
	pageId: env['ZUORA_PAGE_ID'],
	// Behind a TLS proxy: the https origin shoppers use (the session cookie becomes __Host-, Secure).
	publicOrigin: env['PUBLIC_ORIGIN'],
	log: line => console.log(line),
});
cardFrame.serve({shopOrigin: env['PUBLIC_ORIGIN'] ?? merchant.origin, zuoraBaseUrl: real ?? /** @type {NonNullable<typeof stub>} */ (stub).url});
// Both spellings of the page's origin may be used in a browser; Zuora must allow what is used,
// and the card frame's origin, which sends the card from the checkout at /.
stub?.allowOrigin(merchant.origin);
stub?.allowOrigin(merchant.origin.replace('127.0.0.1', 'localhost'));
stub?.allowOrigin(env['CARD_PUBLIC_ORIGIN'] ?? cardFrame.origin);

console.log(`Zuora: ${real ?? `embedded stub at ${stub?.url} (test cards: README, "Demo")`}`);
// The frame works only under the page's own spelling (127.0.0.1): localhost beside it is another site, and the session cookie stays home.
console.log(`Card origin: ${cardFrame.url}/ (the card frame of the checkout at ${merchant.url}/)`);
// Every page the backend serves, read from its folders (the SPA and Vite pages once built).
console.log('Pages:');
for (const {path, title} of await servedPages()) {
	console.log(`  ${merchant.url}${path}  ${title}`);
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
	process.on(signal, async () => {
		await Promise.all([merchant.close(), cardFrame.close(), stub?.close()]);
		process.exit(0);
	});
}
