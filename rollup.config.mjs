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
 * The script-tag build only: ky trimmed to the code `exchange` (src/transport.ts) reaches. The ESM
 * build keeps ky whole, and so does every test that does not load the script-tag file.
 *
 * `exchange` hands ky a Request and a null-prototype options object with every option ky reads
 * own: `retry: 0`, `timeout: false`, `throwHttpErrors: false`, `searchParams: ''`, hooks, json,
 * parseJson, prefixUrl, context and the progress callbacks own and undefined, and `fetch`, its own
 * function, which sends the request it built itself and ignores what ky passes it. For those
 * options, what is cut here does nothing:
 * - `ky(input, options)` is `Ky.create(input, validateAndMerge(options))`; the merge yields the
 *   same values, so `Ky.create` is called directly (no instance factory: ky.get, ky.extend…);
 * - in `Ky.create`: the numeric-timeout check; after the fetch, the afterResponse hooks, the
 *   parseJson decoration, throwHttpErrors and onDownloadProgress (the response is returned as it
 *   came); the body shortcuts (`.json()`…) on the returned promise, which exchange only awaits;
 * - in the constructor: the options only that code reads (hooks, prefixUrl, retry,
 *   throwHttpErrors, context), the input and prefixUrl checks (the input is a Request), the
 *   request-stream duplex, json, the FormData/URLSearchParams Content-Type (the body is a string
 *   or null), searchParams and onUploadProgress;
 * - `#retry`: with `retry: 0` it rejects with the first failure (its delay calculation throws it
 *   as soon as the count passes the limit), so it becomes `return function_()`;
 * - in `#fetch`: the reset of an aborted controller (only ky's own timeout, off, aborts it before
 *   the one fetch) and the beforeRequest hooks; then the private methods only cut code called.
 * The build fails if a ky update moved any of it. Of ky's modules, those the remaining code calls
 * keep (or are given) what they do for these options: the two feature checks, `mergeHeaders`, an
 * upper-case method left as it is (as ky does), and `findUnknownOptions`, whose result only our
 * fetch receives. Every other name ky imports is bound to a function that throws.
 * @returns {import('rollup').Plugin}
 */
function kyTrimmed() {
	const prefix = '\0ky-trimmed:';
	/** @type {Record<string, [kept: string, cut: string]>} */
	const modules = {
		'core/constants.js': [
			'export const supportsAbortController = typeof globalThis.AbortController === \'function\', supportsAbortSignal = typeof globalThis.AbortSignal === \'function\' && typeof globalThis.AbortSignal.any === \'function\';',
			'supportsRequestStreams supportsResponseStreams supportsFormData responseTypes maxSafeTimeout stop RetryMarker',
		],
		'utils/merge.js': [`export {mergeHeaders} from ${JSON.stringify(path.resolve('node_modules/ky/distribution/utils/merge.js'))};`, 'mergeHooks'],
		'utils/normalize.js': ['export const normalizeRequestMethod = method => method;', 'normalizeRetryOptions'],
		'utils/options.js': ['export const findUnknownOptions = () => ({});', 'hasSearchParameters'],
		'utils/body.js': ['', 'streamRequest streamResponse'],
		'utils/delay.js': ['', 'default'],
		'utils/timeout.js': ['', 'default'],
		'utils/type-guards.js': ['', 'isHTTPError isTimeoutError'],
		'errors/NonError.js': ['', 'NonError'],
		'errors/ForceRetryError.js': ['', 'ForceRetryError'],
		'errors/HTTPError.js': ['', 'HTTPError'],
	};
	// The parts of Ky.js cut, as [pattern, replacement ('$1': the first group)].
	/** @type {Array<[RegExp, string]>} */
	const patches = [
		[/\n {12}if \(typeof ky\.#options\.timeout === 'number' && ky\.#options\.timeout > maxSafeTimeout\) \{[\s\S]*?(?=\n {12}\/\/ Delay the fetch)/, ''],
		[/(\n {12}let response = await ky\.#fetch\(\);)[\s\S]*?(?=\n {12}return response;\n {8}\};)/, '$1'],
		[/\n {8}for \(const \[type, mimeType\] of Object\.entries\(responseTypes\)\) \{[\s\S]*?(?=\n {8}return result;)/, ''],
		[/\n {4}\/\/ eslint-disable-next-line unicorn\/prevent-abbreviations\n {4}static #normalizeSearchParams\(searchParams\) \{[\s\S]*?(?=\n {4}request;)/, ''],
		[/\n {12}hooks: mergeHooks\(\{[\s\S]*?\}, options\.hooks\),(?=\n {12}method: )/, ''],
		[/\n {12}\/\/ eslint-disable-next-line @typescript-eslint\/prefer-nullish-coalescing\n {12}prefixUrl: String\(options\.prefixUrl \|\| ''\),\n {12}retry: normalizeRetryOptions\(options\.retry\),\n {12}throwHttpErrors: options\.throwHttpErrors \?\? true,/, ''],
		[/\n {12}context: options\.context \?\? \{\},(?=\n {8}\};)/, ''],
		[/\n {8}if \(typeof this\.#input !== 'string' && !\(this\.#input instanceof URL[\s\S]*?(?=\n {8}if \(supportsAbortController && supportsAbortSignal\) \{)/, ''],
		[/\n {8}if \(supportsRequestStreams\) \{[\s\S]*?(?=\n {8}this\.request = new globalThis\.Request\(this\.#input, this\.#options\);)/, ''],
		[/(\n {8}this\.request = new globalThis\.Request\(this\.#input, this\.#options\);)[\s\S]*?(?=\n {4}\}\n {4}#calculateDelay\(\) \{)/, '$1'],
		[/\n {4}#calculateDelay\(\) \{[\s\S]*?(?=\n {4}#cancelBody\(body\) \{)/, ''],
		[/\n {4}#cancelResponseBody\(response\) \{[\s\S]*?(?=\n {4}async #fetch\(\) \{)/, '\n    async #retry(function_) {\n        return function_();\n    }'],
		[/\n {8}\/\/ Reset abortController if it was aborted[\s\S]*?(?=\n {8}const nonRequestOptions = findUnknownOptions\()/, ''],
		[/\n {4}#getNormalizedOptions\(\) \{[\s\S]*?(?=\n\}\n)/, ''],
	];
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

			for (const [pattern, replacement] of patches) {
				const match = pattern.exec(code);
				if (!match) {
					return this.error(`ky's Ky.js no longer matches ${pattern}: review the script-tag build's ky trimming (rollup.config.mjs)`);
				}

				// As many line breaks as were cut, so every other line keeps its place (and its source map).
				const text = replacement.replace('$1', () => match[1] ?? '');
				code = code.slice(0, match.index) + text + '\n'.repeat(match[0].split('\n').length - text.split('\n').length) + code.slice(match.index + match[0].length);
			}

			return {code, map: null};
		},
		load(id) {
			if (!id.startsWith(prefix)) {
				return null;
			}

			const name = id.slice(prefix.length);
			if (name === 'index') {
				return `import {Ky} from ${JSON.stringify(path.resolve('node_modules/ky/distribution/core/Ky.js'))};\nexport default (input, options) => Ky.create(input, options);`;
			}

			if (name === 'unreachable') {
				return 'export function unreachable() {throw new TypeError(\'zuora-cors: ky feature left out of the script-tag build\');}';
			}

			const [kept, cut] = modules[name] ?? ['', ''];
			return `import {unreachable} from 'unreachable';\n${kept}\nexport {${cut.split(' ').map(binding => `unreachable as ${binding}`).join(', ')}};`;
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
