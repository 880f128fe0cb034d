// `npm start`: the demo checkout against the embedded stub Zuora (or a real tenant when
// ZUORA_BASE_URL, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET are set). `npm start` runs it through
// demo/launch.mjs, which installs and builds first; alone, it needs a build (`npm run build`).
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

const merchant = await startMerchantServer({
	port,
	zuoraBaseUrl: real ?? /** @type {NonNullable<typeof stub>} */ (stub).url,
	clientId: env['ZUORA_CLIENT_ID'],
	clientSecret: env['ZUORA_CLIENT_SECRET'],
	accountKey: env['ZUORA_ACCOUNT_KEY'],
	// The invoice the account page downloads: the stub's (new after each reset), or one of the tenant's.
	invoiceFileId: env['ZUORA_INVOICE_FILE_ID'] ?? (() => stub?.fileIds()[0]),
	pageId: env['ZUORA_PAGE_ID'],
	// Behind a TLS proxy: the https origin shoppers use (the session cookie becomes __Host-, Secure).
	publicOrigin: env['PUBLIC_ORIGIN'],
	log: line => console.log(line),
});
// Both spellings of the page's origin may be used in a browser; Zuora must allow what is used.
stub?.allowOrigin(merchant.origin);
stub?.allowOrigin(merchant.origin.replace('127.0.0.1', 'localhost'));

console.log(`Zuora: ${real ?? `embedded stub at ${stub?.url} (test cards: README, "Demo")`}`);
// Every page the backend serves, read from its folders (the SPA and Vite pages once built).
console.log('Pages:');
for (const {path, title} of await servedPages()) {
	console.log(`  ${merchant.url}${path}  ${title}`);
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
	process.on(signal, async () => {
		await Promise.all([merchant.close(), stub?.close()]);
		process.exit(0);
	});
}
