import {ZuoraCorsError} from './errors.js';
import {defaults, invalidOption, ownCopy, ownRecord, resolveMilliseconds} from './options.js';
import {prepareSignatureRequest, type FetchSignatureOptions} from './signature.js';
import {exchange, type Exchange} from './transport.js';

/** The options of a call that can resolve an unknown outcome (`createPaymentMethod`, `bindForm`). */
export type ReconcileOptions = {
	/**
	 * The merchant backend endpoint that says whether the card was saved after all
	 * (`zuora-cors/server`'s `createReconcileHandler`), asked when the card POST's outcome is
	 * unknown. It receives only `{token, creditCardType, lastFour, expirationMonth, expirationYear}`
	 * (never the number or the security code), with the signature request's headers and credentials.
	 */
	reconcileUrl?: string | URL;
	/**
	 * Milliseconds to wait before asking `reconcileUrl`, so a card POST still finishing at Zuora is found.
	 *
	 * @default 2000
	 */
	reconcileDelay?: number;
	/**
	 * Milliseconds for the call to `reconcileUrl`.
	 *
	 * @default 10000
	 */
	reconcileTimeout?: number;
};

/** What may leave the page to find a card on the account: the brand, the last four digits and the expiry. */
export type ReconcileCard = {creditCardType: string; lastFour: string; expirationMonth: number; expirationYear: number};

/** What the backend matches by: the token the lost card POST used, and the card's public features. */
export type ReconcileQuery = ReconcileCard & {token: string};

export type Reconcile = {
	/** The request for a query (its body set), checked before anything is sent. */
	request: (query: ReconcileQuery) => Exchange;
	delay: number;
};

/** The reconcile options checked (with the signature request's headers and credentials), or `undefined` without `reconcileUrl`. */
export function resolveReconcile(options: ReconcileOptions, signatureOptions: FetchSignatureOptions): Reconcile | undefined {
	const {reconcileUrl} = options;
	const delay = resolveMilliseconds('request', 'reconcileDelay', options.reconcileDelay, defaults.reconcileDelay);
	const timeout =
		resolveMilliseconds('request', 'reconcileTimeout', options.reconcileTimeout, defaults.reconcileTimeout) || invalidOption('request', 'reconcileTimeout', 'a positive number of milliseconds');
	if (reconcileUrl === undefined) {
		return undefined;
	}

	const request = (query: ReconcileQuery | undefined) => prepareSignatureRequest(reconcileUrl, {...signatureOptions, method: 'POST', json: query, timeout}, 'reconcileUrl');
	// Checked now: a bad reconcileUrl is the page's fault, found before any card is sent.
	request(undefined);
	return {request, delay};
}

/** The card's reconcile features, from the body sent to Zuora. */
export function reconcileCard(card: {creditCardType: string; creditCardNumber: string; expirationMonth: number; expirationYear: number}): ReconcileCard {
	const {creditCardType, creditCardNumber, expirationMonth, expirationYear} = card;
	return {creditCardType, lastFour: creditCardNumber.slice(-4), expirationMonth, expirationYear};
}

/**
 * Whether a failed Zuora call may have been processed: no answer, a timeout, an answer that
 * cannot be read (a redirect, a success without its id), a 5xx or a 409 of a call in progress.
 * A refusal (`zuora`), a status that says "not processed" (retryable) and an abort by the caller are not.
 */
export function isUnknownOutcome(error: unknown): boolean {
	if (!(error instanceof ZuoraCorsError) || error.stage !== 'request' || error.retryable) {
		return false;
	}

	const {kind, status = 0} = error;
	return kind === 'network' || kind === 'timeout' || kind === 'invalid-response' || (kind === 'http' && (status >= 500 || status === 409));
}

/**
 * The backend's answer read: the found method's id, `null` when it found none, `undefined` when
 * the answer says neither (then the outcome stays unknown).
 */
export function readReconcileAnswer(body: unknown): string | null | undefined {
	const {success, paymentMethodId} = ownCopy(body, 1) as {success?: unknown; paymentMethodId?: unknown};
	if (success !== true) {
		return undefined;
	}

	return paymentMethodId === null || (typeof paymentMethodId === 'string' && paymentMethodId !== '') ? paymentMethodId : undefined;
}

/**
 * Asks the backend, after the grace period, whether the card was saved. Never throws: an
 * unreachable, refusing or unreadable endpoint (or an abort by the caller) is `undefined`.
 */
export async function askReconcile(reconcile: Reconcile, query: ReconcileQuery, signal: AbortSignal | undefined): Promise<string | null | undefined> {
	if (signal?.aborted) {
		return undefined;
	}

	await new Promise<void>(resolve => {
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};

		const timer = setTimeout(done, reconcile.delay);
		signal?.addEventListener('abort', done, ownRecord({once: true}));
	});
	if (signal?.aborted) {
		return undefined;
	}

	try {
		return readReconcileAnswer((await exchange(reconcile.request(query))).body);
	} catch {
		return undefined;
	}
}
