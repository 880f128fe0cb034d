// Which URLs a signed call may go to (`isOperationUrl`): generated
// variants of every Zuora REST base and operation path. Only the base, then the operation's path
// exactly (a file id: one non-empty segment), with no query or fragment, passes; the wire tests
// (payment-method.test.ts) show that a refused signed `uri` sends nothing.
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {isOperationUrl, ZUORA_BASE_URLS, ZUORA_CORS_OPERATIONS, type ZuoraCorsOperationName} from './zuora.js';
import {ZUORA_REST_BASES} from './zuora-hosts.test-util.js';

const OPERATIONS = Object.keys(ZUORA_CORS_OPERATIONS) as ZuoraCorsOperationName[];
const fileId = fc.stringMatching(/^[\da-f]{32}$/);
/** The operation's path with `{file-id}` filled in. */
const pathOf = (operation: ZuoraCorsOperationName, id: string) => ZUORA_CORS_OPERATIONS[operation].path.replace('{file-id}', id);

/** What an attacker holding the backend's answer (or the page) could write instead of the path: each changes it. */
const PATH_CHANGES: ReadonlyArray<[string, (path: string) => string]> = [
	['a prefix', path => `/x${path}`],
	['a suffix segment', path => `${path}/x`],
	['a trailing slash', path => `${path}/`],
	// A file's last segment is its id: a longer one is another file, not another path.
	['a longer last segment', path => (path.startsWith('/v1/files/') ? `${path}/x` : `${path}x`)],
	['a query', path => `${path}?x=1`],
	['an empty query', path => `${path}?`],
	['a fragment', path => `${path}#x`],
	['upper case', path => path.toUpperCase()],
	['a dot segment', path => path.replace('/v1/', '/v1/x/../../')],
	['two slashes', path => path.replace('/v1/', '/v1//')],
	['an encoded slash', path => path.replace('/v1/', '/v1%2F')],
	['the path dropped', () => ''],
	['another version', path => path.replace('/v1/', '/v2/')],
];

describe('isOperationUrl on Zuora hosts', () => {
	it('the bases are the ten REST base URLs and the hosts seen in use', () => {
		expect(ZUORA_REST_BASES.slice(0, 10)).toEqual(Object.values(ZUORA_BASE_URLS));
		expect(ZUORA_REST_BASES).toContain('https://rest.pt1.zuora.com');
		expect(ZUORA_REST_BASES).toContain('https://api.zuora.com/rest');
		expect(ZUORA_REST_BASES).toContain('https://apisandbox.zuora.com/apps');
		expect(new Set(ZUORA_REST_BASES).size).toBe(ZUORA_REST_BASES.length);
	});

	it('every base with every operation path passes; the same base with the path of another operation does not', () => {
		fc.assert(
			fc.property(fc.constantFrom(...ZUORA_REST_BASES), fc.constantFrom(...OPERATIONS), fc.constantFrom(...OPERATIONS), fileId, (base, operation, other, id) => {
				expect(isOperationUrl(base + pathOf(operation, id), operation, false)).toBe(true);
				expect(isOperationUrl(base + pathOf(other, id), operation, false)).toBe(other === operation);
			}),
			{numRuns: 300, seed: 2104},
		);
	});

	it('generated path changes on every base are refused', () => {
		fc.assert(
			fc.property(fc.constantFrom(...ZUORA_REST_BASES), fc.constantFrom(...OPERATIONS), fc.constantFrom(...PATH_CHANGES), fileId, (base, operation, [, change], id) => {
				const url = base + change(pathOf(operation, id));
				let valid = true;
				try {
					new URL(url); // eslint-disable-line no-new
				} catch {
					valid = false;
				}

				expect([url, valid && isOperationUrl(url, operation, false)]).toEqual([url, false]);
			}),
			{numRuns: 400, seed: 2105},
		);
	});

	it('generated hosts: another label under zuora.com, a base without its prefix or with another one, a port, a look-alike: refused', () => {
		const label = fc.stringMatching(/^[a-z][a-z\d-]{0,8}[a-z\d]$/);
		const host = fc.oneof(
			label.filter(name => !ZUORA_REST_BASES.some(base => base.startsWith(`https://${name}.zuora.com`))).map(name => `https://${name}.zuora.com`),
			label.map(name => `https://rest.${name}.zuora.com`).filter(base => !ZUORA_REST_BASES.includes(base)),
			fc.constantFrom(
				'https://api.zuora.com',
				'https://apisandbox.zuora.com',
				'https://rest.zuora.com/rest',
				'https://rest.zuora.com/apps',
				'https://api.zuora.com/apps',
				'https://rest.zuora.com:8443',
				'http://rest.zuora.com',
				'https://user@rest.zuora.com',
				'https://rest.zuora.com.evil.example',
				'https://zuora.com',
			),
		);
		fc.assert(
			fc.property(host, fc.constantFrom(...OPERATIONS), fileId, (base, operation, id) => {
				const url = base + pathOf(operation, id);
				expect([url, isOperationUrl(url, operation, false)]).toEqual([url, false]);
			}),
			{numRuns: 300, seed: 2106},
		);
	});
});

describe('isOperationUrl on a host in allowedHosts (a stub)', () => {
	it('the operation path under any prefix passes; a changed path does not', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('', '/stub', '/a/b'),
				fc.constantFrom(...OPERATIONS),
				fc.constantFrom(...PATH_CHANGES.filter(([name]) => !['a prefix', 'a query', 'an empty query', 'a dot segment'].includes(name))),
				fileId,
				(prefix, operation, [, change], id) => {
					const origin = 'http://127.0.0.1:4010';
					expect(isOperationUrl(`${origin}${prefix}${pathOf(operation, id)}`, operation, true)).toBe(true);
					const changed = `${origin}${prefix}${change(pathOf(operation, id))}`;
					expect([changed, isOperationUrl(changed, operation, true)]).toEqual([changed, false]);
				},
			),
			{numRuns: 200, seed: 2107},
		);
	});
});
