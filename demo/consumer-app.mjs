// What the consumer apps (demo/spa with rollup, demo/vite-app with Vite) share: each is built the
// way a shop builds its app, from the `npm pack` tarball installed into a throwaway folder (ky
// comes from the registry, as a consumer gets it). If the published package is broken (files,
// exports map, external ky), their builds fail. Both apps show one page (consumer-page.html) and
// share its code (consumer-page.js); each has its own main.js.
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {gzipSync} from 'node:zlib';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIBRARY = path.join(ROOT, 'dist/zuora-cors.js');
const PAGE_SCRIPT = fileURLToPath(new URL('consumer-page.js', import.meta.url));
const PAGE_TEMPLATE = fileURLToPath(new URL('consumer-page.html', import.meta.url));

/** Tests next to the modules they test: they are not built, so a change to them leaves dist/ current. */
const TEST_FILE = /\.(?:test|spec)(?:-[\w-]+)?\.ts$/;

/** Throws when dist/ is missing; warns when src/ changed after it was built. */
export function checkLibraryBuilt() {
	if (!existsSync(LIBRARY)) {
		throw new Error(`${path.relative(process.cwd(), LIBRARY) || LIBRARY} is missing: run \`npm run build\` in ${ROOT} first`);
	}

	// A dist/ older than src/ would pack yesterday's library and prove nothing about today's.
	const built = statSync(LIBRARY).mtimeMs;
	const source = path.join(ROOT, 'src');
	const newer = readdirSync(source).filter(name => !TEST_FILE.test(name) && statSync(path.join(source, name)).mtimeMs > built);
	if (newer.length > 0) {
		console.warn(`warning: src/ changed after dist/ was built (${newer.join(', ')}); run \`npm run build\` to pack the current library`);
	}
}

/**
 * `npm pack`s the library into `directory`; returns the tarball's path.
 *
 * @param {string} directory
 */
export function packLibrary(directory) {
	mkdirSync(directory, {recursive: true});
	// --json on stdout for the file list; npm's notices stay on stderr.
	const output = execFileSync('npm', ['pack', '--json', '--pack-destination', directory], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});
	const [pack] = /** @type {Array<{filename: string, size: number, unpackedSize: number, files: Array<{path: string, size: number}>}>} */ (JSON.parse(output));
	if (!pack) {
		throw new Error('npm pack printed no package');
	}

	console.log(`tarball ${pack.filename}: ${pack.files.length} files, ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked`);
	return path.join(directory, pack.filename);
}

/**
 * A fresh throwaway app in `<folder>/.build/app` with the tarball installed (packed from the
 * current build unless given), and the page scripts copied in: `<folder>/main.js` to
 * `app/<folder's name>/main.js` and consumer-page.js to `app/consumer-page.js`, the same places
 * relative to each other as in demo/, so main.js's `../consumer-page.js` and both files'
 * `zuora-cors` resolve inside the app and the bundlers read nothing from the repo.
 *
 * @param {{folder: string, name: string, tarball?: string | undefined}} options `folder`: the app's
 *   source folder (demo/spa, demo/vite-app); `name`: the app's package name
 * @returns {{app: string, entry: string, dist: string, tarball: string}} the installed app, its
 *   copy of main.js, the output folder (`<folder>/dist`) and the tarball used
 */
export function prepareApp({folder, name, tarball}) {
	const work = path.join(folder, '.build');
	const app = path.join(work, 'app');
	// A fresh app every time: npm may keep an old install of a tarball whose name did not change.
	rmSync(work, {recursive: true, force: true});
	mkdirSync(work, {recursive: true});
	if (tarball === undefined) {
		checkLibraryBuilt();
		tarball = packLibrary(work);
	}

	installApp(app, name, tarball);
	const entry = path.join(app, path.basename(folder), 'main.js');
	mkdirSync(path.dirname(entry), {recursive: true});
	copyFileSync(path.join(folder, 'main.js'), entry);
	copyFileSync(PAGE_SCRIPT, path.join(app, path.basename(PAGE_SCRIPT)));
	return {app, entry, dist: path.join(folder, 'dist'), tarball};
}

/**
 * Writes consumer-page.html to `file` with its `{{app}}` (the app's name in the title) and
 * `{{assets}}` (the icon, stylesheet and script tags, which each bundler wants its own way)
 * filled in. Its `%PLACEHOLDERS%` stay for the merchant server to fill when it serves the page.
 *
 * @param {string} file
 * @param {{app: string, assets: string[]}} fill `assets`: one line each, without indentation
 */
export function writePage(file, {app, assets}) {
	const page = readFileSync(PAGE_TEMPLATE, 'utf8')
		.replace('{{app}}', () => app)
		.replace('{{assets}}', () => assets.join('\n\t'));
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, page);
}

/**
 * Creates a private app in `appDirectory` (which must not hold an earlier install: npm may keep
 * an old install of a tarball whose name did not change) and installs the tarball into it.
 *
 * @param {string} appDirectory
 * @param {string} name the app's package name
 * @param {string} tarball
 */
function installApp(appDirectory, name, tarball) {
	mkdirSync(appDirectory, {recursive: true});
	writeFileSync(path.join(appDirectory, 'package.json'), `${JSON.stringify({name, private: true, type: 'module'}, null, '\t')}\n`);
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {cwd: appDirectory, stdio: 'inherit'});
}

/**
 * Throws when the bundler read a module from outside the installed app (say the repo's own
 * node_modules or src/): then the bundle would not prove anything about the published package.
 *
 * @param {string} appDirectory
 * @param {Iterable<string>} files absolute paths; virtual ids (`\0…`) are ignored
 */
export function assertInsideApp(appDirectory, files) {
	const outside = [...files].filter(file => !file.startsWith('\0') && !file.startsWith(appDirectory + path.sep));
	if (outside.length > 0) {
		throw new Error(`The bundle read files outside the installed app: ${outside.join(', ')}`);
	}
}

/**
 * One line about a bundle: size, gzipped size, modules and the installed packages they came from.
 *
 * @param {string} appDirectory
 * @param {string} fileName
 * @param {string} code
 * @param {string[]} moduleIds
 */
export function describeBundle(appDirectory, fileName, code, moduleIds) {
	return `bundle ${fileName}: ${kib(Buffer.byteLength(code))}, ${kib(gzipSync(code, {level: 9}).length)} gzip, ${moduleIds.length} modules from main.js, ${bundledPackages(appDirectory, moduleIds).join(', ')}`;
}

/**
 * `name@version` of each installed package the bundle took modules from.
 *
 * @param {string} appDirectory
 * @param {string[]} ids
 */
function bundledPackages(appDirectory, ids) {
	const modules = path.join(appDirectory, 'node_modules');
	const names = new Set(
		ids
			.map(id => path.relative(modules, id).split(path.sep))
			.filter(parts => parts[0] !== '..' && !parts[0]?.startsWith('\0'))
			.map(parts => (parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0])),
	);
	return [...names].map(name => `${name}@${JSON.parse(readFileSync(path.join(modules, String(name), 'package.json'), 'utf8')).version}`);
}

/** @param {number} bytes */
export function kib(bytes) {
	return `${(bytes / 1024).toFixed(2)} KiB`;
}

/**
 * Runs `build` when the module at `url` is the script node was started with; a failure prints one
 * line and sets the exit code.
 *
 * @param {string} url the caller's `import.meta.url`
 * @param {() => Promise<unknown>} build
 */
export async function runIfMain(url, build) {
	if (process.argv[1] && url === pathToFileURL(path.resolve(process.argv[1])).href) {
		try {
			await build();
		} catch (error) {
			console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
			process.exitCode = 1;
		}
	}
}
