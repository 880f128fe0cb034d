// `npm start` on any clone: installs the dependencies when they are missing (`npm ci`), builds
// what the demo serves (the `ZUORA_CORS_BUILD=demo` subset of rollup.config.mjs: no declarations,
// no locales, no Playwright fixture) unless dist/ is newer than every source, then runs demo/start.mjs.
// Node's built-ins only: this file runs before anything is installed.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What the demo loads from dist/: the server and stub it runs, the page bundle and hashes it serves. */
const SERVED = ['dist/zuora-cors.js', 'dist/zuora-cors.iife.min.js', 'dist/sri.json', 'dist/server/index.js', 'dist/testing.js'];

/**
 * Runs a command in the repository, its output shown; exits on a failure.
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} [env] added to this process's environment
 */
function run(command, args, env = {}) {
	const {status, error} = spawnSync(command, args, {cwd: root, stdio: 'inherit', env: {...process.env, ...env}});
	if (status !== 0) {
		console.error(`npm start: \`${[command, ...args].join(' ')}\` failed${error ? `: ${error.message}` : ` (exit ${status})`}`);
		process.exit(1);
	}
}

/**
 * The newest modification time under `folder` (recursive), tests excluded: they are not built.
 * @param {string} folder
 * @returns {number}
 */
function newest(folder) {
	let time = 0;
	for (const entry of readdirSync(folder, {withFileTypes: true})) {
		const file = path.join(folder, entry.name);
		if (entry.isDirectory()) {
			time = Math.max(time, newest(file));
		} else if (!/\.test(?:-util)?\.ts$/.test(entry.name)) {
			time = Math.max(time, statSync(file).mtimeMs);
		}
	}

	return time;
}

/** Whether every served file exists and is newer than the sources and the build's configuration. */
function built() {
	const files = SERVED.map(file => path.join(root, file));
	if (!files.every(file => existsSync(file))) {
		return false;
	}

	const sources = Math.max(newest(path.join(root, 'src')), ...['rollup.config.mjs', 'package-lock.json'].map(file => statSync(path.join(root, file)).mtimeMs));
	return files.every(file => statSync(file).mtimeMs > sources);
}

const started = performance.now();
if (!existsSync(path.join(root, 'node_modules', 'rollup', 'package.json'))) {
	console.log('npm start: dependencies missing, running `npm ci` first');
	run(npm, ['ci', '--no-audit', '--no-fund']);
}

if (built()) {
	console.log('npm start: dist/ is newer than src/, not rebuilt');
} else {
	run(process.execPath, [path.join(root, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), '-c', '--silent'], {ZUORA_CORS_BUILD: 'demo'});
}

console.log(`npm start: ready to serve (${((performance.now() - started) / 1000).toFixed(1)} s)`);
await import('./start.mjs');
