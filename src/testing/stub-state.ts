/**
 * What the stub holds (payment methods, accounts, tokens, idempotency keys, files, the request
 * log, test knobs), the context every resource module is given, and the request as those
 * modules see it: a plain object, so a resource's decisions run without a socket.
 */
import type {ResolvedOptions} from './stub-options.js';
import type {Reply} from './values.js';

/** A stored payment method. The card number and security code are never stored. */
export type StoredPaymentMethod = {
	/** 32 lowercase hex characters. */
	id: string;
	/** The body's accountKey (or the created account's number); null for an orphan method. */
	accountKey: string | null;
	creditCardType: string;
	last4: string;
	expirationMonth: number;
	expirationYear: number;
	cardHolderName: string | null;
	defaultPaymentMethod: boolean;
	/** The Idempotency-Key header of the creating request. */
	idempotencyKey?: string;
	/** ISO 8601. */
	createdAt: string;
};

/** The optional cardHolderInfo fields a card was saved with (Zuora lists them back); never card data. */
export type CardHolderAddress = Partial<Record<'addressLine1' | 'addressLine2' | 'city' | 'state' | 'country' | 'zipCode' | 'phone' | 'email', string>>;

/** A payment method as the stub keeps it: the public record and, apart, the holder's address. */
export type PaymentMethodRecord = {method: StoredPaymentMethod; address: CardHolderAddress};

export type StoredAccount = {
	/** 32 lowercase hex characters. */
	accountId: string;
	/** A00000001, A00000002, ... */
	accountNumber: string;
	name: string;
	currency: string;
	autoPay: boolean;
	/** The account's payment method; null when it was created without one. */
	paymentMethodId: string | null;
};

/**
 * One received request. The body is never logged, nor a cookie's value; each header kept is cut
 * to LOGGED_HEADER_LIMIT characters.
 */
export type LoggedRequest = {
	method: string;
	/** Without the query string. */
	path: string;
	origin: string | null;
	/** The names of the cookies the request carried (whether the browser sent credentials), never their values; at most 16. */
	cookieNames: string[];
	signature: string | null;
	token: string | null;
	idempotencyKey: string | null;
	/** null while unanswered, and for the 'reset', 'hang' and 'answerLost' faults. */
	status: number | null;
};

/** A CORS signature/token pair the stub issued. */
export type IssuedToken = {uri: string; method: string; signedParameter: {name: string; value: string} | undefined; issuedAt: number; used: boolean; expired: boolean};

/** A stored Idempotency-Key: what the first request was, and its answer (undefined while it runs). */
export type IdempotencyEntry = {path: string; method: string; bodyHash: string; reply: Reply | undefined; storedAt: number};

/** How `failNext` fails a request; faults.ts says what each answers. */
export type FaultMode = 'reset' | 'hang' | 'html500' | 'text500' | 'rateLimit' | 'unavailable' | 'htmlReason' | 'answerLost' | 'drop';

/** A custom fault answer: any status, a JSON body (none when undefined) and headers. */
export type CustomFault = {status: number; body?: unknown; headers?: Record<string, string>};

export type Fault = {remaining: number; mode: FaultMode | CustomFault; paths: string[]};

/** Everything `reset()` clears. */
export type StubState = ReturnType<typeof emptyState>;

export function emptyState() {
	return {
		tokens: new Map<string, IssuedToken>(),
		paymentMethods: [] as PaymentMethodRecord[],
		accounts: [] as StoredAccount[],
		/** The last `requestLogSize` requests, oldest first (a ring: the oldest goes when full). */
		requests: [] as LoggedRequest[],
		idempotent: new Map<string, IdempotencyEntry>(),
		files: new Map<string, Buffer>(),
		nullRsaSignatures: 0,
		latencyMs: 0,
		fault: undefined as Fault | undefined,
		accountCount: 0,
	};
}

/** How parked creates go on: processed as usual, or ended by Zuora's own limit (the gateway gave up; nothing created). */
export type HeldOutcome = 'process' | 'gatewayTimeout';

/** Parks the create operations (`holdCreates`) so a concurrent duplicate, or a create that ends after the client gave up, is deterministic. */
export type CreateHold = {promise: Promise<HeldOutcome> | undefined; release: ((outcome: HeldOutcome) => void) | undefined; parked: number};

/** What the resource modules share: options, state, and what outlives `reset()`. */
export type StubContext = {
	config: ResolvedOptions;
	state: StubState;
	/** Set once the server listens. */
	publicUrl: string;
	allowedOrigins: Set<string>;
	/** Bearer tokens: they survive `reset()`, so a backend's cached token stays valid between tests. */
	oauthTokens: Map<string, {expiresAt: number}>;
	oauthScope: string;
	hold: CreateHold;
};

/** A request as a resource module sees it: read, with no socket. */
export type StubRequest = {
	method: string;
	/** Without the query string. */
	path: string;
	query: URLSearchParams;
	/** A header by its lower-case name; repeated headers joined with ", ". */
	header(name: string): string | undefined;
	/** The body as text. */
	text: string;
};
