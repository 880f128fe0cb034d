// zuoraUrl (page) and createZuoraClient (server) take the same spellings of a Zuora base: one parser, zuoraBaseUrl.
import {describe, expect, it} from 'vitest';
import {createZuoraClient} from './server/zuora-client.js';
import {ZUORA_BASE_URLS, zuoraBaseUrl} from './zuora.js';
import {zuoraUrl} from './zuora-url.js';

const client = (baseUrl: string) => createZuoraClient({baseUrl, clientId: 'id', clientSecret: 'secret'});

describe('one set of spellings for page and server', () => {
	const spellings = [
		...Object.keys(ZUORA_BASE_URLS),
		...Object.values(ZUORA_BASE_URLS),
		...Object.values(ZUORA_BASE_URLS).map(url => `${url}/`),
		'https://api.zuora.com/rest',
		'https://api.zuora.com/rest/',
		'https://apisandbox.zuora.com/apps',
		'https://apisandbox.zuora.com/apps/',
		'https://REST.zuora.com',
		'https://rest.zuora.com:443/',
	];

	it('each spelling gives the same base on both sides', () => {
		for (const spelling of spellings) {
			const base = zuoraBaseUrl(spelling);
			expect([spelling, base]).toEqual([spelling, expect.stringMatching(/^https:\/\/[a-z.]+\.zuora\.com(?:\/rest|\/apps)?$/)]);
			expect(zuoraUrl(spelling as never, '/v1/accounts')).toBe(`${base}/v1/accounts`);
			expect(client(spelling).baseUrl).toBe(base);
		}

		expect(zuoraUrl('apisandbox')).toBe('https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards');
		expect(client('eu').baseUrl).toBe('https://rest.eu.zuora.com');
	});

	it('what neither side takes: another path, a query, a fragment, credentials, two slashes, not a URL', () => {
		const refused = [
			'sandbox',
			'https://rest.zuora.com/v1',
			'https://rest.zuora.com?x=1',
			'https://rest.zuora.com#x',
			'https://user@rest.zuora.com',
			'https://rest.zuora.com//',
			'rest.zuora.com',
			'',
			'APISANDBOX',
			'https://rest.zuora.com/rest/apps',
			'toString',
			'__proto__',
		];
		for (const spelling of refused) {
			expect([spelling, zuoraBaseUrl(spelling)]).toEqual([spelling, undefined]);
			expect(() => zuoraUrl(spelling as never)).toThrow(expect.objectContaining({kind: 'validation'}));
			expect(() => client(spelling)).toThrow('zuora.baseUrl must be an environment name');
		}
	});

	it('the page alone refuses hosts off zuora.com and plain http; the server takes them (the stub in tests)', () => {
		for (const spelling of ['http://127.0.0.1:4010', 'http://127.0.0.1:4010/', 'https://rest.zuora.com.evil.io', 'http://rest.zuora.com', 'https://rest.zuora.com:8443']) {
			expect(() => zuoraUrl(spelling as never)).toThrow(expect.objectContaining({kind: 'validation'}));
			expect(client(spelling).baseUrl).toBe(spelling.replace(/\/$/, ''));
		}
	});
});
