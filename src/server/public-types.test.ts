// Type tests of `zuora-cors/server` against the BUILT declarations (run by .ci/check-package.mjs
// under Node's types without the DOM lib; vitest runs the one runtime check below).
import {createServer} from 'node:http';
import {expectTypeOf, test} from 'vitest';
import {createSignatureHandler, createZuoraClient, toNodeListener, type Authorization, type SignatureHandler, type SignatureHandlerOptions, type SignatureOperation} from 'zuora-cors/server';

test('the server entry\'s public types', () => {
	expectTypeOf<SignatureOperation>().toEqualTypeOf<'credit-card' | 'account' | 'file' | 'rsa-signature'>();
	expectTypeOf<SignatureHandler>().toEqualTypeOf<(request: Request, context?: {clientAddress?: string | undefined}) => Promise<Response>>();
	expectTypeOf<keyof Authorization>().toEqualTypeOf<'session' | 'accountKey' | 'name' | 'fileId' | 'pageId' | 'account'>();
	expectTypeOf<SignatureHandlerOptions['authorize']>().returns.toEqualTypeOf<Authorization | Response | null | undefined | Promise<Authorization | Response | null | undefined>>();

	const handler = createSignatureHandler({
		operation: 'account',
		zuora: createZuoraClient({baseUrl: 'https://rest.apisandbox.zuora.com', clientId: 'id', clientSecret: 'secret', entityIds: 'e1'}),
		authorize: () => ({session: 's', name: 'Ada'}),
		limits: {session: {points: 5, duration: 60}, address: false},
		trustProxy: 1,
	});
	expectTypeOf(handler).toEqualTypeOf<SignatureHandler>();
	// Express and node:http take the same listener.
	createServer(toNodeListener(handler)).close();

	// Type errors only: never called.
	const wrong = () => [
		// @ts-expect-error operations are the four CORS ones only
		createSignatureHandler({operation: 'subscriptions', zuora: {baseUrl: '', clientId: '', clientSecret: ''}, authorize: () => null}),
		// @ts-expect-error authorize is required: the browser never chooses the account
		createSignatureHandler({operation: 'credit-card', zuora: {baseUrl: '', clientId: '', clientSecret: ''}}),
	];
	expectTypeOf(wrong).toBeFunction();
});
