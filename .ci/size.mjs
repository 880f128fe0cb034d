// Prints raw and gzipped sizes of both builds; exits 1 when the script-tag bundle is over budget.
// Every byte of the IIFE is downloaded by every shopper, so its budget is checked here, not guessed.
import {readdirSync, readFileSync} from 'node:fs';
import {gzipSync} from 'node:zlib';

/** Gzipped budget of the script-tag bundle, in bytes (issue 12: at most 12 KiB). */
const IIFE_BUDGET = 12 * 1024;

const builds = [
	{file: 'dist/zuora-cors.iife.min.js', budget: IIFE_BUDGET, note: 'script tag, everything inlined'},
	{file: 'dist/zuora-cors.js', budget: undefined, note: 'ESM, ky external'},
];

let over = false;
const kib = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
for (const {file, budget, note} of builds) {
	const code = readFileSync(file);
	const gzipped = gzipSync(code, {level: 9}).length;
	const verdict = budget === undefined ? '' : gzipped <= budget ? `  within ${kib(budget)} (${((gzipped / budget) * 100).toFixed(1)}%)` : `  OVER ${kib(budget)}`;
	over ||= budget !== undefined && gzipped > budget;
	console.log(`${file.padEnd(30)} ${String(code.length).padStart(7)} B raw  ${String(gzipped).padStart(6)} B gzip (${kib(gzipped)})${verdict}  ${note}`);
}

// What an app pays (issue 12): a bundle of the ESM build importing only some functions, with ky
// inlined, minified and gzipped as an app's bundler would ship it. `createPaymentMethod` alone must
// not grow: its budget is what main measured before issue 12 (9,526 B) plus 320 B of slack, the
// measured price of the stable codes every field error now carries (+312 B: 108 B of code names,
// the rest the catalogue lookup and its placeholders). Nothing else may add a byte.
const APP_BUDGETS = [
	{imports: ['createPaymentMethod'], budget: 9526 + 320, note: 'ESM app, createPaymentMethod only (9526 B before issue 12 + 320 B for field codes)'},
	{imports: ['bindForm'], budget: 11.5 * 1024, note: 'ESM app, bindForm, no extra locale'},
	{imports: ['bindForm', 'describeError'], budget: undefined, note: 'ESM app, bindForm and describeError (English)'},
];

const {rollup} = await import('rollup');
const {nodeResolve} = await import('@rollup/plugin-node-resolve');
const {default: terser} = await import('@rollup/plugin-terser');
const esm = new URL('../dist/zuora-cors.js', import.meta.url).pathname;
let appsOver = false;
for (const {imports, budget, note} of APP_BUDGETS) {
	const source = `export {${imports.join(', ')}} from ${JSON.stringify(esm)};`;
	const bundle = await rollup({
		input: 'app',
		plugins: [{name: 'app', resolveId: id => id === 'app' ? id : null, load: id => id === 'app' ? source : null}, nodeResolve({browser: true}), terser({format: {comments: false}, compress: {passes: 2}})],
		onwarn() {},
	});
	const [{code}] = (await bundle.generate({format: 'es'})).output;
	await bundle.close();
	const gzipped = gzipSync(code, {level: 9}).length;
	const verdict = budget === undefined ? '' : gzipped <= budget ? `  within ${kib(budget)} (${((gzipped / budget) * 100).toFixed(1)}%)` : `  OVER ${kib(budget)}`;
	appsOver ||= budget !== undefined && gzipped > budget;
	console.log(`${`app: ${imports.join(' + ')}`.padEnd(30)} ${String(code.length).padStart(7)} B raw  ${String(gzipped).padStart(6)} B gzip (${kib(gzipped)})${verdict}  ${note}`);
}

for (const file of readdirSync('dist/locales').filter(name => name.endsWith('.iife.min.js')).sort()) {
	const code = readFileSync(`dist/locales/${file}`);
	console.log(`${`dist/locales/${file}`.padEnd(30)} ${String(code.length).padStart(7)} B raw  ${String(gzipSync(code, {level: 9}).length).padStart(6)} B gzip  locale for the script tag (loaded only by pages that want it)`);
}

if (over) {
	console.error('The script-tag bundle is over its gzipped budget.');
	process.exit(1);
}

if (appsOver) {
	console.error('An app bundle is over its gzipped budget.');
	process.exit(1);
}
