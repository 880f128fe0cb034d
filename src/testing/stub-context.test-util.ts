// In-process helpers for the stub's resource modules: a context and requests without a socket.
import {oauthScope} from './oauth.js';
import {resolveStubOptions, type ZuoraStubOptions} from './stub-options.js';
import {emptyState, type StubContext, type StubRequest} from './stub-state.js';

export const PUBLIC_URL = 'https://zuora.test';

export function makeContext(options: ZuoraStubOptions = {}): StubContext {
	return {
		config: resolveStubOptions(options),
		state: emptyState(),
		publicUrl: PUBLIC_URL,
		allowedOrigins: new Set(),
		oauthTokens: new Map(),
		oauthScope: oauthScope(),
		hold: {promise: undefined, release: undefined, parked: 0},
	};
}

export function makeRequest(method: string, target: string, {headers = {}, text = ''}: {headers?: Record<string, string>; text?: string} = {}): StubRequest {
	const url = new URL(target, PUBLIC_URL);
	const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
	return {method, path: url.pathname, query: url.searchParams, header: name => lower.get(name), text};
}
