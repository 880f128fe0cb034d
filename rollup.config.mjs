// The builds, as data: each entry of the package and the files it becomes. No build step edits or
// replaces a dependency's code: the script-tag files carry ky as ky publishes it.
import commonjs from '@rollup/plugin-commonjs';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {minifyOptions} from './.ci/minify-options.mjs';
import {subresourceIntegrity} from './.ci/sri.mjs';

// dist/ starts empty: a declaration left by a module since removed must not ship.
rmSync('dist', {recursive: true, force: true});

/**
 * `ZUORA_CORS_BUILD=demo` (set by `npm start`, demo/launch.mjs): only what the demo serves and
 * runs, once: no declarations, no locales, no Playwright fixture. Packing and the tests build everything.
 */
const demoOnly = process.env['ZUORA_CORS_BUILD'] === 'demo';

/** Every locale module (src/locales/<name>.ts), each built on its own so a page pays only for those it loads. */
const locales = readdirSync('src/locales')
	.filter(file => /^[a-z]{2}(?:-[A-Z]{2})?\.ts$/.test(file))
	.map(file => file.slice(0, -3));

/** The files a page loads with `<script>`; dist/sri.json holds their hashes, written once all are built. */
const sri = subresourceIntegrity({directory: 'dist', files: ['zuora-cors.iife.min.js', 'zuora-cors-frames.iife.min.js', ...(demoOnly ? [] : locales.map(name => `locales/${name}.iife.min.js`))]});

/**
 * TypeScript with a directory's tsconfig.json, its tests left out. `declarations: true` writes the
 * entry's .d.ts files under dist/ (paths relative to src/); `outDir` is the output's directory.
 * @param {string} tsconfig
 * @param {{declarations?: boolean, outDir?: string, sourceMap?: boolean}} [options]
 */
function compile(tsconfig, {declarations = false, outDir = 'dist', sourceMap = true} = {}) {
	return typescript({
		tsconfig,
		exclude: ['**/*.test.ts', '**/*.test-util.ts'],
		noEmit: false,
		allowJs: false,
		sourceMap,
		rootDir: path.resolve('src'),
		outDir: path.resolve(outDir),
		...(declarations && !demoOnly ? {declaration: true, declarationDir: path.resolve('dist')} : {declaration: false, declarationMap: false}),
	});
}

/** Minified for a script tag. */
const minify = () => terser(minifyOptions);

/** @type {import('rollup').RollupOptions[]} */
const builds = [
	// `zuora-cors` and `zuora-cors/frames`: ESM for bundlers, dependencies external so the app
	// dedupes them; one build, so the two entries share one ZuoraCorsError class (`instanceof`
	// holds in an app using both) through a chunk (errors, options, zuora). The chunk comes first
	// in an app's bundle, which compresses the main entry's apps about 50-120 B worse than one
	// file did; importing the class from ./zuora-cors.js instead kept 450 B of its top-level code
	// in a frames-only app. Every declaration of the browser library (the entries, the locales,
	// zuora-cors/global).
	{
		input: {'zuora-cors': 'src/index.ts', frames: 'src/frames/index.ts'},
		external: ['ky'],
		output: {dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js'},
		plugins: [compile('tsconfig.json', {declarations: true})],
	},
	// Script tag: everything inlined (ky whole) and minified, exposed as `window.ZuoraCors`; its
	// entry sets a polluted Object.prototype aside while ky's load-time check runs (load-guard.ts).
	{
		input: 'src/script-tag.ts',
		output: {file: 'dist/zuora-cors.iife.min.js', format: 'iife', name: 'ZuoraCors', sourcemap: true},
		plugins: [nodeResolve({browser: true}), commonjs(), compile('tsconfig.json'), minify(), sri],
	},
	// Script tag for the framed card fields: adds `mountCardFields` to `window.ZuoraCors`, creating
	// it when absent and keeping what zuora-cors.iife.min.js put there. No card logic: that is in the frame.
	{
		input: 'src/frames/index.ts',
		output: {file: 'dist/zuora-cors-frames.iife.min.js', format: 'iife', name: 'ZuoraCors', extend: true, sourcemap: true},
		plugins: [compile('tsconfig.json'), minify(), sri],
	},
	// The card frame's own script, served by `createCardFrameHandler` (never by the checkout page):
	// the form engine (ky inlined), the frame protocol and the five locales.
	{
		input: 'src/frames/frame.ts',
		output: {file: 'dist/zuora-cors-frame.min.js', format: 'iife', sourcemap: false},
		plugins: [nodeResolve({browser: true}), commonjs(), compile('tsconfig.json', {sourceMap: false}), minify()],
	},
	// `zuora-cors/locales/<name>`: ESM, one file per locale (declarations come from the first build).
	{
		input: Object.fromEntries(locales.map(name => [name, `src/locales/${name}.ts`])),
		output: {dir: 'dist/locales', format: 'es', entryFileNames: '[name].js'},
		plugins: [compile('tsconfig.json', {outDir: 'dist/locales', sourceMap: false})],
	},
	// Locales for the script tag, from the ESM files just built: dist/locales/de.iife.min.js adds
	// `ZuoraCorsLocales.de` (pass it as `messages`).
	...locales.map(name => ({
		input: `dist/locales/${name}.js`,
		output: {file: `dist/locales/${name}.iife.min.js`, format: /** @type {const} */ ('iife'), name: 'ZuoraCorsLocales', extend: true},
		plugins: [minify(), sri],
	})),
	// `zuora-cors/server`: ESM for Node 18+ and other runtimes with Request/Response; Node's
	// built-ins and its dependency stay external.
	{
		input: 'src/server/index.ts',
		external: [/^node:/, 'rate-limiter-flexible'],
		output: {dir: 'dist', entryFileNames: 'server/index.js', format: 'es', sourcemap: true},
		plugins: [compile('src/server/tsconfig.json', {declarations: true})],
	},
	// `zuora-cors/testing`: the stub Zuora, for Node.
	{
		input: 'src/testing/index.ts',
		external: [/^node:/],
		output: {file: 'dist/testing.js', format: 'es', sourcemap: true},
		plugins: [compile('src/testing/tsconfig.json', {declarations: true})],
	},
	// `zuora-cors/testing/playwright`: the Playwright fixture. `@playwright/test` (an optional peer
	// dependency) stays external, and so does the stub: the fixture imports `../testing.js`, the
	// one copy of `zuora-cors/testing`, instead of bundling a second stub.
	// (`paths` is relative to `dir`; Rollup writes it relative to the file: `../testing.js`.)
	{
		input: 'src/testing/playwright.ts',
		external: [/^node:/, '@playwright/test', path.resolve('src/testing/index.ts')],
		output: {dir: 'dist', entryFileNames: 'testing/playwright.js', format: 'es', sourcemap: true, paths: {[path.resolve('src/testing/index.ts')]: './testing.js'}},
		plugins: [compile('src/testing/tsconfig.json', {declarations: true})],
	},
];

/** What the demo does not load: the Playwright fixture, and the locales (its pages load none). */
const notServed = (/** @type {import('rollup').RollupOptions} */ build) => build.input === 'src/testing/playwright.ts' || JSON.stringify(build.input).includes('locales/');

export default demoOnly ? builds.filter(build => !notServed(build)) : builds;
