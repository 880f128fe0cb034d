// Builds both consumer apps from one `npm pack` of the current build: demo/spa (rollup) and
// demo/vite-app (Vite). The merchant server serves them at /spa/ and /vite/.
//
//   npm run build && node demo/build-consumers.mjs
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {checkLibraryBuilt, packLibrary, runIfMain} from './consumer-app.mjs';
import {buildSpa} from './spa/build.mjs';
import {buildViteApp} from './vite-app/build.mjs';

/**
 * Packs once, then builds each app from that tarball (one after the other: their npm output
 * would interleave, and each build is CPU-bound anyway). The tarball is removed afterwards.
 *
 * @returns {Promise<{spa: string, vite: string}>} the output folders
 */
export async function buildConsumers() {
	checkLibraryBuilt();
	const directory = mkdtempSync(path.join(tmpdir(), 'zuora-cors-pack-'));
	try {
		const tarball = packLibrary(directory);
		const spa = await buildSpa({tarball});
		const vite = await buildViteApp({tarball});
		return {spa: spa.dir, vite: vite.dir};
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}
}

await runIfMain(import.meta.url, buildConsumers);
