// The script-tag bundle loads whatever Object.prototype carries (load-guard.ts): each name ky's
// load-time `new Request` check or fetch reads, polluted BEFORE the bundle is evaluated, with
// values of several kinds. Before the guard, ten of them made the bundle throw at load in Node
// (cache, credentials, headers, mode, redirect, referrer, referrerPolicy, keepalive, signal,
// window). Reads dist/: run `npm run build` first.
import {readFileSync} from 'node:fs';
import {expect, it} from 'vitest';

const NAMES = ['method', 'headers', 'body', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive', 'signal', 'window', 'duplex', 'priority'];
const VALUES: unknown[] = [7, 'x', {}, true];

it('loads with each name polluted before it, and leaves the pollution as it was', async () => {
	const code = readFileSync(`${process.cwd()}/dist/zuora-cors.iife.min.js`, 'utf8');
	const outcomes: string[] = [];
	const prototype = Object.prototype as Record<string, unknown>;
	for (const name of NAMES) {
		for (const value of VALUES) {
			prototype[name] = value;
			try {
				const library = new Function(`${code};return ZuoraCors;`)() as Record<string, unknown>; // eslint-disable-line no-new-func
				await null; // eslint-disable-line no-await-in-loop -- the guard puts the prototype back in a microtask
				outcomes.push(`${name}: ${typeof library['bindForm']} ${Object.getOwnPropertyDescriptor(prototype, name)?.value === value}`);
			} catch (error) {
				outcomes.push(`${name}: threw ${String(error)}`);
			} finally {
				delete prototype[name];
			}
		}
	}

	expect(outcomes).toEqual(NAMES.flatMap(name => VALUES.map(() => `${name}: function true`)));
});
