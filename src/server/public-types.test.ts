// Type tests of `zuora-cors/server` against the BUILT declarations (run by .ci/check-package.mjs
// under Node's types without the DOM lib; vitest runs the one runtime check below).
import {createServer} from 'node:http';
import {Redis} from 'ioredis';
import {expectTypeOf, test} from 'vitest';
import {
	createIssuedTokens,
	createReconcileHandler,
	createSignatureHandler,
	createZuoraClient,
	toNodeListener,
	type Authorization,
	type ReconcileHandler,
	type ReconcileHandlerOptions,
	type RedisStore,
	type SignatureHandler,
	type SignatureHandlerOptions,
	type SignatureOperation,
} from 'zuora-cors/server';

test("the server entry's public types", () => {
	expectTypeOf<SignatureOperation>().toEqualTypeOf<'credit-card' | 'account' | 'file' | 'rsa-signature'>();
	expectTypeOf<SignatureHandler>().toEqualTypeOf<(request: Request, context?: {clientAddress?: string | undefined}) => Promise<Response>>();
	expectTypeOf<ReconcileHandler>().toEqualTypeOf<SignatureHandler>();
	expectTypeOf<keyof Authorization>().toEqualTypeOf<'session' | 'accountKey' | 'name' | 'fileId' | 'pageId' | 'account'>();
	expectTypeOf<SignatureHandlerOptions['authorize']>().returns.toEqualTypeOf<Authorization | Response | null | undefined | Promise<Authorization | Response | null | undefined>>();
	expectTypeOf<ReconcileHandlerOptions['authorize']>().toEqualTypeOf<SignatureHandlerOptions['authorize']>();

	const zuora = createZuoraClient({baseUrl: 'apisandbox', clientId: 'id', clientSecret: 'secret', entityIds: 'e1'});
	const handler = createSignatureHandler({
		operation: 'account',
		zuora,
		authorize: () => ({session: 's', name: 'Ada'}),
		limits: {session: {points: 5, duration: 60}, address: false},
		trustProxy: 1,
	});
	expectTypeOf(handler).toEqualTypeOf<SignatureHandler>();
	// Express and node:http take the same listener.
	createServer(toNodeListener(handler)).close();
	const tokens = createIssuedTokens();
	expectTypeOf(createSignatureHandler({operation: 'credit-card', zuora, authorize: () => ({session: 's', accountKey: 'A1'}), trustProxy: 0, tokens})).toEqualTypeOf<SignatureHandler>();
	expectTypeOf(createReconcileHandler({zuora, authorize: () => ({session: 's', accountKey: 'A1'}), trustProxy: 0, origin: 'https://shop.example', tokens})).toEqualTypeOf<ReconcileHandler>();

	// An ioredis client is a store.
	const redis = new Redis({lazyConnect: true});
	expectTypeOf(redis).toMatchTypeOf<RedisStore>();
	redis.disconnect();

	// Type errors only: never called.
	const wrong = () => [
		// @ts-expect-error operations are the four CORS ones only
		createSignatureHandler({operation: 'subscriptions', zuora: {baseUrl: '', clientId: '', clientSecret: ''}, authorize: () => null, trustProxy: 0}),
		// @ts-expect-error authorize is required: the browser never chooses the account
		createSignatureHandler({operation: 'credit-card', zuora: {baseUrl: '', clientId: '', clientSecret: ''}, trustProxy: 0}),
		// @ts-expect-error a Map is not a Redis client (it used to type-check and fail every request)
		createSignatureHandler({operation: 'credit-card', zuora, authorize: () => null, trustProxy: 0, store: new Map(), limitKeySecret: 'x'.repeat(32)}),
		// @ts-expect-error nor is a URL
		createReconcileHandler({zuora, authorize: () => null, trustProxy: 0, tokens, store: 'redis://127.0.0.1'}),
		// @ts-expect-error reconcile needs the signature handler's record of tokens
		createReconcileHandler({zuora, authorize: () => null, trustProxy: 0}),
	];
	expectTypeOf(wrong).toBeFunction();
});
