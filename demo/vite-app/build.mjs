// Builds the Vite demo the way a shop would: `npm pack` the library, install the tarball into a
// throwaway app, and run Vite's production build on index.html (../consumer-page.html filled in)
// + main.js (and the ../consumer-page.js it imports), with Vite's defaults
// (its resolver, its rollup, its minifier) and the app served under /vite/. If the published
// package does not work with Vite (exports map, ESM build, ky as a dependency), this build fails.
//
//   npm run build && node demo/vite-app/build.mjs    → demo/vite-app/dist/{index.html,assets/}
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build, createLogger} from 'vite';
import {assertInsideApp, describeBundle, prepareApp, runIfMain, writePage} from '../consumer-app.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the merchant server (demo/merchant-server.mjs) serves this app. */
const BASE = '/vite/';

/** The page's own tags: the merchant server's icon and stylesheet, and Vite's entry. */
const ASSETS = [
	"<!-- vite-ignore: the merchant server serves these at its root, outside this app's /vite/ base. -->",
	'<link rel="icon" href="/favicon.svg" vite-ignore>',
	'<link rel="stylesheet" href="/style.css" vite-ignore>',
	'<!-- The configuration (where the card goes), written by the merchant server: never markup. -->',
	'<script src="/config.js" vite-ignore></script>',
	"<!-- Vite's entry: build.mjs bundles main.js + consumer-page.js + zuora-cors + ky from the npm",
	"     tarball and puts the hashed bundle's <script> here. -->",
	'<script type="module" src="./main.js"></script>',
];

/**
 * Packs (unless given a tarball), installs and builds; returns the output folder and the tarball used.
 *
 * @param {{tarball?: string}} [options] `tarball`: an `npm pack` of the current build, to share one pack between apps
 * @returns {Promise<{dir: string, tarball: string}>}
 */
export async function buildViteApp({tarball: given} = {}) {
	const {app, entry, dist, tarball} = prepareApp({folder: here, name: 'zuora-cors-vite-demo', tarball: given});
	// Vite's root is main.js's folder inside the app; consumer-page.js, one level up, is still in the app.
	const root = path.dirname(entry);
	writePage(path.join(root, 'index.html'), {app: 'Vite', assets: ASSETS});

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
		root,
		base: BASE,
		publicDir: false,
		customLogger: logger,
		logLevel: 'warn',
		build: {outDir: dist, emptyOutDir: true, sourcemap: true},
		plugins: [
			{
				name: 'record-module-files',
				buildEnd() {
					for (const id of this.getModuleIds()) {
						moduleFiles.add(id);
					}
				},
			},
		],
	});
	if (warnings.length > 0) {
		throw new Error(`vite: ${warnings.join('\n')}`);
	}

	assertInsideApp(app, moduleFiles);
	const [chunk] = (Array.isArray(output) ? output : [output]).flatMap(result => ('output' in result ? result.output : [])).filter(file => file.type === 'chunk' && file.isEntry);
	if (chunk?.type !== 'chunk') {
		throw new Error('vite wrote no entry chunk');
	}

	console.log(describeBundle(app, chunk.fileName, chunk.code, Object.keys(chunk.modules)));
	console.log(`wrote ${path.relative(process.cwd(), dist) || '.'}/{index.html,${chunk.fileName}}, served at ${BASE}`);
	return {dir: dist, tarball};
}

await runIfMain(import.meta.url, buildViteApp);
