/**
 * What `startZuoraStub` returns, in a module of its own: zuora-stub.ts builds it and
 * test-controls.ts answers `/__stub/` through it, and neither imports the other for it.
 */
import type {CustomFault, FaultMode, LoggedRequest, StoredAccount, StoredPaymentMethod} from './stub-state.js';

export type ZuoraStub = {
	/** Where the stub listens, e.g. `http://127.0.0.1:54321`. */
	url: string;
	/** Base URL signatures are bound to: `options.publicUrl`, else `url`. */
	publicUrl: string;
	port: number;
	/** The origin of `publicUrl` (what a page's CSP connect-src names). */
	origin: string;
	/** Stops listening and ends every connection, hanging ones included. */
	close(): Promise<void>;
	paymentMethods(): StoredPaymentMethod[];
	accounts(): StoredAccount[];
	/** The last `requestLogSize` requests (default 1,000), oldest first; cookie names only, never a value. */
	requests(): LoggedRequest[];
	/** Clears payment methods, accounts, the request log, CORS tokens, idempotency keys, latency and faults. */
	reset(): void;
	/** Delays every answer by `ms`. */
	setLatency(ms: number): void;
	/**
	 * The next `count` requests to `paths` fail with `mode`, or answer a custom status, JSON body
	 * and headers. Every mode fires before processing except 'answerLost' (processed, then the
	 * connection is destroyed before any answer) and 'drop' (the connection destroyed at once while
	 * processing goes on).
	 */
	failNext(count: number, mode: FaultMode | CustomFault, paths?: string[]): void;
	/** Every CORS token issued so far becomes expired. */
	expireTokens(): void;
	/** How many CORS tokens were issued and used. */
	tokens(): {issued: number; used: number};
	/** Adds an exact origin to `allowedOrigins` (a page's server often starts after the stub). */
	allowOrigin(origin: string): void;
	/** Ids of the files `GET /v1/files/{id}` serves, oldest first (one invoice after start and reset). */
	fileIds(): string[];
	/** Makes a PDF file showing `text` and returns its id (32 lowercase hex characters). */
	addFile(text?: string): string;
	/** The next `count` RSA signatures answer `signature: null` (with a token), as Zuora warns can happen. */
	nullRsaSignatureNext(count?: number): void;
	/**
	 * Parks the create operations (after their token is spent and their Idempotency-Key reserved)
	 * until the returned function is called: with `'process'` (the default) they go on as usual;
	 * with `'gatewayTimeout'` they end as when Zuora's gateway gives up (category 99, nothing
	 * created), for a create held past the time Zuora allows it.
	 */
	holdCreates(): (outcome?: 'process' | 'gatewayTimeout') => void;
	/** How many create requests are parked by `holdCreates`. */
	heldCreates(): number;
};
