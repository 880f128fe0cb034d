// Builds the SPA demo the way a shop would: `npm pack` the library, install the tarball into a
// throwaway app (ky comes from the registry, as a consumer gets it), bundle main.js with rollup.
// If the published package is broken (files, exports map, external ky), this build fails.
//
//   npm run build && node demo/spa/build.mjs    → demo/spa/dist/{index.html,app.js}
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {gzipSync} from 'node:zlib';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terserPlugin from '@rollup/plugin-terser';
import {rollup} from 'rollup';

// Node loads the plugin's ESM build, whose default export is the function, but its only .d.ts is
// read as CommonJS under NodeNext, so TypeScript sees `{default: function}`. Trust the runtime.
const terser = /** @type {typeof import('@rollup/plugin-terser').default} */ (/** @type {unknown} */ (terserPlugin));

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = {
	root: path.resolve(here, '../..'),
	library: path.resolve(here, '../../dist/zuora-cors.js'),
	work: path.join(here, '.build'),
	app: path.join(here, '.build', 'app'),
	dist: path.join(here, 'dist'),
};

/**
 * Packs, installs and bundles; returns the output folder and the tarball used.
 *
 * @returns {Promise<{dir: string, tarball: string}>}
 */
export async function buildSpa() {
	if (!existsSync(paths.library)) {
		throw new Error(`${path.relative(process.cwd(), paths.library) || paths.library} is missing: run \`npm run build\` in ${paths.root} first`);
	}

	warnIfStale();

	// A fresh app every time: npm may keep an old install of a tarball whose name did not change.
	rmSync(paths.work, {recursive: true, force: true});
	mkdirSync(paths.app, {recursive: true});

	// --json on stdout for the file list; npm's notices stay on stderr.
	const packOutput = execFileSync('npm', ['pack', '--json', '--pack-destination', paths.work], {cwd: paths.root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8'});
	const [pack] = /** @type {Array<{filename: string, size: number, unpackedSize: number, files: Array<{path: string, size: number}>}>} */ (JSON.parse(packOutput));
	if (!pack) {
		throw new Error('npm pack printed no package');
	}

	const tarball = path.join(paths.work, pack.filename);
	console.log(`tarball ${pack.filename}: ${pack.files.length} files, ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked`);

	writeFileSync(path.join(paths.app, 'package.json'), `${JSON.stringify({name: 'zuora-cors-spa-demo', private: true, type: 'module'}, null, '\t')}\n`);
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], {cwd: paths.app, stdio: 'inherit'});

	// Bundled from inside the app, so `zuora-cors` and `ky` resolve from its node_modules only.
	const entry = path.join(paths.app, 'main.js');
	copyFileSync(path.join(here, 'main.js'), entry);
	const bundle = await rollup({
		input: entry,
		plugins: [nodeResolve({browser: true, rootDir: paths.app}), terser({format: {comments: false}})],
		onwarn(warning) {
			// A warning here (unresolved import, circular dependency) means the package is not usable as published.
			throw new Error(`rollup: ${warning.message}`);
		},
	});
	const outside = bundle.watchFiles.filter(file => !file.startsWith(paths.app + path.sep));
	if (outside.length > 0) {
		throw new Error(`The bundle read files outside the installed app: ${outside.join(', ')}`);
	}

	rmSync(paths.dist, {recursive: true, force: true});
	const {output: [chunk]} = await bundle.write({file: path.join(paths.dist, 'app.js'), format: 'es', sourcemap: true});
	await bundle.close();
	copyFileSync(path.join(here, 'index.html'), path.join(paths.dist, 'index.html'));

	console.log(`bundle app.js: ${kib(Buffer.byteLength(chunk.code))}, ${kib(gzipSync(chunk.code, {level: 9}).length)} gzip, ${Object.keys(chunk.modules).length} modules from main.js, ${bundledPackages(Object.keys(chunk.modules)).join(', ')}`);
	console.log(`wrote ${path.relative(process.cwd(), paths.dist) || '.'}/{index.html,app.js}`);
	return {dir: paths.dist, tarball};
}

/** A dist/ older than src/ would pack yesterday's library and prove nothing about today's. */
function warnIfStale() {
	const built = statSync(paths.library).mtimeMs;
	const source = path.join(paths.root, 'src');
	const newer = readdirSync(source).filter(name => statSync(path.join(source, name)).mtimeMs > built);
	if (newer.length > 0) {
		console.warn(`warning: src/ changed after dist/ was built (${newer.join(', ')}); run \`npm run build\` to pack the current library`);
	}
}

/**
 * `name@version` of each installed package the bundle took modules from.
 *
 * @param {string[]} ids
 */
function bundledPackages(ids) {
	const names = new Set(ids.map(id => path.relative(path.join(paths.app, 'node_modules'), id).split(path.sep)).filter(parts => parts[0] !== '..').map(parts => parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]));
	return [...names].map(name => `${name}@${JSON.parse(readFileSync(path.join(paths.app, 'node_modules', String(name), 'package.json'), 'utf8')).version}`);
}

/** @param {number} bytes */
function kib(bytes) {
	return `${(bytes / 1024).toFixed(2)} KiB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	try {
		await buildSpa();
	} catch (error) {
		console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 1;
	}
}
