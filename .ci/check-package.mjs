// Checks the package as npm would publish it, from one `npm pack` of the current build:
//   1. files: the tarball holds exactly what a consumer needs (package.json, README.md, LICENSE,
//      the ESM and IIFE builds with their maps, sri.json, one .d.ts per library module);
//   2. publint --strict: package.json's fields point at files that exist and have the right format;
//   3. attw (profile esm-only): TypeScript resolves the types the way Node and bundlers resolve the code;
//   4. types (every entry): tsc over the built declarations (dist/*.d.ts, no skipLibCheck), then over
//      src/public-types.test.ts, which imports 'zuora-cors' by name and so gets dist/index.d.ts
//      through package.json `exports` (a package may import itself by name): a wrong .d.ts fails;
//      src/global-types.test.ts does the same for the script-tag globals (`zuora-cors/global`);
//   5. served files: what a page serves (the script-tag file, the locale files, sri.json) resolves
//      as `zuora-cors/dist/<file>` through `exports`, and `npm pack` builds first (`prepack`);
//   6. curated exports: no wildcard in `exports`; every file sri.json names is exported by name; no
//      other packed file (the internal declarations, the maps) resolves by a path of its own, for
//      Node nor for TypeScript (bundler and node16 resolution).
// Exits 1 when any of them fails. Run `npm run build` first.
//
//   npm run build && node .ci/check-package.mjs
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {publint} from 'publint';
import {formatMessage} from 'publint/utils';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const run = promisify(execFile);

/** Packed files that are not declarations; every one is needed by some consumer. */
const EXPECTED_FILES = [
	'LICENSE',
	'README.md',
	'package.json',
	'dist/sri.json', // SRI hashes for <script integrity>
	'dist/zuora-cors.iife.min.js', // script tag, unpkg, jsdelivr
	'dist/zuora-cors.iife.min.js.map',
	'dist/zuora-cors.js', // exports "." default: bundlers and Node
	'dist/zuora-cors.js.map',
	'dist/server/index.js', // exports "./server": the merchant's signature endpoint (Node 18+, web runtimes)
	'dist/server/index.js.map',
	'dist/testing.js', // exports "./testing": the stub Zuora, for Node
	'dist/testing.js.map',
	'dist/testing/playwright.js', // exports "./testing/playwright": the Playwright fixture (optional peer @playwright/test)
	'dist/testing/playwright.js.map',
	'dist/frames.js', // exports "./frames": mountCardFields (shares dist/chunks/ with the main entry)
	'dist/frames.js.map',
	'dist/zuora-cors-frames.iife.min.js', // script tag: adds mountCardFields to ZuoraCors
	'dist/zuora-cors-frames.iife.min.js.map',
	'dist/zuora-cors-frame.min.js', // the card frame's own script, served by createCardFrameHandler
];

/** The chunk the ESM entries share (one ZuoraCorsError class for `zuora-cors` and `zuora-cors/frames`), hashed names. */
EXPECTED_FILES.push(...(existsSync(path.join(root, 'dist/chunks')) ? readdirSync(path.join(root, 'dist/chunks')).map(file => `dist/chunks/${file}`) : []));

/** Each locale module's ESM file (`zuora-cors/locales/<name>`) and script-tag file (`ZuoraCorsLocales.<name>`). */
EXPECTED_FILES.push(
	...readdirSync(path.join(root, 'src/locales'))
		.filter(file => /^[\w-]+\.ts$/.test(file) && !file.includes('.test'))
		.flatMap(file => [`dist/locales/${file.slice(0, -3)}.js`, `dist/locales/${file.slice(0, -3)}.iife.min.js`]),
);

/** Test code next to the modules it tests; tsconfig.json keeps it out of the build. */
const TEST_FILE = /\.(?:test|spec)(?:-[\w-]+)?\.ts$/;

/** The type tests: their assertions only run under tsc, here. */
const TYPE_TESTS = 'src/public-types.test.ts';

/** The type tests of the script-tag globals (`zuora-cors/global`): a page's TypeScript, DOM lib. */
const GLOBAL_TYPE_TESTS = 'src/global-types.test.ts';

/** The server entry's type tests: `zuora-cors/server` by name, compiled for Node without the DOM lib. */
const SERVER_TYPE_TESTS = 'src/server/public-types.test.ts';

/** The type tests of `zuora-cors/testing`, compiled with Node types and no DOM lib. */
const TESTING_TYPE_TESTS = 'src/testing/testing-types.test.ts';

/** The type tests of `zuora-cors/testing/playwright`: Node types, no DOM lib, `@playwright/test` installed. */
const PLAYWRIGHT_TYPE_TESTS = 'src/testing/playwright-types.test.ts';

/** A Node consumer of `zuora-cors/testing`: Node's types, no DOM lib (the stub never needs one). */
const NODE_CONSUMER_OPTIONS = {lib: ['ES2022'], types: ['node']};

/** The resolutions attw's `--profile esm-only` ignores: `require()` under node16, and node10. */
const ESM_ONLY_IGNORES = new Set(['node10', 'node16-cjs']);

/**
 * attw problems the esm-only profile ignores, each with why it is inherent to an ESM-only package.
 * A problem ignored by the profile but not listed here fails the check: nothing goes unexplained.
 */
const ESM_ONLY_EXPLAINED = /** @type {Record<string, string>} */ ({
	CJSResolvesToESM:
		"`require('zuora-cors')` from CommonJS (node16) reaches an ES module: inherent to shipping ESM only; CommonJS callers use `await import('zuora-cors')` (or require(esm), Node >= 20.19)",
	NoResolution:
		'node10 resolution reads no package.json `exports`, so a subpath (`zuora-cors/server`, `zuora-cors/testing`, `zuora-cors/locales/de`) cannot exist there: inherent to a subpath export; the main entry still resolves through `types`. Use moduleResolution `bundler` or `node16`',
});

/** Compiler options a consumer on Node's own resolution uses; the strictest resolution mode. */
const CONSUMER_OPTIONS = {
	noEmit: true,
	strict: true,
	noUncheckedIndexedAccess: true,
	target: 'ES2022',
	lib: ['ES2022', 'DOM', 'DOM.Iterable'],
	module: 'NodeNext',
	moduleResolution: 'NodeNext',
};

/**
 * @typedef {{path: string, size: number}} PackedFile
 * @typedef {{filename: string, size: number, unpackedSize: number, entryCount: number, files: PackedFile[]}} PackResult
 * @typedef {{title: string, lines: string[], errors: string[], ms: number}} StepResult
 */

/**
 * Runs `npm pack` once into `directory`: the tarball publint and attw read, and its file list.
 *
 * `npm pack --json` lists exactly the files `--dry-run` would; writing the tarball lets every
 * check below read the same bytes instead of packing three times.
 * @param {string} directory
 * @returns {Promise<PackResult & {tarball: string}>}
 */
async function pack(directory) {
	// --ignore-scripts: the package's `prepack` would build again; the build checked is the one in dist/.
	const {stdout} = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', directory], {cwd: root, encoding: 'utf8'});
	const [result] = /** @type {PackResult[]} */ (JSON.parse(stdout));
	if (!result) {
		throw new Error('npm pack printed no package');
	}

	return {...result, tarball: path.join(directory, result.filename)};
}

/**
 * The tarball holds exactly EXPECTED_FILES plus one declaration per library module in src/.
 * @param {PackResult} packed
 * @returns {StepResult}
 */
function checkFiles(packed) {
	const started = performance.now();
	const modules = readdirSync(path.join(root, 'src'), {recursive: true, encoding: 'utf8'}).filter(file => file.endsWith('.ts') && !file.endsWith('.d.ts') && !TEST_FILE.test(file));
	const expected = new Set([...EXPECTED_FILES, ...modules.map(file => `dist/${file.replaceAll(path.sep, '/').replace(/\.ts$/, '.d.ts')}`)]);
	const actual = new Set(packed.files.map(file => file.path));
	const missing = [...expected].filter(file => !actual.has(file)).sort();
	const unexpected = [...actual].filter(file => !expected.has(file)).sort();

	const lines = [...packed.files].sort((a, b) => a.path.localeCompare(b.path)).map(file => `${kib(file.size).padStart(10)}  ${file.path}`);
	lines.push(`${packed.entryCount} files, ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked (${packed.filename})`);
	const errors = [];
	if (missing.length > 0) {
		errors.push(`missing from the tarball: ${missing.join(', ')} (run \`npm run build\`; LICENSE and README.md sit at the root)`);
	}

	for (const file of unexpected) {
		errors.push(`not for consumers, yet in the tarball: ${file}${explainUnexpected(file)}`);
	}

	return {title: 'files', lines, errors, ms: performance.now() - started};
}

/** @param {string} file */
function explainUnexpected(file) {
	if (TEST_FILE.test(file.replace(/\.d\.ts$/, '.ts'))) {
		return ' (a test-only declaration: tsconfig.json must exclude that file from the build)';
	}

	if (file.startsWith('dist/')) {
		return ' (no such module or build output any more? `rm -rf dist && npm run build`)';
	}

	return ' (package.json `files` ships dist/ only; npm adds package.json, README and LICENSE)';
}

/**
 * publint in strict mode, on the tarball: any message fails, suggestions included.
 * @param {string} tarball
 * @returns {Promise<StepResult>}
 */
async function checkPublint(tarball) {
	const started = performance.now();
	const bytes = readFileSync(tarball);
	const {messages, pkg} = await publint({pack: {tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)}, strict: true, level: 'suggestion'});
	const errors = messages.map(message => `${message.type}: ${formatMessage(message, pkg, {color: false}) ?? message.code}`);
	return {title: 'publint --strict', lines: errors.length === 0 ? ['no errors, warnings or suggestions'] : [], errors, ms: performance.now() - started};
}

/**
 * attw with the esm-only profile, which ignores the node10 and node16-from-CommonJS resolutions.
 * Every problem attw found is printed; one the profile ignores must be in ESM_ONLY_EXPLAINED.
 * @param {string} tarball
 * @returns {Promise<StepResult>}
 */
async function checkTypesResolution(tarball) {
	const started = performance.now();
	const cli = path.join(path.dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist/index.js');
	// The files a page serves (`./dist/<file>`: scripts and JSON, no module API) are not type entries.
	const served = Object.keys(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).exports).filter(key => key.startsWith('./dist/'));
	const args = [cli, tarball, '--profile', 'esm-only', '--format', 'json', '--exclude-entrypoints', ...served];
	// attw exits 1 when a problem counts under the profile; the JSON lists every problem either way.
	const {stdout, failed} = await run(process.execPath, args, {cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024}).then(
		({stdout}) => ({stdout, failed: false}),
		(/** @type {{stdout?: string}} */ error) => ({stdout: error.stdout ?? '', failed: true}),
	);
	/** @type {{analysis?: {problems?: Array<{kind: string, entrypoint?: string, resolutionKind?: string}>}}} */
	let report;
	try {
		report = JSON.parse(stdout);
	} catch {
		return {title: 'attw --profile esm-only', lines: [], errors: [`attw printed no JSON: ${stdout.slice(0, 500)}`], ms: performance.now() - started};
	}

	const lines = [];
	const errors = [];
	for (const problem of report.analysis?.problems ?? []) {
		const where = `${problem.kind} at "${problem.entrypoint ?? '?'}" (${problem.resolutionKind ?? 'any resolution'})`;
		const explanation = ESM_ONLY_EXPLAINED[problem.kind];
		if (problem.resolutionKind && ESM_ONLY_IGNORES.has(problem.resolutionKind) && explanation) {
			lines.push(`ignored, ESM-only by design: ${where}: ${explanation}`);
		} else {
			errors.push(`${where}: see https://github.com/arethetypeswrong/arethetypeswrong.github.io/blob/main/docs/problems/${problem.kind}.md`);
		}
	}

	if (failed && errors.length === 0) {
		errors.push(`attw failed without a problem in its report; run \`npx attw ${path.relative(root, tarball)} --profile esm-only\``);
	}

	if (lines.length === 0 && errors.length === 0) {
		lines.push('no problems in any resolution mode');
	}

	return {title: 'attw --profile esm-only', lines, errors, ms: performance.now() - started};
}

/**
 * Two tsc programs, as a consumer's compiler sees the package:
 * the shipped declarations on their own, fully checked (skipLibCheck off, no ambient types);
 * then the type tests, whose `import … from 'zuora-cors'` must land on dist/index.d.ts.
 * @returns {StepResult}
 */
function checkTypes() {
	const started = performance.now();
	const declarations = readdirSync(path.join(root, 'dist'), {recursive: true, encoding: 'utf8'})
		.filter(file => file.endsWith('.d.ts'))
		.map(file => path.join(root, 'dist', file));
	const testingDirectory = path.join(root, 'dist/testing') + path.sep;
	const serverDirectory = path.join(root, 'dist/server') + path.sep;
	const library = declarations.filter(file => !file.startsWith(testingDirectory) && !file.startsWith(serverDirectory));
	const playwrightDeclaration = path.join(root, 'dist/testing/playwright.d.ts');
	// The fixture's declaration is checked on its own, below: @playwright/test's types need the DOM lib.
	const testing = declarations.filter(file => file.startsWith(testingDirectory) && file !== playwrightDeclaration);
	const serverDeclarations = declarations.filter(file => file.startsWith(serverDirectory));
	const serverTypeTests = path.join(root, SERVER_TYPE_TESTS);
	const typeTests = path.join(root, TYPE_TESTS);
	const globalTypeTests = path.join(root, GLOBAL_TYPE_TESTS);
	const testingTypeTests = path.join(root, TESTING_TYPE_TESTS);
	const playwrightTypeTests = path.join(root, PLAYWRIGHT_TYPE_TESTS);
	/** @param {string} test @param {string} entry @param {string} specifier */
	const resolvedThroughExports = (test, entry, specifier) => (/** @type {ts.Program} */ program) => {
		const files = program.getSourceFiles().map(file => path.resolve(file.fileName));
		const fromSource = files.filter(file => file.startsWith(path.join(root, 'src') + path.sep) && file !== test);
		return [
			...(files.includes(entry) ? [] : [`${path.relative(root, test)} did not load ${path.relative(root, entry)}: '${specifier}' must resolve through package.json exports`]),
			...(fromSource.length > 0 ? [`${path.relative(root, test)} reached source instead of the build: ${fromSource.map(file => path.relative(root, file)).join(', ')}`] : []),
		];
	};

	const errors = [
		// skipDefaultLibCheck: TypeScript's own lib.dom.d.ts is not ours to check, and costs seconds.
		...compile(library, {types: [], skipLibCheck: false, skipDefaultLibCheck: true}),
		// The testing declarations need Node's types and never the DOM.
		...compile(testing, {...NODE_CONSUMER_OPTIONS, skipLibCheck: false, skipDefaultLibCheck: true}),
		// vitest's own declarations take seconds to check and are not ours to fix.
		...compile([typeTests], {skipLibCheck: true}, resolvedThroughExports(typeTests, path.join(root, 'dist/index.d.ts'), 'zuora-cors')),
		...compile([globalTypeTests], {skipLibCheck: true}, resolvedThroughExports(globalTypeTests, path.join(root, 'dist/global.d.ts'), 'zuora-cors/global')),
		...compile([testingTypeTests], {...NODE_CONSUMER_OPTIONS, skipLibCheck: true}, resolvedThroughExports(testingTypeTests, path.join(root, 'dist/testing/index.d.ts'), 'zuora-cors/testing')),
		// The Playwright fixture: its test must load dist/testing/playwright.d.ts, and that file the
		// testing entry's declarations (one ZuoraStub type, not a copy).
		// @playwright/test's own declarations name DOM types (HTMLElement, Node), so a Playwright
		// project has the DOM lib: this program has it too, and checks every declaration it loads.
		...compile([playwrightDeclaration, playwrightTypeTests], {lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: ['node'], skipLibCheck: false, skipDefaultLibCheck: true}, program => [
			...resolvedThroughExports(playwrightTypeTests, path.join(root, 'dist/testing/playwright.d.ts'), 'zuora-cors/testing/playwright')(program),
			...resolvedThroughExports(playwrightTypeTests, path.join(root, 'dist/testing/index.d.ts'), 'zuora-cors/testing')(program),
		]),
		// zuora-cors/server: its declarations and type tests under Node's types, without the DOM lib.
		...compile(
			[...serverDeclarations, serverTypeTests],
			{...NODE_CONSUMER_OPTIONS, skipLibCheck: true},
			resolvedThroughExports(serverTypeTests, path.join(root, 'dist/server/index.d.ts'), 'zuora-cors/server'),
		),
	];
	const lines =
		errors.length === 0
			? [
					`${library.length} + ${testing.length} (testing, Node types, no DOM) declaration files, then ${TYPE_TESTS} against dist/index.d.ts, ${GLOBAL_TYPE_TESTS} against dist/global.d.ts and ${TESTING_TYPE_TESTS} against dist/testing/index.d.ts: no errors (${CONSUMER_OPTIONS.moduleResolution}, strict)`,
					`${PLAYWRIGHT_TYPE_TESTS} against dist/testing/playwright.d.ts (and through it dist/testing/index.d.ts): no errors (Node types and the DOM lib @playwright/test's types need, no skipLibCheck)`,
					`${serverDeclarations.length} server declaration files and ${SERVER_TYPE_TESTS} against dist/server/index.d.ts: no errors (Node types, no DOM lib)`,
				]
			: [];
	return {title: 'tsc --noEmit (built declarations)', lines, errors, ms: performance.now() - started};
}

/**
 * @param {string[]} rootNames
 * @param {Record<string, unknown>} extra
 * @param {(program: ts.Program) => string[]} [inspect]
 * @returns {string[]}
 */
function compile(rootNames, extra, inspect) {
	const {options, errors: optionErrors} = ts.convertCompilerOptionsFromJson({...CONSUMER_OPTIONS, ...extra}, root);
	const program = ts.createProgram({rootNames, options});
	const diagnostics = [...optionErrors, ...ts.getPreEmitDiagnostics(program)];
	const host = {getCanonicalFileName: (/** @type {string} */ file) => file, getCurrentDirectory: () => root, getNewLine: () => '\n'};
	return [...(diagnostics.length === 0 ? [] : [ts.formatDiagnostics(diagnostics, host).trimEnd()]), ...(inspect?.(program) ?? [])];
}

/**
 * The files a page serves resolve as `zuora-cors/dist/<file>` through `exports` (Node's own
 * resolver, the package importing itself by name), are in the tarball, and sri.json holds each
 * script-tag file's sha384 as its bytes are; `npm pack` in a fresh clone builds first.
 * @param {PackResult} packed
 * @returns {StepResult}
 */
function checkServedFiles(packed) {
	const started = performance.now();
	const packedFiles = new Set(packed.files.map(file => file.path));
	const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	/** @type {Record<string, string>} */
	const hashes = JSON.parse(readFileSync(path.join(root, 'dist/sri.json'), 'utf8'));
	const scriptTagFiles = EXPECTED_FILES.filter(file => file.endsWith('.iife.min.js')).map(file => file.slice('dist/'.length));
	/** @type {string[]} */
	const errors = [];
	for (const file of ['sri.json', ...scriptTagFiles]) {
		const specifier = `zuora-cors/dist/${file}`;
		let resolved = '';
		try {
			resolved = fileURLToPath(import.meta.resolve(specifier));
		} catch (error) {
			errors.push(`${specifier} does not resolve: ${error instanceof Error ? error.message : String(error)} (package.json exports needs "./dist/${file}" by name)`);
			continue;
		}

		if (resolved !== path.join(root, 'dist', file)) {
			errors.push(`${specifier} resolves to ${path.relative(root, resolved)}, not dist/${file}`);
		}

		if (!packedFiles.has(`dist/${file}`)) {
			errors.push(`dist/${file} is not in the tarball`);
		}
	}

	const hashed = Object.keys(hashes).sort();
	if (hashed.join() !== [...scriptTagFiles].sort().join()) {
		errors.push(`dist/sri.json lists ${hashed.join(', ')}; the script-tag files are ${scriptTagFiles.join(', ')}`);
	}

	for (const [file, integrity] of Object.entries(hashes)) {
		const actual = `sha384-${createHash('sha384')
			.update(readFileSync(path.join(root, 'dist', file)))
			.digest('base64')}`;
		if (integrity !== actual) {
			errors.push(`dist/sri.json's hash of ${file} is not the file's (${integrity} != ${actual}): a browser would refuse the script`);
		}
	}

	// Each locale's script-tag file adds `ZuoraCorsLocales.<name>`: zuora-cors/global must declare it.
	const globals = readFileSync(path.join(root, 'dist/global.d.ts'), 'utf8');
	for (const file of scriptTagFiles.filter(file => file.startsWith('locales/'))) {
		const name = file.slice('locales/'.length, -'.iife.min.js'.length);
		if (!new RegExp(`var ZuoraCorsLocales: [^;]*\\btypeof ${name}\\b`).test(globals)) {
			errors.push(`dist/global.d.ts does not declare ZuoraCorsLocales.${name} (src/global.ts lists the locales)`);
		}
	}

	const prepack = manifest.scripts?.prepack;
	if (typeof prepack !== 'string' || !/\bnpm run build\b|\brollup\b/.test(prepack)) {
		errors.push(`package.json scripts.prepack is ${JSON.stringify(prepack)}: \`npm pack\` in a fresh clone must build dist/ first`);
	}

	const lines =
		errors.length === 0 ? [`sri.json and ${scriptTagFiles.length} script-tag files resolve as zuora-cors/dist/<file>, are packed, and match their sha384 in sri.json; prepack: ${prepack}`] : [];
	return {title: 'served files (zuora-cors/dist/<file>)', lines, errors, ms: performance.now() - started};
}

/**
 * `exports` names each file a consumer may reach, no pattern: the entries (`.`, `./server`, …), the
 * files a page serves (every file sri.json hashes, and sri.json), package.json. Every other packed
 * file must not resolve as `zuora-cors/<its path>`, neither for Node nor for TypeScript (which maps
 * `dist/x.js` to `dist/x.d.ts`): internal declarations are not an API.
 * @param {PackResult} packed
 * @returns {StepResult}
 */
function checkCuratedExports(packed) {
	const started = performance.now();
	/** @type {Record<string, unknown>} */
	const exported = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).exports;
	/** @type {string[]} */
	const errors = [];
	const patterns = Object.keys(exported).filter(key => key.includes('*'));
	if (patterns.length > 0) {
		errors.push(`package.json exports has patterns (${patterns.join(', ')}): name each file instead`);
	}

	/** @type {Record<string, string>} */
	const hashes = JSON.parse(readFileSync(path.join(root, 'dist/sri.json'), 'utf8'));
	for (const file of [...Object.keys(hashes), 'sri.json']) {
		if (exported[`./dist/${file}`] !== `./dist/${file}`) {
			errors.push(`a page serves dist/${file}: package.json exports needs "./dist/${file}": "./dist/${file}"`);
		}
	}

	const targets = new Set(Object.values(exported).flatMap(target => (typeof target === 'string' ? [target] : Object.values(/** @type {object} */ (target)))));
	const internal = packed.files.map(file => file.path).filter(file => !targets.has(`./${file}`));
	const host = ts.sys;
	for (const file of internal) {
		const specifier = `zuora-cors/${file}`;
		try {
			const resolved = import.meta.resolve(specifier);
			errors.push(`${specifier} resolves (to ${path.relative(root, fileURLToPath(resolved))}) though no export names it`);
		} catch {
			// ERR_PACKAGE_PATH_NOT_EXPORTED: as it should be.
		}

		if (file.endsWith('.d.ts')) {
			for (const {moduleResolution, module} of [
				{moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext},
				{moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16},
			]) {
				for (const asked of [`zuora-cors/${file.slice(0, -'.d.ts'.length)}.js`, `zuora-cors/${file.slice(0, -'.d.ts'.length)}`]) {
					const {resolvedModule} = ts.resolveModuleName(asked, path.join(root, 'src/index.ts'), {moduleResolution, module}, host);
					if (resolvedModule) {
						errors.push(`TypeScript resolves ${asked} to ${path.relative(root, resolvedModule.resolvedFileName)} (${ts.ModuleResolutionKind[moduleResolution]}): an internal declaration is reachable`);
					}
				}
			}
		}
	}

	const lines =
		errors.length === 0
			? [
					`exports: ${Object.keys(exported).length} names, no pattern; ${internal.length} other packed files (${internal.filter(file => file.endsWith('.d.ts')).length} declarations) reachable by no path of their own, for Node nor TypeScript`,
				]
			: [];
	return {title: 'curated exports', lines, errors, ms: performance.now() - started};
}

/** @param {number} bytes */
function kib(bytes) {
	return `${(bytes / 1024).toFixed(2)} KiB`;
}

/** @param {StepResult} step */
function report({title, lines, errors, ms}) {
	console.log(`\n${errors.length === 0 ? 'ok  ' : 'FAIL'} ${title} (${(ms / 1000).toFixed(1)} s)`);
	for (const line of lines) {
		console.log(`     ${line}`);
	}

	for (const error of errors) {
		console.error(`  ✗  ${error.replaceAll('\n', '\n     ')}`);
	}
}

async function main() {
	const started = performance.now();
	if (!existsSync(path.join(root, 'dist/index.d.ts'))) {
		console.error('dist/ is missing: run `npm run build` first');
		return 1;
	}

	const directory = mkdtempSync(path.join(tmpdir(), 'zuora-cors-pack-'));
	try {
		const packed = await pack(directory);
		console.log(`packed ${packed.filename} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
		// attw runs in its own process, so it overlaps with the in-process publint and tsc.
		const attw = checkTypesResolution(packed.tarball);
		const steps = [checkFiles(packed), checkServedFiles(packed), checkCuratedExports(packed), await checkPublint(packed.tarball), checkTypes(), await attw];
		for (const step of steps) {
			report(step);
		}

		const failed = steps.filter(step => step.errors.length > 0);
		console.log(`\n${failed.length === 0 ? 'package ok' : `package check failed: ${failed.map(step => step.title).join(', ')}`} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
		return failed.length === 0 ? 0 : 1;
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}
}

process.exitCode = await main().catch((/** @type {unknown} */ error) => {
	console.error(`check:package could not run: ${error instanceof Error ? error.message : String(error)}`);
	return 1;
});
