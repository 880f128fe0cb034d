// Prints raw and gzipped sizes of both builds; exits 1 when the script-tag bundle is over budget.
// Every byte of the IIFE is downloaded by every shopper, so its budget is checked here, not guessed.
import {readdirSync, readFileSync} from 'node:fs';
import {gzipSync} from 'node:zlib';

/**
 * Gzipped budgets, in bytes: the enforced ceiling (today's size plus ~2%, so any growth is a
 * decision) and issue 12's target, printed with its gap. The targets are not met: HTTP goes
 * through ky (about 4 KiB of the script tag even trimmed to what the library reaches) and the
 * hostile-page and real-Zuora work added about 2.5 KiB before issue 12's features; meeting them
 * needs a decision (a budget, or no ky in the script tag), see the README's Benchmark section.
 */
const IIFE_BUDGET = 13.25 * 1024;
const IIFE_TARGET = 12 * 1024;

const builds = [
	{file: 'dist/zuora-cors.iife.min.js', budget: IIFE_BUDGET, target: IIFE_TARGET, note: 'script tag, everything inlined'},
	{file: 'dist/zuora-cors.js', budget: undefined, target: undefined, note: 'ESM, ky external'},
];

let over = false;
const kib = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
/** "(issue 12 target X: N B over)", or nothing. @param {number} gzipped @param {number | undefined} target */
const gap = (gzipped, target) => target === undefined ? '' : `  [issue 12 target ${kib(target)}: ${gzipped <= target ? 'met' : `${gzipped - target} B over`}]`;
for (const {file, budget, target, note} of builds) {
	const code = readFileSync(file);
	const gzipped = gzipSync(code, {level: 9}).length;
	const verdict = budget === undefined ? '' : gzipped <= budget ? `  within ${kib(budget)} (${((gzipped / budget) * 100).toFixed(1)}%)` : `  OVER ${kib(budget)}`;
	over ||= budget !== undefined && gzipped > budget;
	console.log(`${file.padEnd(30)} ${String(code.length).padStart(7)} B raw  ${String(gzipped).padStart(6)} B gzip (${kib(gzipped)})${verdict}  ${note}${gap(gzipped, target)}`);
}

// What an app pays (issue 12): a bundle of the ESM build importing only some functions, with ky
// inlined (whole: an app's bundler does not get the script tag's trimming), minified and gzipped
// as an app's bundler would ship it. Issue 12's target for `createPaymentMethod` alone is what main
// measured before issues 9-12 (9,526 B) plus 320 B for the stable field codes; the hardening of
// issues 9 and 10 (own-property reads, masking, classification, the four operations) costs it
// ~1.9 KiB, so the enforced ceiling is today's size plus ~2% and the gap is printed.
const APP_BUDGETS = [
	{imports: ['createPaymentMethod'], budget: 11.75 * 1024, target: 9526 + 320, note: 'ESM app, createPaymentMethod only'},
	{imports: ['bindForm'], budget: 14.75 * 1024, target: 11.5 * 1024, note: 'ESM app, bindForm, no extra locale'},
	{imports: ['bindForm', 'describeError'], budget: undefined, target: undefined, note: 'ESM app, bindForm and describeError (English)'},
];

const {rollup} = await import('rollup');
const {nodeResolve} = await import('@rollup/plugin-node-resolve');
const {default: terser} = await import('@rollup/plugin-terser');
const esm = new URL('../dist/zuora-cors.js', import.meta.url).pathname;
let appsOver = false;
for (const {imports, budget, target, note} of APP_BUDGETS) {
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
	console.log(`${`app: ${imports.join(' + ')}`.padEnd(30)} ${String(code.length).padStart(7)} B raw  ${String(gzipped).padStart(6)} B gzip (${kib(gzipped)})${verdict}  ${note}${gap(gzipped, target)}`);
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
