import commonjs from '@rollup/plugin-commonjs';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import {createHash} from 'node:crypto';
import {readFileSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/**
 * Writes dist/sri.json: the sha384 Subresource Integrity hash of each script-tag file, for
 * `<script integrity>` (PCI DSS 4.0 requirement 6.4.3 asks for script integrity on payment pages).
 * @returns {import('rollup').Plugin}
 */
function subresourceIntegrity() {
	return {
		name: 'subresource-integrity',
		generateBundle(_options, bundle) {
			/** @type {Record<string, string>} */
			const hashes = {};
			for (const [fileName, output] of Object.entries(bundle)) {
				if (output.type === 'chunk') {
					hashes[fileName] = `sha384-${createHash('sha384').update(output.code).digest('base64')}`;
				}
			}

			this.emitFile({type: 'asset', fileName: 'sri.json', source: `${JSON.stringify(hashes, undefined, 2)}\n`});
		},
	};
}

/**
 * The script-tag build only: ky trimmed to what `exchange` (src/transport.ts) reaches. `exchange`
 * calls ky's core, `Ky.create`, which is what `ky(input, options)` calls after `validateAndMerge`:
 * for the options exchange passes (a null-prototype object, every option ky reads own, hooks own
 * and undefined) the merge returns the same values (hooks as [], context as {}), and Ky's
 * constructor copies and normalises them again anyway; ky's instance factory (ky.get,
 * ky.extend…) is left out.
 *
 * Modules whose code exchange switches off are replaced by code that throws: it sets ky's
 * progress options own and undefined, `retry: 0`, `timeout: false`, `throwHttpErrors: false` and
 * no hooks, so ky never reaches its progress streams, retry delay, own timeout, or the errors only
 * those paths create (HTTPError, TimeoutError, ForceRetryError, NonError; `instanceof` on the
 * stubs stays false). Were one reached, the throw is an error ky raises before sending (the
 * exchange then sends once itself) or after the answer (the exchange reads the response it
 * received). Two modules are replaced by what they return for exchange's options: an upper-case
 * method (ky upper-cases only lower-case ones), `retry: 0` (of which ky reads only `limit`, and
 * only once a request failed), `searchParams: ''` (none), and the options ky hands to `fetch`
 * (our fetch ignores them). The ESM build keeps ky whole.
 * @returns {import('rollup').Plugin}
 */
function kyTrimmed() {
	/** @type {Record<string, string>} */
	const modules = {
		'utils/body.js': 'export const streamRequest = unreachable, streamResponse = unreachable;',
		'utils/delay.js': 'export default unreachable;',
		'utils/timeout.js': 'export default unreachable;',
		'utils/normalize.js': 'export const normalizeRequestMethod = method => method, normalizeRetryOptions = () => ({limit: 0});',
		'utils/options.js': 'export const findUnknownOptions = () => ({}), hasSearchParameters = () => false;',
		'utils/merge.js': `export {mergeHeaders} from ${JSON.stringify(path.resolve('node_modules/ky/distribution/utils/merge.js'))};\nexport const mergeHooks = () => ({beforeRequest: [], beforeRetry: [], afterResponse: [], beforeError: []});`,
		'core/constants.js': [
			'export const supportsAbortController = typeof globalThis.AbortController === \'function\';',
			'export const supportsAbortSignal = typeof globalThis.AbortSignal === \'function\' && typeof globalThis.AbortSignal.any === \'function\';',
			'export const supportsRequestStreams = false, supportsResponseStreams = false, supportsFormData = false, responseTypes = {}, maxSafeTimeout = 2_147_483_647, stop = Symbol(\'stop\');',
			'export class RetryMarker {}',
		].join('\n'),
		...Object.fromEntries(['HTTPError', 'TimeoutError', 'ForceRetryError', 'NonError'].map(name => [`errors/${name}.js`, `export class ${name} {constructor() {unreachable();}}`])),
	};
	const prefix = '\0ky-trimmed:';
	return {
		name: 'ky-trimmed',
		resolveId(source, importer) {
			if (source === 'ky' && importer?.endsWith(`${path.sep}src${path.sep}transport.ts`)) {
				return `${prefix}index`;
			}

			if (source === 'unreachable' && importer?.startsWith(prefix)) {
				return prefix + source;
			}

			const stub = importer?.includes('/node_modules/ky/') && Object.keys(modules).find(name => source.endsWith(name.slice(name.indexOf('/'))));
			return stub ? prefix + stub : null;
		},
		transform(code, id) {
			if (!id.endsWith('/ky/distribution/core/Ky.js')) {
				return null;
			}

			// Code exchange's options switch off, cut (the build fails if a ky update moved it):
			// - the check of a numeric timeout (it is false);
			// - after the fetch, the afterResponse hooks (none), the parseJson decoration, throwHttpErrors
			//   (false) and onDownloadProgress (both own and undefined): the response is returned as it came;
			// - the body shortcuts (`.json()`…) put on the returned promise, which exchange only awaits;
			// - in the constructor, the checks of the input and prefixUrl (the input is a Request), the request-stream duplex, `json`
			//   (own, undefined), the FormData/URLSearchParams Content-Type (the body is a string or
			//   null), searchParams ('') and onUploadProgress (own, undefined);
			// - with `retry: 0`, `#retry` rejects with the first failure (its delay calculation throws
			//   it as soon as the count passes the limit): it becomes `return function_()`;
			// - in `#fetch`, the reset of an aborted controller (only ky's timeout, off, aborts it
			//   before the one fetch) and the beforeRequest hooks (none);
			// - the private methods only that code called.
			const patches = [
				[/\n {12}if \(typeof ky\.#options\.timeout === 'number' && ky\.#options\.timeout > maxSafeTimeout\) \{[\s\S]*?(?=\n {12}\/\/ Delay the fetch)/, ''],
				[/(\n {12}let response = await ky\.#fetch\(\);)[\s\S]*?(?=\n {12}return response;\n {8}\};)/, '$1'],
				[/\n {8}for \(const \[type, mimeType\] of Object\.entries\(responseTypes\)\) \{[\s\S]*?(?=\n {8}return result;)/, ''],
				[/\n {4}\/\/ eslint-disable-next-line unicorn\/prevent-abbreviations\n {4}static #normalizeSearchParams\(searchParams\) \{[\s\S]*?(?=\n {4}request;)/, ''],
				[/\n {8}if \(typeof this\.#input !== 'string' && !\(this\.#input instanceof URL[\s\S]*?(?=\n {8}if \(supportsAbortController && supportsAbortSignal\) \{)/, ''],
				[/\n {8}if \(supportsRequestStreams\) \{[\s\S]*?(?=\n {8}this\.request = new globalThis\.Request\(this\.#input, this\.#options\);)/, ''],
				[/(\n {8}this\.request = new globalThis\.Request\(this\.#input, this\.#options\);)[\s\S]*?(?=\n {4}\}\n {4}#calculateDelay\(\) \{)/, '$1'],
				[/\n {4}#calculateDelay\(\) \{[\s\S]*?(?=\n {4}#cancelBody\(body\) \{)/, ''],
				[/\n {4}#cancelResponseBody\(response\) \{[\s\S]*?(?=\n {4}async #fetch\(\) \{)/, '\n    async #retry(function_) {\n        return function_();\n    }'],
				[/\n {8}\/\/ Reset abortController if it was aborted[\s\S]*?(?=\n {8}const nonRequestOptions = findUnknownOptions\()/, ''],
				[/\n {4}#getNormalizedOptions\(\) \{[\s\S]*?(?=\n\}\n)/, ''],
			];
			for (const [pattern, replacement] of patches) {
				const match = pattern.exec(code);
				if (!match) {
					this.error(`ky's Ky.js no longer matches ${pattern}: review the script-tag build's ky trimming`);
				}

				// As many line breaks as were cut, so every other line keeps its place (and its source map).
				const text = replacement.replace('$1', match[1] ?? '');
				code = code.slice(0, match.index) + text + '\n'.repeat(match[0].split('\n').length - text.split('\n').length) + code.slice(match.index + match[0].length);
			}

			return {code, map: null};
		},
		load(id) {
			if (!id.startsWith(prefix)) {
				return null;
			}

			const name = id.slice(prefix.length);
			return name === 'index'
				? `import {Ky} from ${JSON.stringify(path.resolve('node_modules/ky/distribution/core/Ky.js'))};\nexport default (input, options) => Ky.create(input, options);`
				: name === 'unreachable'
					? 'export function unreachable() {throw new TypeError(\'zuora-cors: ky feature left out of the script-tag build\');}'
					: `import {unreachable} from 'unreachable';\n${modules[name]}`;
		},
	};
}

const input = 'src/index.ts';

/** Every locale module (src/locales/<name>.ts), each built on its own so a page pays only for those it loads. */
const locales = readdirSync('src/locales').filter(file => /^[a-z]{2}(?:-[A-Z]{2})?\.ts$/.test(file)).map(file => file.slice(0, -3));

/**
 * Adds the sha384 of each script-tag locale file to dist/sri.json (written by the bundle's own
 * build, which runs first), so a page can pin `<script integrity>` on the locale it loads too.
 * @returns {import('rollup').Plugin}
 */
function localeIntegrity() {
	return {
		name: 'locale-integrity',
		writeBundle(_options, bundle) {
			/** @type {Record<string, string>} */
			const hashes = JSON.parse(readFileSync('dist/sri.json', 'utf8'));
			for (const output of Object.values(bundle)) {
				if (output.type === 'chunk') {
					hashes[`locales/${output.fileName}`] = `sha384-${createHash('sha384').update(output.code).digest('base64')}`;
				}
			}

			writeFileSync('dist/sri.json', `${JSON.stringify(hashes, undefined, 2)}\n`);
		},
	};
}

/** @type {import('rollup').RollupOptions[]} */
export default [
	// ESM for bundlers: dependencies stay external so the app dedupes them; declarations beside it.
	{
		input,
		external: ['ky'],
		output: {file: 'dist/zuora-cors.js', format: 'es', sourcemap: true},
		plugins: [typescript({tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist', outDir: 'dist'})],
	},
	// Script tag: everything inlined and minified, exposed as window.ZuoraCors.
	{
		input,
		output: {file: 'dist/zuora-cors.iife.min.js', format: 'iife', name: 'ZuoraCors', sourcemap: true},
		plugins: [
			kyTrimmed(),
			nodeResolve({browser: true}),
			commonjs(),
			typescript({tsconfig: './tsconfig.json', declaration: false, declarationMap: false, outDir: 'dist'}),
			terser({format: {comments: false}, compress: {passes: 2}}),
			subresourceIntegrity(),
		],
	},
	// zuora-cors/server: ESM for Node 18+ and other runtimes with Request/Response; its
	// dependency (rate-limiter-flexible) and Node's built-ins stay external.
	{
		input: 'src/server/index.ts',
		external: [/^node:/, 'rate-limiter-flexible'],
		output: {dir: 'dist', entryFileNames: 'server/index.js', format: 'es', sourcemap: true},
		plugins: [typescript({tsconfig: './src/server/tsconfig.build.json', declaration: true, declarationDir: 'dist', outDir: 'dist'})],
	},
	// `zuora-cors/testing`: the stub Zuora, for Node (ESM, declarations beside it). Its own
	// tsconfig has no DOM lib; it shares zuora.ts and card-rules.ts with the browser builds.
	{
		input: 'src/testing/index.ts',
		external: [/^node:/],
		output: {file: 'dist/testing.js', format: 'es', sourcemap: true},
		plugins: [typescript({tsconfig: './src/testing/tsconfig.json', declaration: true, declarationDir: 'dist', outDir: 'dist'})],
	},
	// Locales for bundlers (`zuora-cors/locales/de`; declarations come from the first build).
	{
		input: Object.fromEntries(locales.map(name => [name, `src/locales/${name}.ts`])),
		output: {dir: 'dist/locales', format: 'es', entryFileNames: '[name].js'},
		plugins: [typescript({tsconfig: './tsconfig.json', declaration: false, declarationMap: false, sourceMap: false, outDir: 'dist/locales'})],
	},
	// Locales for the script tag: dist/locales/de.iife.min.js adds `ZuoraCorsLocales.de` (pass it as `messages`).
	...locales.map(name => /** @type {import('rollup').RollupOptions} */ ({
		input: `dist/locales/${name}.js`,
		output: {file: `dist/locales/${name}.iife.min.js`, format: 'iife', name: 'ZuoraCorsLocales', extend: true},
		plugins: [terser({format: {comments: false}}), localeIntegrity()],
	})),
	// `zuora-cors/testing/playwright`: the Playwright fixture. `@playwright/test` (an optional peer
	// dependency) stays external, and so does the stub: the fixture imports `../testing.js`, the
	// one copy of `zuora-cors/testing`, instead of bundling a second stub into this file.
	{
		input: 'src/testing/playwright.ts',
		external: [/^node:/, '@playwright/test'],
		output: {dir: 'dist', entryFileNames: 'testing/playwright.js', format: 'es', sourcemap: true},
		plugins: [
			{
				name: 'import-the-testing-entry',
				resolveId(source, importer) {
					return importer?.endsWith(`${path.sep}src${path.sep}testing${path.sep}playwright.ts`) && source === './index.js' ? {id: '../testing.js', external: true} : null;
				},
			},
			typescript({tsconfig: './src/testing/tsconfig.json', declaration: true, declarationDir: 'dist', outDir: 'dist'}),
		],
	},
];
