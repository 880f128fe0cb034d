// A small Zuora for the reconcile tests, until the stub serves the list: OAuth (client
// credentials) and GET /v1/payment-methods/credit-cards/accounts/{account-key}, in the shape
// Zuora's API reference documents (creditCards with a masked cardNumber and cardType, paged by
// page/pageSize <= 40, nextPage an absolute URL while more pages are). A real HTTP server on port 0.
import {randomBytes} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export type ListedCard = {id: string; cardNumber: string; cardType: string; expirationMonth: number; expirationYear: number; defaultPaymentMethod: boolean; cardHolderInfo: Record<string, unknown>};
export type ListFault = {status: number; body?: unknown} | 'hang' | 'reset';
export type CardListZuora = {
	url: string;
	/** The cards per account, in Zuora's answer order (most recently updated first). */
	accounts: Map<string, ListedCard[]>;
	/** Every list request: the path, its query and whether its bearer token was good. */
	requests: Array<{path: string; page: string | null; pageSize: string | null; authorized: boolean}>;
	/** The next list requests answer these instead. */
	failNext(...faults: ListFault[]): void;
	/** The absolute URL nextPage points at (to prove the handler never follows it). */
	nextPageBase: string;
	close(): Promise<void>;
};

export const CLIENT = {clientId: 'list-client-id', clientSecret: 'list-client-secret'} as const;
const LIST = /^\/v1\/payment-methods\/credit-cards\/accounts\/([^/]+)$/;

/** A card as Zuora lists it, from what the page knows of it. */
export function listedCard(id: string, brand: string, lastFour: string, month: number, year: number): ListedCard {
	return {
		id,
		cardNumber: `************${lastFour}`,
		cardType: brand,
		expirationMonth: month,
		expirationYear: year,
		defaultPaymentMethod: false,
		cardHolderInfo: {cardHolderName: 'Ada Lovelace', zipCode: null},
	};
}

export async function startCardListZuora({nextPageBase = 'https://rest.zuora.com'}: {nextPageBase?: string} = {}): Promise<CardListZuora> {
	const tokens = new Set<string>();
	const accounts = new Map<string, ListedCard[]>();
	const requests: CardListZuora['requests'] = [];
	const faults: ListFault[] = [];
	const server = createServer((request, response) => {
		let text = '';
		request.on('data', chunk => {
			text += String(chunk);
		});
		request.on('end', () => {
			answer(request, response, text);
		});
	});

	function answer(request: IncomingMessage, response: ServerResponse, text: string) {
		const url = new URL(request.url ?? '/', 'http://zuora');
		if (request.method === 'POST' && url.pathname === '/oauth/token') {
			const form = new URLSearchParams(text);
			if (form.get('client_id') !== CLIENT.clientId || form.get('client_secret') !== CLIENT.clientSecret) {
				return send(response, 401, {error: 'invalid_client', error_description: 'Bad client credentials'});
			}

			const token = randomBytes(16).toString('hex');
			tokens.add(token);
			return send(response, 200, {access_token: token, token_type: 'bearer', expires_in: 3599});
		}

		const list = LIST.exec(url.pathname);
		if (request.method !== 'GET' || !list) {
			return send(response, 404, {success: false, reasons: [{code: 50_000_040, message: 'Not found'}]});
		}

		const authorized = tokens.has(/^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');
		requests.push({path: url.pathname, page: url.searchParams.get('page'), pageSize: url.searchParams.get('pageSize'), authorized});
		const fault = faults.shift();
		if (fault === 'hang') {
			return;
		}

		if (fault === 'reset') {
			request.socket.destroy();
			return;
		}

		if (fault) {
			return send(response, fault.status, fault.body);
		}

		if (!authorized) {
			return send(response, 401, {message: 'Authentication error'});
		}

		listPage(response, decodeURIComponent(list[1]!), url.searchParams);
	}

	function listPage(response: ServerResponse, accountKey: string, query: URLSearchParams) {
		const cards = accounts.get(accountKey);
		if (cards === undefined) {
			return send(response, 200, {success: false, processId: 'A1B2C3', reasons: [{code: 50_000_040, message: `Cannot find entity by key: '${accountKey}'.`}]});
		}

		const pageSize = Number(query.get('pageSize') ?? 20);
		const page = Number(query.get('page') ?? 1);
		if (!(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 40 && Number.isInteger(page) && page >= 1)) {
			return send(response, 200, {success: false, reasons: [{code: 50_000_020, message: 'pageSize must be between 1 and 40'}]});
		}

		const more = cards.length > page * pageSize;
		send(response, 200, {
			...(more ? {nextPage: `${nextPageBase}/v1/payment-methods/credit-cards/accounts/${accountKey}?page=${page + 1}&pageSize=${pageSize}`} : {}),
			creditCards: cards.slice((page - 1) * pageSize, page * pageSize),
			success: true,
		});
	}

	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		accounts,
		requests,
		nextPageBase,
		failNext(...more) {
			faults.push(...more);
		},
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

function send(response: ServerResponse, status: number, body: unknown) {
	const text = body === undefined ? '' : JSON.stringify(body);
	response.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)}).end(text);
}
