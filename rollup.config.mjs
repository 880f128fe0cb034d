import commonjs from '@rollup/plugin-commonjs';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import {createHash} from 'node:crypto';
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

const input = 'src/index.ts';

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
