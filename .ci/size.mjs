// `npm run size`: what shoppers download, gzip -9, ky whole wherever it is bundled. Prints each
// budget and the script-tag files; exits 1 when a ceiling is exceeded. Run `npm run build` first.
// `npm run size -- --features` also prints what each feature adds (nine more bundles: opt-in, as
// `npm test` needs only the ceilings).
//
// An "app" is what a merchant's bundler ships: a module importing some exports of the ESM build,
// bundled with ky (node_modules, as published), minified like the script-tag file, gzipped.
import {readdirSync, readFileSync} from 'node:fs';
import {gzipSync} from 'node:zlib';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import {rollup} from 'rollup';
import {minifyOptions} from './minify-options.mjs';

const dist = new URL('../dist/', import.meta.url).pathname;
const library = `${dist}zuora-cors.js`;

/**
 * `target`: the sizes we aim for (gzip bytes), printed with their gap. `ceiling`: what fails the
 * build, a regression guard lowered to what each change reaches (issue 23: 21,261, 13,874 and
 * 20,144 B, rounded up to 50 B); never raised (the gap and where the bytes go: .ci/README.md).
 * Exception: the merge of the settle-window engine, the load guard and the REST host table took
 * the script tag and bindForm over 21,300 and 20,150; developer errors turned into codes brought
 * them back to 21,537 and 20,441 B (13,803 for createPaymentMethod), set here rounded up to 50 B,
 * still under the session's starting 21,900 and 20,750 (h-size). Issue 21's last round (createAccount
 * a card call, the frame's fields read at each submission) ended at 21,530, 13,790 and 20,427 B.
 */
const BUDGETS = [
	{name: 'script tag: everything, English', file: 'zuora-cors.iife.min.js', target: 17 * 1024, ceiling: 21_550},
	{name: 'app: createPaymentMethod only', imports: {[library]: ['createPaymentMethod']}, target: 12 * 1024, ceiling: 13_800},
	{name: 'app: bindForm', imports: {[library]: ['bindForm']}, target: 15 * 1024, ceiling: 20_450},
	// Issue 22: the framed card fields carry no card logic (that is in the frame's own script).
	{name: 'script tag: frames (mountCardFields)', file: 'zuora-cors-frames.iife.min.js', target: 3072, ceiling: 3072},
	{name: 'app: mountCardFields only', imports: {[`${dist}frames.js`]: ['mountCardFields']}, target: 2560, ceiling: 2560},
];

/** Each feature's cost: what it adds to the smallest app (createPaymentMethod only). */
const BASE = {[library]: ['createPaymentMethod']};
const FEATURES = [
	{name: 'bindForm', imports: {[library]: ['bindForm']}},
	{name: 'describeError (English)', imports: {[library]: ['describeError']}},
	{name: 'bindForm + describeError', imports: {[library]: ['bindForm', 'describeError']}},
	{name: 'createAccount', imports: {[library]: ['createAccount']}},
	{name: 'getFile', imports: {[library]: ['getFile']}},
	{name: 'createPaymentPageSignature', imports: {[library]: ['createPaymentPageSignature']}},
	{name: 'validateCreditCard', imports: {[library]: ['validateCreditCard']}},
	{name: 'locale de (zuora-cors/locales/de)', imports: {[`${dist}locales/de.js`]: ['de']}},
];

/** Texts only bindForm uses: found in a createPaymentMethod-only app, they are a tree-shaking leak. */
const FORM_ONLY = ['data-zuora-cors', 'cardHolderInfo.zipCode', 'still_working'];

/** @param {Uint8Array | string} code */
const gzipped = code => gzipSync(code, {level: 9}).length;

/**
 * The gzipped size of an app that re-exports `imports` (module path → names), bundled and minified.
 * @param {Record<string, string[]>} imports
 */
async function app(imports) {
	return gzipped(await appCode(imports));
}

/**
 * The minified code of that app.
 * @param {Record<string, string[]>} imports
 */
async function appCode(imports) {
	const source = Object.entries(imports)
		.map(([from, names]) => `export {${names.join(', ')}} from ${JSON.stringify(from)};`)
		.join('\n');
	const bundle = await rollup({
		input: 'app',
		plugins: [{name: 'app', resolveId: id => (id === 'app' ? id : null), load: id => (id === 'app' ? source : null)}, nodeResolve({browser: true}), terser(minifyOptions)],
		onwarn() {},
	});
	try {
		const [{code}] = (await bundle.generate({format: 'es'})).output;
		return code;
	} finally {
		await bundle.close();
	}
}

/** @param {string} label @param {string | number} value @param {string} [note] */
const row = (label, value, note = '') => console.log(`  ${label.padEnd(44)} ${String(value).padStart(8)}  ${note}`);
const percent = (/** @type {number} */ part, /** @type {number} */ whole) => `${((part / whole) * 100).toFixed(1)}%`;

console.log('budgets (gzip -9 bytes)');
const over = [];
for (const {name, file, imports, target, ceiling} of BUDGETS) {
	const size = file ? gzipped(readFileSync(`${dist}${file}`)) : await app(imports ?? {});
	if (size > ceiling) {
		over.push(`${name} (${size - ceiling} B over its ceiling of ${ceiling} B)`);
	}

	const gap = size <= target ? `target met, ${target - size} B left` : `${size - target} B over the target`;
	row(name, `${size} B`, `${size <= ceiling ? 'ok  ' : 'OVER'} ceiling ${ceiling} B; target ${target} B (${percent(size, target)}, ${gap})`);
}

if (process.argv.includes('--features')) {
	await printFeatures();
}

console.log('\nscript-tag files (gzip -9 bytes; a page loads the locale files it wants)');
row('zuora-cors.iife.min.js', `${gzipped(readFileSync(`${dist}zuora-cors.iife.min.js`))} B`, 'everything, English');
row('zuora-cors-frames.iife.min.js', `${gzipped(readFileSync(`${dist}zuora-cors-frames.iife.min.js`))} B`, 'mountCardFields');
row('zuora-cors-frame.min.js', `${gzipped(readFileSync(`${dist}zuora-cors-frame.min.js`))} B`, "the card frame's own script (served by createCardFrameHandler, not the checkout page)");
for (const file of readdirSync(`${dist}locales`)
	.filter(name => name.endsWith('.iife.min.js'))
	.sort()) {
	row(`locales/${file}`, `${gzipped(readFileSync(`${dist}locales/${file}`))} B`);
}

const baseCode = await appCode(BASE);
const leaked = FORM_ONLY.filter(text => baseCode.includes(text));
if (leaked.length > 0) {
	over.push(`the createPaymentMethod app carries bindForm's ${leaked.join(', ')} (a module-level value computed at load?)`);
}

if (over.length > 0) {
	console.error(`\nsize checks failed: ${over.join(', ')}`);
	process.exitCode = 1;
}

async function printFeatures() {
	console.log('\nwhat each feature adds to an app with createPaymentMethod only (gzip -9 bytes)');
	const base = await app(BASE);
	row('createPaymentMethod (the base app)', `${base} B`);
	row('ky alone, whole (an app importing only ky)', `${await app({ky: ['default']})} B`, 'bundled by the app, shared with its own use of ky');
	for (const {name, imports} of FEATURES) {
		const merged = {...BASE};
		for (const [from, names] of Object.entries(imports)) {
			merged[from] = [...new Set([...(merged[from] ?? []), ...names])];
		}

		row(`+ ${name}`, `${(await app(merged)) - base} B`);
	}
}
