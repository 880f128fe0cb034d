// A merchant backend for unit tests: a real HTTP server on port 0 that signs, through the stub's
// OAuth and `POST /v1/hmac-signatures`, exactly what its query string names
// (`/sign?uri=…&method=…&name=…&pageId=…&accountKey=…`), and returns the pair, plus every
// signed field (`uri`, `method`, `accountKey`/`name`/`pageId`) when `echo=1` (as zuora-cors/server
// does, the BRIEF's contract 1). It records what it received.
import {startServer} from './http-server.test-util.js';
import {reply} from './http-server.test-util.js';
import type {ZuoraStub} from './testing/index.js';

export async function startSigner(stub: ZuoraStub) {
	const oauth = await fetch(`${stub.url}/oauth/token`, {
		method: 'POST',
		body: new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials'}),
	}).then(async response => response.json() as Promise<{access_token: string}>);
	const server = await startServer(async (request, response) => {
		const query = new URL(request.url, 'http://signer').searchParams;
		const signed: Record<string, string> = {};
		for (const name of ['uri', 'method', 'name', 'pageId', 'accountKey']) {
			const value = query.get(name);
			if (value !== null) {
				signed[name] = value;
			}
		}

		const answer = await fetch(`${stub.url}/v1/hmac-signatures`, {
			method: 'POST',
			headers: {authorization: `Bearer ${oauth.access_token}`, 'content-type': 'application/json'},
			body: JSON.stringify(signed),
		});
		const pair = (await answer.json()) as Record<string, unknown>;
		const echo = query.get('echo') === '1' ? signed : {};
		reply(response, answer.status, {...pair, ...echo});
	});
	/** The signature URL for these signed values. */
	const sign = (values: Record<string, string>) => `${server.url}/sign?${new URLSearchParams(values).toString()}`;
	/** A pair fetched now, as a page's prefetch would. */
	const pair = async (values: Record<string, string>) => fetch(sign(values)).then(async response => response.json() as Promise<{signature: string; token: string}>);
	return {...server, sign, pair};
}
