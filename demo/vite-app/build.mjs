// Builds the Vite demo the way a shop would: `npm pack` the library, install the tarball into a
// throwaway app, and run Vite's production build on index.html + main.js, with Vite's defaults
// (its resolver, its rollup, its minifier) and the app served under /vite/. If the published
// package does not work with Vite (exports map, ESM build, ky as a dependency), this build fails.
//
//   npm run build && node demo/vite-app/build.mjs    → demo/vite-app/dist/{index.html,assets/}
import {copyFileSync, mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build, createLogger} from 'vite';
import {assertInsideApp, checkLibraryBuilt, describeBundle, installApp, packLibrary, runIfMain} from '../consumer-app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = {
	work: path.join(here, '.build'),
	app: path.join(here, '.build', 'app'),
	dist: path.join(here, 'dist'),
};

/** Where the merchant server (demo/merchant-server.mjs) serves this app. */
const BASE = '/vite/';

/**
 * Packs (unless given a tarball), installs and builds; returns the output folder and the tarball used.
 *
 * @param {{tarball?: string}} [options] `tarball`: an `npm pack` of the current build, to share one pack between apps
 * @returns {Promise<{dir: string, tarball: string}>}
 */
export async function buildViteApp({tarball} = {}) {
	// A fresh app every time: npm may keep an old install of a tarball whose name did not change.
	rmSync(paths.work, {recursive: true, force: true});
	mkdirSync(paths.work, {recursive: true});
	if (tarball === undefined) {
		checkLibraryBuilt();
		tarball = packLibrary(paths.work);
	}

	installApp(paths.app, 'zuora-cors-vite-demo', tarball);
	for (const file of ['index.html', 'main.js']) {
		copyFileSync(path.join(here, file), path.join(paths.app, file));
	}

	// Any warning (an unresolved import, an asset missing at build time) means the package or the
	// page is not usable as shipped: collected and thrown after the build, with Vite's own words.
	/** @type {string[]} */
	const warnings = [];
	const logger = createLogger('warn', {allowClearScreen: false});
	logger.warn = message => {
		warnings.push(message.trim());
	};

	logger.warnOnce = logger.warn;
	/** @type {Set<string>} */
	const moduleFiles = new Set();
	const output = await build({
		// Only what is written here: no vite.config or .env file from the repo or the app.
		configFile: false,
		envDir: false,
		root: paths.app,
		base: BASE,
		publicDir: false,
		customLogger: logger,
		logLevel: 'warn',
		build: {outDir: paths.dist, emptyOutDir: true, sourcemap: true},
		plugins: [{
			name: 'record-module-files',
			buildEnd() {
				for (const id of this.getModuleIds()) {
					moduleFiles.add(id);
				}
			},
		}],
	});
	if (warnings.length > 0) {
		throw new Error(`vite: ${warnings.join('\n')}`);
	}

	assertInsideApp(paths.app, moduleFiles);
	const [chunk] = (Array.isArray(output) ? output : [output]).flatMap(result => 'output' in result ? result.output : []).filter(file => file.type === 'chunk' && file.isEntry);
	if (!chunk || chunk.type !== 'chunk') {
		throw new Error('vite wrote no entry chunk');
	}

	console.log(describeBundle(paths.app, chunk.fileName, chunk.code, Object.keys(chunk.modules)));
	console.log(`wrote ${path.relative(process.cwd(), paths.dist) || '.'}/{index.html,${chunk.fileName}}, served at ${BASE}`);
	return {dir: paths.dist, tarball};
}

await runIfMain(import.meta.url, buildViteApp);
