// Prints raw and gzipped sizes of both builds; exits 1 when the script-tag bundle is over budget.
// Every byte of the IIFE is downloaded by every shopper, so its budget is checked here, not guessed.
import {readFileSync} from 'node:fs';
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

if (over) {
	console.error('The script-tag bundle is over its gzipped budget.');
	process.exit(1);
}
