/**
 * A stub of Zuora's REST surface for the demo and the tests (published as `zuora-cors/testing`,
 * Node only): OAuth, HMAC and RSA signatures, Create and List credit-card payment methods,
 * Create Account and Get File, with CORS headers, one-time tokens, Zuora's error envelope,
 * idempotent replays, and test controls for latency and faults.
 *
 * It follows Zuora where Zuora documents the behaviour (see the README's "Zuora
 * facts this library depends on") and states its own choice where Zuora is silent, in the module of each resource:
 *   oauth.ts            POST /oauth/token, the bearer check
 *   signatures.ts       POST /v1/hmac-signatures, the one-time signature/token pairs
 *   rsa-signatures.ts   POST /v1/rsa-signatures
 *   payment-methods.ts  POST /v1/payment-methods/credit-cards,
 *                       GET /v1/payment-methods/credit-cards/accounts/{account-key}
 *   accounts.ts         POST /v1/accounts
 *   files.ts            GET /v1/files/{file-id}
 *   idempotency.ts      the Idempotency-Key model of the two create operations
 *   faults.ts           failNext's faults, and whether each fires before or after processing
 *   cors.ts             the CORS headers and preflights
 *   stub-server.ts      the HTTP server, routing, body limits, latency, slow clients; serve(),
 *                       the order every request goes through, sockets apart
 *   in-process.ts       the same order for a web Request, no socket (the stub's own tests)
 *   stub-api.ts         the ZuoraStub type
 *   test-controls.ts    the controls, as methods and under /__stub/
 *   test-cards.ts       the one table of test cards (saved and declined)
 * Paths, documented codes and card brands come from the library's own modules (`zuora.ts`,
 * `card-rules.ts`), so the stub and the library share one copy.
 */
import {allowOrigin} from './cors.js';
import {addFile} from './files.js';
import {oauthScope} from './oauth.js';
import {rsaKeysOnce} from './rsa-signatures.js';
import {resolveStubOptions, type ResolvedOptions, type ZuoraStubOptions} from './stub-options.js';
import {createStubServer} from './stub-server.js';
import {emptyState, type StubContext} from './stub-state.js';
import {controlReply, stubControls} from './test-controls.js';
import type {ZuoraStub} from './stub-api.js';

export {DECLINE_TEST_CARDS} from './test-cards.js';
export type {ZuoraStubOptions} from './stub-options.js';
export type {StoredPaymentMethod, StoredAccount, LoggedRequest} from './stub-state.js';
export type {FaultMode, CustomFault} from './stub-state.js';
export type {ZuoraStub} from './stub-api.js';

/**
 * Starts the stub Zuora origin.
 *
 * @example
 * const zuora = await startZuoraStub({allowedOrigins: ['http://localhost:3000']});
 * // the backend signs `${zuora.publicUrl}/v1/payment-methods/credit-cards`
 * await zuora.close();
 */
export async function startZuoraStub(options: ZuoraStubOptions = {}): Promise<ZuoraStub> {
	const config = resolveStubOptions(options);
	const context = newContext(config);
	const {server, closeAll} = createStubServer(context, request => controlReply(stub, request));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address !== null ? address.port : config.port;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	const stub = stubOver(context, {url, port, closeAll});
	return stub;
}

/** A stub's context before it serves: its resolved options and empty state. */
export function newContext(config: ResolvedOptions): StubContext {
	// Started now, in the background, so the first RSA signature rarely waits; a failure shows there.
	rsaKeysOnce().catch(() => {});
	return {
		config,
		state: emptyState(),
		publicUrl: '',
		allowedOrigins: new Set(config.allowedOrigins),
		oauthTokens: new Map(),
		oauthScope: oauthScope(),
		hold: {promise: undefined, release: undefined, parked: 0},
	};
}

/** The `ZuoraStub` of a context served at `url` (a socket's, or an in-process stub's name); `closeAll` ends the serving. */
export function stubOver(context: StubContext, {url, port, closeAll}: {url: string; port: number; closeAll: () => Promise<void>}): ZuoraStub {
	context.publicUrl = (context.config.publicUrl ?? url).replace(/\/+$/, '');
	const {state} = context;
	const stub: ZuoraStub = {
		url,
		publicUrl: context.publicUrl,
		port,
		origin: new URL(context.publicUrl).origin,
		close() {
			context.hold.release?.('process');
			return closeAll();
		},
		paymentMethods: () => state.paymentMethods.map(({method}) => ({...method})),
		accounts: () => state.accounts.map(account => ({...account})),
		requests: () => state.requests.map(entry => ({...entry})),
		tokens: () => ({issued: state.tokens.size, used: [...state.tokens.values()].filter(issued => issued.used).length}),
		allowOrigin: origin => allowOrigin(context, origin),
		fileIds: () => [...state.files.keys()],
		addFile: text => addFile(context, text),
		...stubControls(context),
	};
	addFile(context);
	return stub;
}

/**
 * Runs the stub from the command line: PORT (default 0), ALLOWED_ORIGINS (comma list),
 * STUB_TEST_MODE=1 for the /__stub/ controls. Prints the URL.
 *
 * @example
 * // ALLOWED_ORIGINS=http://localhost:3000 PORT=4010 node -e "import('zuora-cors/testing').then(t => t.main())"
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<ZuoraStub> {
	const stub = await startZuoraStub({
		port: env['PORT'] ? Number(env['PORT']) : 0,
		allowedOrigins: (env['ALLOWED_ORIGINS'] ?? '')
			.split(',')
			.map(origin => origin.trim())
			.filter(Boolean),
		testMode: env['STUB_TEST_MODE'] === '1',
	});
	console.log(`Zuora stub listening on ${stub.url}`);
	return stub;
}
