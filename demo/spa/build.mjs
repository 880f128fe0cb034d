// Builds the SPA demo the way a shop would: `npm pack` the library, install the tarball into a
// throwaway app (ky comes from the registry, as a consumer gets it), bundle main.js (and the
// ../consumer-page.js it imports) with rollup and fill ../consumer-page.html in as index.html.
// If the published package is broken (files, exports map, external ky), this build fails.
//
//   npm run build && node demo/spa/build.mjs    → demo/spa/dist/{index.html,app.js}
import {rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terserPlugin from '@rollup/plugin-terser';
import {rollup} from 'rollup';
import {assertInsideApp, describeBundle, prepareApp, runIfMain, writePage} from '../consumer-app.mjs';

// Node loads the plugin's ESM build, whose default export is the function, but its only .d.ts is
// read as CommonJS under NodeNext, so TypeScript sees `{default: function}`. Trust the runtime.
const terser = /** @type {typeof import('@rollup/plugin-terser').default} */ (/** @type {unknown} */ (terserPlugin));

const here = path.dirname(fileURLToPath(import.meta.url));

/** The page's own tags: the merchant server's icon and stylesheet, and the bundle. */
const ASSETS = [
	'<link rel="icon" href="/favicon.svg">',
	'<link rel="stylesheet" href="/style.css">',
	'<!-- The configuration (where the card goes), written by the merchant server: never markup. -->',
	'<script src="/config.js"></script>',
	'<!-- The bundle of main.js + consumer-page.js + zuora-cors + ky, built from the npm tarball by build.mjs. -->',
	'<script type="module" src="./app.js"></script>',
];

/**
 * Packs (unless given a tarball), installs and bundles; returns the output folder and the tarball used.
 *
 * @param {{tarball?: string}} [options] `tarball`: an `npm pack` of the current build, to share one pack between apps
 * @returns {Promise<{dir: string, tarball: string}>}
 */
export async function buildSpa({tarball: given} = {}) {
	const {app, entry, dist, tarball} = prepareApp({folder: here, name: 'zuora-cors-spa-demo', tarball: given});

	// Bundled from inside the app, so `zuora-cors` and `ky` resolve from its node_modules only.
	const bundle = await rollup({
		input: entry,
		plugins: [nodeResolve({browser: true, rootDir: app}), terser({format: {comments: false}})],
		onwarn(warning) {
			// A warning here (unresolved import, circular dependency) means the package is not usable as published.
			throw new Error(`rollup: ${warning.message}`);
		},
	});
	assertInsideApp(app, bundle.watchFiles);

	rmSync(dist, {recursive: true, force: true});
	const {
		output: [chunk],
	} = await bundle.write({file: path.join(dist, 'app.js'), format: 'es', sourcemap: true});
	await bundle.close();
	writePage(path.join(dist, 'index.html'), {app: 'SPA', assets: ASSETS});

	console.log(describeBundle(app, chunk.fileName, chunk.code, Object.keys(chunk.modules)));
	console.log(`wrote ${path.relative(process.cwd(), dist) || '.'}/{index.html,app.js}`);
	return {dir: dist, tarball};
}

await runIfMain(import.meta.url, buildSpa);
