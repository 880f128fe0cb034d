/**
 * The stub's test controls: the methods of `ZuoraStub` that steer it (latency, faults, token
 * expiry, reset, null RSA signatures, parked creates) and the same controls over HTTP under
 * `/__stub/` (with `testMode`), for a page or a process that holds no reference to the stub.
 */
import {addFile} from './files.js';
import {makeFault} from './faults.js';
import {notFound} from './stub-server.js';
import {emptyState, type CustomFault, type FaultMode, type HeldOutcome, type StubContext, type StubRequest} from './stub-state.js';
import {parseJsonBody, type Reply} from './values.js';
import type {ZuoraStub} from './stub-api.js';

/** The controls `ZuoraStub` exposes, bound to one stub's context. */
export function stubControls(context: StubContext) {
	const {state, hold} = context;
	return {
		setLatency(ms: number): void {
			if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
				throw new TypeError('setLatency: ms must be a non-negative finite number');
			}

			state.latencyMs = ms;
		},
		failNext(count: number, mode: FaultMode | CustomFault, paths?: string[]): void {
			state.fault = makeFault(count, mode, paths);
		},
		expireTokens(): void {
			for (const issued of state.tokens.values()) {
				issued.expired = true;
			}
		},
		reset(): void {
			Object.assign(state, emptyState());
			addFile(context);
		},
		nullRsaSignatureNext(count = 1): void {
			if (!Number.isInteger(count) || count < 0) {
				throw new TypeError('nullRsaSignatureNext: count must be a non-negative integer');
			}

			state.nullRsaSignatures = count;
		},
		holdCreates(): (outcome?: HeldOutcome) => void {
			if (!hold.promise) {
				hold.promise = new Promise(resolve => {
					hold.release = resolve;
				});
			}

			return (outcome = 'process') => {
				if (outcome !== 'process' && outcome !== 'gatewayTimeout') {
					throw new TypeError("holdCreates: release with 'process' or 'gatewayTimeout'");
				}

				hold.release?.(outcome);
				hold.promise = undefined;
				hold.release = undefined;
			};
		},
		heldCreates: () => hold.parked,
	};
}

/** The `/__stub/` routes: each calls the stub's method of the same meaning; a bad argument answers 400. */
export function controlReply(stub: ZuoraStub, request: StubRequest): Reply {
	const done = {status: 200, body: {ok: true}};
	const parsed = parseJsonBody(request.text || '{}');
	try {
		switch (`${request.method} ${request.path}`) {
			case 'GET /__stub/payment-methods':
				return {status: 200, body: stub.paymentMethods()};
			case 'GET /__stub/accounts':
				return {status: 200, body: stub.accounts()};
			case 'GET /__stub/requests':
				return {status: 200, body: stub.requests()};
			case 'GET /__stub/files':
				return {status: 200, body: stub.fileIds()};
			case 'POST /__stub/files':
				return {status: 200, body: {id: stub.addFile((parsed?.['text'] ?? undefined) as string | undefined)}};
			case 'POST /__stub/reset':
				stub.reset();
				return done;
			case 'POST /__stub/expire-tokens':
				stub.expireTokens();
				return done;
			case 'POST /__stub/latency':
				stub.setLatency(parsed?.['ms'] as number);
				return done;
			case 'POST /__stub/null-rsa-signature':
				stub.nullRsaSignatureNext((parsed?.['count'] ?? 1) as number);
				return done;
			case 'POST /__stub/fail-next': {
				const paths = (parsed?.['paths'] ?? undefined) as string[] | undefined;
				stub.failNext(parsed?.['count'] as number, parsed?.['mode'] as FaultMode | CustomFault, paths);
				return done;
			}

			default:
				return notFound(request.method, request.path);
		}
	} catch (error) {
		return {status: 400, body: {ok: false, error: error instanceof Error ? error.message : String(error)}};
	}
}
