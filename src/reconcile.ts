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
	 * Milliseconds after the outcome became unknown before the first question to `reconcileUrl`
	 * (a lost answer of a card Zuora already saved is found then).
	 *
	 * @default 2000
	 */
	reconcileDelay?: number;
	/**
	 * Milliseconds after the outcome became unknown during which a request that carried the card
	 * may still be processed at Zuora: `reconcileUrl` is asked with backoff until then, and only its
	 * answer after the window says "not saved". Keep it above the longest time your Zuora tenant
	 * (and its gateway) takes to answer a card.
	 *
	 * @default 90000
	 */
	reconcileWindow?: number;
	/**
	 * Milliseconds for each call to `reconcileUrl`.
	 *
	 * @default 10000
	 */
	reconcileTimeout?: number;
	/**
	 * Called once when a card's outcome became unknown and `reconcileUrl` is being asked (the
	 * page may show that it is checking; the card's controls should stay locked until the call ends).
	 */
	onOutcomeUnknown?: (error: ZuoraCorsError) => void;
};

/** What may leave the page to find a card on the account: the brand, the last four digits and the expiry. */
export type ReconcileCard = {creditCardType: string; lastFour: string; expirationMonth: number; expirationYear: number};

/** What the backend matches by: the token the lost card POST used, and the card's public features. */
export type ReconcileQuery = ReconcileCard & {token: string};

export type Reconcile = {
	/** The request for a query (its body set), checked before anything is sent. */
	request: (query: ReconcileQuery) => Exchange;
	/** Milliseconds after the outcome became unknown at which the backend is asked; the last is the window's end. */
	schedule: readonly number[];
	/** Like `onSuccess`/`onError` of `bindForm`, called as given (a page's callback is its own). */
	onOutcomeUnknown: ((error: ZuoraCorsError) => void) | undefined;
};

/** At most this many questions per unknown outcome (`zuora-cors/server` answers a few more per token, for lost answers). */
export const MAX_RECONCILE_ASKS = 6;

/**
 * When the backend is asked, in milliseconds after the outcome became unknown: at `delay`, then
 * after gaps that double (from `delay`, at least 1/64 of the window), at most `MAX_RECONCILE_ASKS - 1` times
 * inside the window, and once at its end, whose answer alone may say "not found". With the
 * defaults: 2, 6, 14, 30, 62 and 90 s.
 */
export function reconcileSchedule(delay: number, window: number): number[] {
	const gap = Math.max(delay, Math.ceil(window / 64), 1);
	// MAX_RECONCILE_ASKS - 1 questions inside the window: after gaps of 1, 2, 4 and 8 times the first.
	return [0, 2, 6, 14, 30]
		.map(steps => delay + steps * gap)
		.filter(at => at < window)
		.concat(window);
}

/** The reconcile options checked (with the signature request's headers and credentials), or `undefined` without `reconcileUrl`. */
export function resolveReconcile(options: ReconcileOptions, signatureOptions: FetchSignatureOptions): Reconcile | undefined {
	const {reconcileUrl, onOutcomeUnknown} = options;
	const delay = resolveMilliseconds('request', 'reconcileDelay', options.reconcileDelay, defaults.reconcileDelay);
	const window = resolveMilliseconds('request', 'reconcileWindow', options.reconcileWindow, defaults.reconcileWindow);
	const timeout = resolveMilliseconds('request', 'reconcileTimeout', options.reconcileTimeout, defaults.reconcileTimeout) || invalidOption('request', 'reconcileTimeout', 'not_milliseconds');
	if (reconcileUrl === undefined) {
		return undefined;
	}

	const request = (query: ReconcileQuery | undefined) => prepareSignatureRequest(reconcileUrl, {...signatureOptions, method: 'POST', json: query, timeout}, 'reconcileUrl');
	// Checked now: a bad reconcileUrl is the page's fault, found before any card is sent.
	request(undefined);
	return {request, schedule: reconcileSchedule(delay, window), onOutcomeUnknown};
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

/** Waits `ms`, or until the caller's signal fires. */
async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
	await new Promise<void>(resolve => {
		const timer = setTimeout(resolve, ms);
		signal?.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				resolve();
			},
			ownRecord({once: true}),
		);
	});
}

/** One question to the backend. Never throws: an unreachable, refusing or unreadable endpoint is `undefined`. */
export async function askReconcile(reconcile: Reconcile, query: ReconcileQuery): Promise<string | null | undefined> {
	try {
		return readReconcileAnswer((await exchange(reconcile.request(query))).body);
	} catch {
		return undefined;
	}
}

/**
 * What became of a card whose outcome is unknown, asked on the schedule: the found method's id
 * as soon as one answer finds it; `null` only when the question at the window's end finds none
 * (every request that carried the card has ended at Zuora by then); `undefined` when that
 * question got no answer, or the caller aborted. Never throws. The waits run between questions,
 * so a slow answer only moves the next question later, never earlier.
 */
export async function settleUnknown(reconcile: Reconcile, query: ReconcileQuery, signal: AbortSignal | undefined): Promise<string | null | undefined> {
	let last = 0;
	let answer: string | null | undefined;
	for (const at of reconcile.schedule) {
		if (!signal?.aborted) {
			// eslint-disable-next-line no-await-in-loop
			await wait(at - last, signal);
		}

		if (signal?.aborted) {
			return undefined;
		}

		last = at;
		// eslint-disable-next-line no-await-in-loop
		answer = await askReconcile(reconcile, query);
		if (typeof answer === 'string') {
			return answer;
		}
	}

	return answer;
}
