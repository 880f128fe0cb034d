/**
 * `zuora-cors/testing`: a stub Zuora for a merchant's own tests and demos (Node only).
 *
 * @example
 * import {startZuoraStub} from 'zuora-cors/testing';
 * const zuora = await startZuoraStub({allowedOrigins: ['http://localhost:3000']});
 */
export {
	startZuoraStub,
	main,
	type ZuoraStub,
	type ZuoraStubOptions,
	type StoredPaymentMethod,
	type StoredAccount,
	type LoggedRequest,
	type FaultMode,
	type CustomFault,
} from './zuora-stub.js';
export {DECLINE_TEST_CARDS, TEST_CARDS, type TestCard} from './test-cards.js';
// The stub's own codes where Zuora documents none, and the backend-side paths it serves (one copy: src/zuora.ts).
export {STUB_CODES} from './zuora-facts.js';
export {ZUORA_BACKEND_PATHS} from '../zuora.js';
