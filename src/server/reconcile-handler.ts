/**
 * `createReconcileHandler`: tells the page whether the card it tried to save, whose answer was
 * lost, is on the shopper's account. It lists the account's credit cards with the merchant's
 * OAuth client and matches what may leave the page: brand, last four digits, expiry month and
 * year. Web APIs only, like the signature handler, with the same gate.
 */
import {CREDIT_CARDS_OF_ACCOUNT, ZUORA_CARD_BRANDS} from '../zuora.js';
import {isRefusal, json, type Refusal, refusalResponse, setupError, storeUnavailable} from './answers.js';
import {type Admitted, admit, checkRequest, createGate, frameCorsHeaders, framePreflight, withHeaders, ENDPOINT_OPTION_NAMES, type EndpointOptions, type Gate, type RequestContext} from './gate.js';
import type {IssuedTokens} from './issued-tokens.js';
import {ownField, ownFields} from './own-fields.js';
import {zuoraClientOf, zuoraRefusal} from './zuora-answers.js';
import type {ZuoraAnswer, ZuoraClient, ZuoraClientOptions} from './zuora-client.js';

export type ReconcileHandler = (request: Request, context?: RequestContext) => Promise<Response>;

export type ReconcileHandlerOptions = EndpointOptions & {
	/** A client from `createZuoraClient` (share the signature handler's: one OAuth token), or its options. */
	zuora: ZuoraClient | ZuoraClientOptions;
	/**
	 * A request body declared larger than this is refused (413).
	 *
	 * @default 1024
	 */
	maxBodyBytes?: number;
	/**
	 * Pages of 40 cards read at most; an account with more answers 502 `RECONCILE_INCOMPLETE`
	 * (the page then keeps its "unknown outcome") rather than a "not found" it cannot know.
	 *
	 * @default 10
	 */
	maxPages?: number;
	/** Key prefix in the store; handlers with the same prefix share counts. @default `zuora-cors:reconcile` */
	keyPrefix?: string;
	/**
	 * The signature handler's record of issued tokens (`createIssuedTokens()`, given to both):
	 * only a token issued to the asking session is answered, at most `CLAIMS_PER_TOKEN` (8) times.
	 */
	tokens: IssuedTokens;
};

/** Every option of `ReconcileHandlerOptions`, the only ones read (own properties). */
export const RECONCILE_OPTION_NAMES = [...ENDPOINT_OPTION_NAMES, 'zuora', 'maxBodyBytes', 'maxPages', 'tokens'] as const satisfies ReadonlyArray<keyof ReconcileHandlerOptions>;

/** What a reconcile acts on, fixed at creation. */
type Reconciling = {gate: Gate; get: (path: string) => Promise<ZuoraAnswer>; maxPages: number; tokens: IssuedTokens};

/** What the page sends: the card's public facts and the token of the lost POST. Never the number or the security code. */
export type ReconcileQuery = {
	token: string;
	creditCardType: keyof typeof ZUORA_CARD_BRANDS;
	lastFour: string;
	expirationMonth: number;
	expirationYear: number;
};

/** A card in Zuora's list, as far as matching needs it. */
type ListedCard = {id: string; brand: unknown; lastFour: string | undefined; month: number | undefined; year: number | undefined};

/** Every field of `ReconcileQuery`, the only ones the body may hold (read as own properties). */
export const QUERY_FIELDS = ['token', 'creditCardType', 'lastFour', 'expirationMonth', 'expirationYear'] as const satisfies ReadonlyArray<keyof ReconcileQuery>;
/**
 * 12 or more digits, up to three of anything but letters and digits between two of them
 * (`4111 1111`, `4111_1111`, `4111.-.1111`): a card number has no business here. Checked on a
 * body of at most maxBodyBytes; the separators exclude digits, so it never backtracks far.
 */
const CARD_NUMBER_LIKE = /\d(?:[^\p{L}\d]{0,3}\d){11,}/u;
/** No control characters, and not `.` or `..`, which would change the list's path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const SAFE_ACCOUNT = /^(?!\.\.?$)[^\u0000-\u001F\u007F]{1,255}$/;
const PAYMENT_METHOD_ID = /^[\w-]{1,64}$/;

/**
 * Creates the reconcile endpoint. It answers `{success: true, paymentMethodId: '<id>'}` when a
 * card of that brand, last four digits and expiry is on the account `authorize` returns
 * (`accountKey`), and `{success: true, paymentMethodId: null}` when none is; refusals as the
 * signature handler's (`{reasons}` with a 4xx/5xx status, one log line each).
 *
 * What it cannot tell: Zuora's list gives no creation time, so a card saved earlier with the
 * same brand, last four and expiry also counts as found (its id is answered: the card is on the
 * account either way). Zuora's list does not show which token made a method, so the token
 * stands for the question: only one `tokens` recorded for the same session is answered, 8 times at most.
 *
 * @example
 * const reconcile = createReconcileHandler({
 *   zuora, // the signature handler's client
 *   origin: 'https://shop.example',
 *   trustProxy: 0,
 *   authorize: request => {
 *     const session = sessions.get(request);
 *     return session && {session: session.id, accountKey: session.accountKey};
 *   },
 * });
 * app.post('/reconcile', toNodeListener(reconcile));
 */
export function createReconcileHandler(given: ReconcileHandlerOptions): ReconcileHandler {
	const options = ownFields(given, RECONCILE_OPTION_NAMES);
	const zuora = zuoraClientOf(options.zuora);
	const get = ownField(zuora, 'get');
	if (typeof get !== 'function') {
		throw new TypeError("zuora must be a client from createZuoraClient (it lists the account's cards with get), or its options");
	}

	const maxPages = options.maxPages ?? 10;
	if (!(Number.isInteger(maxPages) && maxPages > 0)) {
		throw new TypeError('maxPages must be a positive whole number');
	}

	const {tokens} = options;
	if (typeof tokens !== 'object' || tokens === null || typeof tokens.claim !== 'function') {
		throw new TypeError("tokens must be the signature handler's record from createIssuedTokens(): only a token issued to the asking session is answered");
	}

	const gate = createGate(options, {keyPrefix: 'zuora-cors:reconcile', maxBodyBytes: 1024, bodyRequired: true}, options.maxBodyBytes);
	const log =
		options.log ??
		((line: string) => {
			console.error(line);
		});
	const list = get.bind(zuora);
	const respond = async (request: Request, context: RequestContext) => {
		try {
			const answer = await reconcile(request, context, {gate, get: async path => list(path), maxPages, tokens});
			if (answer instanceof Response) {
				return answer;
			}

			if (isRefusal(answer)) {
				log(`zuora-cors/server reconcile: ${answer.log}`);
				return refusalResponse(answer);
			}

			return json(200, {success: true, paymentMethodId: answer});
		} catch (error) {
			log(`zuora-cors/server reconcile: failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
			return json(500, {reasons: [{code: 'SERVER_ERROR', message: 'The request failed.'}]});
		}
	};

	return async (request, context = {}) => framePreflight(request, gate.frameOrigin) ?? withHeaders(await respond(request, context), frameCorsHeaders(request, gate.frameOrigin));
}

/** One request: the gate, the body, then the account's cards; the found id, null, or a refusal. */
async function reconcile(request: Request, context: RequestContext, {gate, get, maxPages, tokens}: Reconciling): Promise<string | null | Refusal | Response> {
	const checked = checkRequest(request, context, gate);
	if (isRefusal(checked)) {
		return checked;
	}

	const admitted = await admit(request, gate, checked, authorization => authorization.account ?? authorization.accountKey);
	if (admitted instanceof Response || isRefusal(admitted)) {
		return admitted;
	}

	const {accountKey} = admitted.authorization;
	if (typeof accountKey !== 'string' || !SAFE_ACCOUNT.test(accountKey)) {
		return setupError('authorize returned no valid accountKey');
	}

	const text = await readText(request, gate.maxBodyBytes);
	const query = text === undefined ? badRequest('a body over the limit or not UTF-8') : parseReconcileQuery(text);
	if (isRefusal(query)) {
		return query;
	}

	const claim = await claimToken(tokens, query.token, admitted);
	return claim ?? findCard(get, accountKey, query, maxPages);
}

/** Whether this session may ask about this token: one issued to it, asked at most `CLAIMS_PER_TOKEN` times. */
async function claimToken(tokens: IssuedTokens, token: string, admitted: Admitted): Promise<Refusal | undefined> {
	let claim: Awaited<ReturnType<IssuedTokens['claim']>>;
	try {
		claim = await tokens.claim(token, admitted.authorization.session);
	} catch (error) {
		return storeUnavailable(`the token store failed: ${error instanceof Error ? error.message : String(error)}`);
	}

	const why = {
		'not-issued': 'a token this endpoint never issued (or one older than its lifetime)',
		'other-session': 'a token issued to another session',
		'used-up': 'a token already reconciled too often',
	} as const;
	return claim === 'answer' ? undefined : {status: 403, code: 'TOKEN_REFUSED', message: 'This card cannot be checked here: load the checkout page again.', log: `refused ${why[claim]}`};
}

/** Reads Zuora's list page by page until the card is found or the list ends. */
async function findCard(get: (path: string) => Promise<ZuoraAnswer>, accountKey: string, query: ReconcileQuery, maxPages: number): Promise<string | null | Refusal> {
	const base = `${CREDIT_CARDS_OF_ACCOUNT.path.replace('{account-key}', encodeURIComponent(accountKey))}?pageSize=${CREDIT_CARDS_OF_ACCOUNT.maxPageSize}&page=`;
	for (let page = 1; page <= maxPages; page++) {
		// `nextPage` is a full URL from the answer: it only says whether to go on, never where (our bearer token stays on baseUrl).
		const answer = await zuoraRefusal(async () => get(`${base}${page}`), 'credit-card list'); // eslint-disable-line no-await-in-loop
		if (isRefusal(answer)) {
			return answer;
		}

		const listed = readCardsPage(answer);
		if (isRefusal(listed)) {
			return listed;
		}

		const found = matchCard(listed.cards, query);
		if (found !== undefined || !listed.more) {
			return found ?? null;
		}
	}

	return {
		status: 502,
		code: 'RECONCILE_INCOMPLETE',
		message: 'The saved cards could not all be checked.',
		log: `the account has more than ${maxPages * CREDIT_CARDS_OF_ACCOUNT.maxPageSize} credit cards: raise maxPages to check them all`,
	};
}

/** The request body as text, at most `maxBytes`; undefined when longer or not UTF-8. */
async function readText(request: Request, maxBytes: number): Promise<string | undefined> {
	const reader = request.body?.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const {value, done} = reader === undefined ? {value: undefined, done: true} : await reader.read(); // eslint-disable-line no-await-in-loop
		if (done) {
			break;
		}

		total += value.byteLength;
		if (total > maxBytes) {
			await reader?.cancel();
			return undefined;
		}

		chunks.push(value);
	}

	try {
		return new TextDecoder('utf-8', {fatal: true}).decode(concat(chunks, total));
	} catch {
		return undefined;
	}
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
	const bytes = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}

	return bytes;
}

/**
 * The page's question, or a refusal. Only the five known fields, own properties of a JSON object;
 * anything else (a `creditCardNumber`, a `securityCode`, a long run of digits anywhere) is refused,
 * and nothing of the body reaches the log.
 */
export function parseReconcileQuery(text: string): ReconcileQuery | Refusal {
	if (CARD_NUMBER_LIKE.test(text)) {
		return {status: 400, code: 'CARD_DATA_REFUSED', message: 'Card numbers are never sent here.', log: 'refused a body holding a long run of digits (a card number?); the body is not logged'};
	}

	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return badRequest('a body that is not JSON');
	}

	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return badRequest('a body that is not a JSON object');
	}

	if (Object.keys(value).some(name => !(QUERY_FIELDS as readonly string[]).includes(name))) {
		return badRequest('a body with fields other than token, creditCardType, lastFour, expirationMonth, expirationYear (not logged)');
	}

	const fields = ownFields(value as Record<(typeof QUERY_FIELDS)[number], unknown>, QUERY_FIELDS);
	const {token, creditCardType, lastFour} = fields;
	const expirationMonth = wholeNumber(fields['expirationMonth']);
	const expirationYear = wholeNumber(fields['expirationYear']);
	const valid =
		typeof token === 'string' &&
		/^[\w-]{16,128}$/.test(token) &&
		!CARD_NUMBER_LIKE.test(token) &&
		typeof creditCardType === 'string' &&
		Object.hasOwn(ZUORA_CARD_BRANDS, creditCardType) &&
		typeof lastFour === 'string' &&
		/^\d{4}$/.test(lastFour) &&
		expirationMonth !== undefined &&
		expirationMonth >= 1 &&
		expirationMonth <= 12 &&
		expirationYear !== undefined &&
		expirationYear >= 2000 &&
		expirationYear <= 2099;
	return valid ? {token, creditCardType: creditCardType as ReconcileQuery['creditCardType'], lastFour, expirationMonth, expirationYear} : badRequest('a body whose fields are missing or malformed');
}

/** One page of Zuora's list: its cards and whether more pages follow; a refusal when the answer is not that shape. */
export function readCardsPage(answer: ZuoraAnswer): {cards: ListedCard[]; more: boolean} | Refusal {
	const cards = answer.body?.['creditCards'];
	if (answer.body?.['success'] !== true || !Array.isArray(cards)) {
		return {
			status: 502,
			code: 'ZUORA_INVALID_RESPONSE',
			message: 'The payment service gave an unexpected answer.',
			log: `Zuora answered HTTP ${answer.status} to the credit-card list without a creditCards list`,
		};
	}

	const nextPage = answer.body['nextPage'];
	return {cards: cards.flatMap(listedCard), more: typeof nextPage === 'string' && nextPage !== ''};
}

/** The first listed card (Zuora lists the most recently updated first) with the query's brand, last four and expiry. */
export function matchCard(cards: readonly ListedCard[], query: ReconcileQuery): string | undefined {
	return cards.find(card => card.brand === query.creditCardType && card.lastFour === query.lastFour && card.month === query.expirationMonth && card.year === query.expirationYear)?.id;
}

/** A card of Zuora's list, read by own properties; its number is kept as its last four digits only. */
function listedCard(value: unknown): ListedCard[] {
	if (typeof value !== 'object' || value === null) {
		return [];
	}

	const own = (name: string) => (Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined);
	const id = own('id');
	const number = own('cardNumber');
	if (typeof id !== 'string' || !PAYMENT_METHOD_ID.test(id)) {
		return [];
	}

	// `cardType` is the documented name; `creditCardType` as the create call and the newer list name it.
	return [
		{
			id,
			brand: own('cardType') ?? own('creditCardType'),
			lastFour: typeof number === 'string' ? /(\d{4})$/.exec(number)?.[1] : undefined,
			month: wholeNumber(own('expirationMonth')),
			year: wholeNumber(own('expirationYear')),
		},
	];
}

/** A whole number given as a number or as decimal digits ('03' included). */
function wholeNumber(value: unknown): number | undefined {
	if (typeof value === 'number') {
		return Number.isInteger(value) ? value : undefined;
	}

	return typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : undefined;
}

function badRequest(what: string): Refusal {
	return {status: 400, code: 'BAD_REQUEST', message: 'The request is not the expected JSON: token, creditCardType, lastFour, expirationMonth, expirationYear.', log: `refused ${what}`};
}
