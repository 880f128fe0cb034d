// Type tests of `zuora-cors/testing`, run by .ci/check-package.mjs against the BUILT declarations
// (dist/testing/index.d.ts through package.json exports), with Node types and no DOM lib.
// vitest collects this file too: the runtime test below only proves the import works.
import {expectTypeOf, it} from 'vitest';
import {startZuoraStub, type FaultMode, type LoggedRequest, type StoredAccount, type StoredPaymentMethod, type ZuoraStub, type ZuoraStubOptions} from 'zuora-cors/testing';

it('exports startZuoraStub from zuora-cors/testing', () => {
	expectTypeOf(startZuoraStub).toEqualTypeOf<(options?: ZuoraStubOptions) => Promise<ZuoraStub>>();
	expectTypeOf<ZuoraStub['paymentMethods']>().returns.toEqualTypeOf<StoredPaymentMethod[]>();
	expectTypeOf<ZuoraStub['accounts']>().returns.toEqualTypeOf<StoredAccount[]>();
	expectTypeOf<ZuoraStub['requests']>().returns.toEqualTypeOf<LoggedRequest[]>();
	expectTypeOf<ZuoraStub['failNext']>().toBeCallableWith(1, 'html500');
	expectTypeOf<ZuoraStub['failNext']>().toBeCallableWith(1, 'answerLost');
	expectTypeOf<FaultMode>().toMatchTypeOf<string>();
	expectTypeOf<ZuoraStubOptions>().toMatchTypeOf<{port?: number; allowedOrigins?: string[]}>();
	// @ts-expect-error an unknown fault mode is refused
	expectTypeOf<ZuoraStub['failNext']>().toBeCallableWith(1, 'explode');
	// @ts-expect-error port is a number
	expectTypeOf(startZuoraStub).toBeCallableWith({port: '3000'});
});
