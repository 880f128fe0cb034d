// Builds the SPA demo the way a shop would: `npm pack` the library, install the tarball into a
// throwaway app (ky comes from the registry, as a consumer gets it), bundle main.js with rollup.
// If the published package is broken (files, exports map, external ky), this build fails.
//
//   npm run build && node demo/spa/build.mjs    → demo/spa/dist/{index.html,app.js}
import {copyFileSync, mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terserPlugin from '@rollup/plugin-terser';
import {rollup} from 'rollup';
import {assertInsideApp, checkLibraryBuilt, describeBundle, installApp, packLibrary, runIfMain} from '../consumer-app.mjs';

// Node loads the plugin's ESM build, whose default export is the function, but its only .d.ts is
// read as CommonJS under NodeNext, so TypeScript sees `{default: function}`. Trust the runtime.
const terser = /** @type {typeof import('@rollup/plugin-terser').default} */ (/** @type {unknown} */ (terserPlugin));

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = {
	work: path.join(here, '.build'),
	app: path.join(here, '.build', 'app'),
	dist: path.join(here, 'dist'),
};

/**
 * Packs (unless given a tarball), installs and bundles; returns the output folder and the tarball used.
 *
 * @param {{tarball?: string}} [options] `tarball`: an `npm pack` of the current build, to share one pack between apps
 * @returns {Promise<{dir: string, tarball: string}>}
 */
export async function buildSpa({tarball} = {}) {
	// A fresh app every time: npm may keep an old install of a tarball whose name did not change.
	rmSync(paths.work, {recursive: true, force: true});
	mkdirSync(paths.work, {recursive: true});
	if (tarball === undefined) {
		checkLibraryBuilt();
		tarball = packLibrary(paths.work);
	}

	installApp(paths.app, 'zuora-cors-spa-demo', tarball);

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
	assertInsideApp(paths.app, bundle.watchFiles);

	rmSync(paths.dist, {recursive: true, force: true});
	const {output: [chunk]} = await bundle.write({file: path.join(paths.dist, 'app.js'), format: 'es', sourcemap: true});
	await bundle.close();
	copyFileSync(path.join(here, 'index.html'), path.join(paths.dist, 'index.html'));

	console.log(describeBundle(paths.app, chunk.fileName, chunk.code, Object.keys(chunk.modules)));
	console.log(`wrote ${path.relative(process.cwd(), paths.dist) || '.'}/{index.html,app.js}`);
	return {dir: paths.dist, tarball};
}

await runIfMain(import.meta.url, buildSpa);
