// `npm run lint` ends here: fails when modules import each other in a circle (type-only imports
// included: a circle of types is still two modules that cannot be read apart). Reads every
// git-tracked module under src/, demo/, e2e/ and .ci/ (tests included), resolves their relative
// imports (`./x.js` is `./x.ts` or `./x.js`) and prints each circle once, shortest path first.
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const MODULE = /\.(?:ts|mts|mjs|js)$/;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src', 'demo', 'e2e', '.ci'], {cwd: root, encoding: 'utf8'})
	.split('\n')
	.filter(file => MODULE.test(file) && !file.endsWith('.d.ts') && existsSync(path.join(root, file)));

/** @type {Map<string, string[]>} module → the modules it imports */
const graph = new Map();
for (const file of files) {
	const {importedFiles} = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
	graph.set(
		file,
		importedFiles.map(({fileName}) => resolve(file, fileName)).filter(/** @returns {target is string} */ target => target !== undefined),
	);
}

/**
 * The repository module `specifier` names from `from`, if it is one.
 * @param {string} from @param {string} specifier
 */
function resolve(from, specifier) {
	if (!specifier.startsWith('.')) {
		return undefined;
	}

	const base = path.posix.join(path.posix.dirname(from), specifier);
	const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}/index.ts`];
	return candidates.find(candidate => graph.has(candidate) || files.includes(candidate));
}

/** Strongly connected components (Tarjan): each with more than one module, or importing itself, is a circle. */
function components() {
	let index = 0;
	/** @type {Map<string, {index: number; low: number}>} */
	const seen = new Map();
	/** @type {string[]} */
	const stack = [];
	const onStack = new Set();
	/** @type {string[][]} */
	const found = [];
	/** @param {string} node */
	const visit = node => {
		const mark = {index, low: index};
		seen.set(node, mark);
		index++;
		stack.push(node);
		onStack.add(node);
		for (const next of graph.get(node) ?? []) {
			const known = seen.get(next);
			if (!known) {
				visit(next);
				mark.low = Math.min(mark.low, /** @type {{low: number}} */ (seen.get(next)).low);
			} else if (onStack.has(next)) {
				mark.low = Math.min(mark.low, known.index);
			}
		}

		if (mark.low === mark.index) {
			/** @type {string[]} */
			const component = [];
			let member;
			do {
				member = /** @type {string} */ (stack.pop());
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
				found.push(component.sort());
			}
		}
	};

	for (const node of graph.keys()) {
		if (!seen.has(node)) {
			visit(node);
		}
	}

	return found;
}

/**
 * A shortest circle through `start` within `members` (breadth first), as a path back to it.
 * @param {string} start @param {Set<string>} members
 */
function circleThrough(start, members) {
	/** @type {Map<string, string>} */
	const parent = new Map();
	const queue = [start];
	while (queue.length > 0) {
		const node = /** @type {string} */ (queue.shift());
		for (const next of graph.get(node) ?? []) {
			if (next === start) {
				const trail = [node];
				while (trail[0] !== start) {
					trail.unshift(/** @type {string} */ (parent.get(/** @type {string} */ (trail[0]))));
				}

				return [...trail, start];
			}

			if (members.has(next) && !parent.has(next)) {
				parent.set(next, node);
				queue.push(next);
			}
		}
	}

	return [start];
}

const circles = components();
if (circles.length > 0) {
	console.error(`import circles (${circles.length}): move what both sides need into a module of its own`);
	for (const component of circles) {
		console.error(`  ${circleThrough(/** @type {string} */ (component[0]), new Set(component)).join(' → ')}${component.length > 2 ? ` (${component.length} modules: ${component.join(', ')})` : ''}`);
	}

	process.exit(1);
}

console.log(`no import circles among ${graph.size} modules`);
