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
 * The script-tag build only: the parts of ky that `exchange` (src/transport.ts) switches off,
 * replaced by code that throws. It sets ky's progress options own and undefined, `retry: 0`,
 * `timeout: false`, `throwHttpErrors: false` and no hooks, so ky never reaches its progress
 * streams, retry delay, own timeout, or the errors only those paths create (HTTPError,
 * TimeoutError, ForceRetryError, NonError; `instanceof` on the stubs stays false). Were one
 * reached, the throw is an error ky raises before sending (the exchange then sends once itself)
 * or after the answer (the exchange reads the response it received). The ESM build keeps ky whole.
 * @returns {import('rollup').Plugin}
 */
function kyUnreachable() {
	const stubs = ['utils/body.js', 'utils/delay.js', 'utils/timeout.js', 'errors/HTTPError.js', 'errors/TimeoutError.js', 'errors/ForceRetryError.js', 'errors/NonError.js'];
	const prefix = '\0ky-unreachable:';
	return {
		name: 'ky-unreachable',
		resolveId(source, importer) {
			const stub = importer?.includes('/node_modules/ky/') && stubs.find(name => source.endsWith(name.slice(name.indexOf('/'))));
			return stub ? prefix + stub : null;
		},
		load(id) {
			if (!id.startsWith(prefix)) {
				return null;
			}

			const [folder, file] = id.slice(prefix.length).split('/');
			const name = file.replace('.js', '');
			const exports = folder === 'errors'
				? `export class ${name} {constructor() {unreachable();}}`
				: name === 'body' ? 'export const streamRequest = unreachable, streamResponse = unreachable;' : 'export default unreachable;';
			return `function unreachable() {throw new TypeError('zuora-cors: ky feature left out of the script-tag build');}\n${exports}`;
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
			kyUnreachable(),
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
