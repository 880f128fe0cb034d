// The packed package, end to end, as a merchant gets it: `npm pack` the current build, install
// the tarball with npm into a fresh temporary Node project, and there
//   1. run a merchant's Playwright spec (.ci/consumer/checkout.spec.ts) written with the fixture
//      of `zuora-cors/testing/playwright`: a shop (.ci/consumer/shop.mjs) on node:http serving a
//      signature endpoint from `createSignatureHandler` and a page with the script-tag build,
//      saving test cards through the library against `startZuoraStub`, in Chromium, and a reconcile endpoint from
//      `createReconcileHandler` recovering a card whose answer was lost;
//   2. run the README's blocks, cut from README.md as they are printed (README_FILES): the
//      integration (endpoints.mjs and the Express server.mjs serving checkout.html and
//      checkout.js on the shop's origin and the card frame on a second port, its limits in Redis
//      through redis.mjs, tested by readme.spec.ts with the fixture and `fillCardFrame`) and the
//      node:test example (readme.test.mjs, `node --test`);
//   3. bundle the README's SPA variant (spa.js, `import {mountCardFields} from 'zuora-cors/frames'`)
//      with rollup and @rollup/plugin-node-resolve, and save a card through the frame with it on the
//      README's server and page (.ci/consumer/spa.spec.ts).
// The Playwright run has a real redis-server (e2e/redis.mjs) in REDIS_URL and a LIMIT_KEY_SECRET,
// so the README server's Redis path (store, limitKeySecret, createIssuedTokens(limits)) is what
// saves its cards; afterwards the harness asserts the Redis holds its limiter and token keys, each
// named by a hash (spa.spec.ts also looks for its session id and token verbatim, and finds neither).
//
// What is real: npm installs the tarball itself (its files, its package.json `exports`, its
// declared dependency and optional peer ranges), and every import in the project resolves
// through the installed copy's `exports`, as in a shop. What is borrowed: the dependencies.
// The project's package.json points ky, rate-limiter-flexible, @playwright/test and the merchant's
// tools (ioredis, rollup, @rollup/plugin-node-resolve) at the repo's installed copies (`file:` links, symlinked by npm), and npm runs `--offline` with an
// empty cache: no registry is asked, and npm must find each of the tarball's ranges satisfied by
// those copies (else it would need the registry and fails, ENOTCACHED). So the dependency
// versions are the repo's lockfile versions, not a fresh resolution of the ranges; the browser is
// Chromium from e2e/browsers.mjs.
//
//   npm run build && node .ci/consumer-project.mjs            (KEEP_CONSUMER_PROJECT=1 keeps the folder)
import {execFile, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {Redis} from 'ioredis';
import {CHROMIUM_ARGS, findBrowser} from '../e2e/browsers.mjs';
import {startRedis} from '../e2e/redis.mjs';
import {extractBlocks} from './readme.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = fileURLToPath(new URL('consumer/', import.meta.url));
const run = promisify(execFile);

/**
 * The README's blocks the project runs or serves, each announced by a comment right before it that
 * names its file (`<!-- .ci/consumer-project.mjs runs this block as server.mjs. -->`, read by
 * .ci/readme.mjs): the ten-minute integration (server, page, page script, Playwright test) and the
 * node:test example.
 */
const README_FILES = ['endpoints.mjs', 'server.mjs', 'redis.mjs', 'checkout.html', 'checkout.js', 'spa.js', 'readme.spec.ts', 'readme.test.mjs'];

/** The merchant's own files, copied from .ci/consumer/ (spa.spec.ts tests the README's bundled spa.js). */
const PROJECT_FILES = ['shop.mjs', 'checkout.spec.ts', 'spa.spec.ts'];

/** What the merchant adds beside the package: the README's server framework and Redis client (redis.mjs), a bundler for spa.js; ioredis for the harness's own look at Redis. */
const MERCHANT_TOOLS = ['express', 'redis', 'ioredis', 'rollup', '@rollup/plugin-node-resolve'];

/** The README's spa.js bundled as a merchant's bundler does (the package's `browser`/`import` exports). */
const SPA_ROLLUP_CONFIG = `import {nodeResolve} from '@rollup/plugin-node-resolve';

export default {input: 'spa.js', output: {file: 'spa.bundle.js', format: 'es'}, plugins: [nodeResolve({browser: true})]};
`;

/**
 * The README blocks named in README_FILES, as `{file, text}`; throws when one is missing.
 * @param {string} readme
 */
function readmeBlocks(readme) {
	const blocks = extractBlocks(readme).filter(block => block.file !== undefined && README_FILES.includes(block.file));
	const missing = README_FILES.filter(file => !blocks.some(block => block.file === file));
	if (missing.length > 0) {
		throw new Error(`README.md announces no block as ${missing.join(', ')} (a comment \`<!-- .ci/consumer-project.mjs runs this block as <file>. -->\` right before its fence)`);
	}

	return blocks.map(block => ({file: String(block.file), text: `${block.text}\n`}));
}

/**
 * The project's package.json: the tarball, and a `file:` link to the repo's copy of every
 * dependency and peer dependency the package declares (their names from the tarball's own
 * package.json, which is the repo's) and of MERCHANT_TOOLS.
 * @param {string} tarball
 */
function projectPackage(tarball) {
	const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	/** @type {Record<string, string>} */
	const dependencies = {[manifest.name]: `file:${tarball}`};
	for (const name of [...Object.keys({...manifest.dependencies, ...manifest.peerDependencies}), ...MERCHANT_TOOLS]) {
		const installed = path.join(root, 'node_modules', name);
		if (!existsSync(path.join(installed, 'package.json'))) {
			throw new Error(`${name} is not installed in ${path.join(root, 'node_modules')}: run \`npm ci\` first`);
		}

		dependencies[name] = `file:${realpathSync(installed)}`;
	}

	return {name: 'merchant-checkout', private: true, type: 'module', dependencies};
}

/** @param {string} chromium */
function playwrightConfig(chromium) {
	return `import {defineConfig} from '@playwright/test';

export default defineConfig({
	testDir: '.',
	testMatch: '*.spec.ts',
	outputDir: './test-results',
	workers: 1,
	retries: 0,
	timeout: 20_000,
	expect: {timeout: 5000},
	reporter: [['list']],
	projects: [{name: 'chromium', use: {browserName: 'chromium', launchOptions: {executablePath: ${JSON.stringify(chromium)}, args: ${JSON.stringify(CHROMIUM_ARGS)}}}}],
});
`;
}

/**
 * Runs a command in the project, its output shown as it comes; rejects on a non-zero exit.
 * @param {string} cwd
 * @param {string[]} args
 * @param {Record<string, string>} [env] added to this process's environment
 */
function step(cwd, args, env = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, {cwd, stdio: 'inherit', env: {...process.env, FORCE_COLOR: '0', ...env}});
		child.on('error', reject);
		child.on('exit', code => (code === 0 ? resolve(undefined) : reject(new Error(`\`node ${args.join(' ')}\` exited with ${code}`))));
	});
}

/**
 * Where `specifier` resolves from inside the project (a child process, so the project's own
 * node_modules and the package's `exports` decide).
 * @param {string} project
 * @param {string} specifier
 */
async function resolveInProject(project, specifier) {
	const {stdout} = await run(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`], {cwd: project, encoding: 'utf8'});
	return fileURLToPath(stdout.trim());
}

/**
 * The README server's keys in Redis after its specs ran: the limiter's and the issued tokens', each
 * named by a keyed hash (HMAC-SHA-256, 128 bits in base64url), never a session id, token or account as is
 * (spa.spec.ts also looks for its own session id and token verbatim). Throws otherwise.
 * @param {string} url
 */
async function checkRedisKeys(url) {
	const client = new Redis(url);
	try {
		const keys = await client.keys('*');
		const hashed = /^zuora-cors:(?:tokens|(?:credit-card|reconcile):[a-z]+):[\w-]{22}(?::claims)?$/;
		const unhashed = keys.filter(key => !hashed.test(key));
		if (unhashed.length > 0) {
			throw new Error(`Redis holds keys not named by a hash: ${unhashed.join(', ')}`);
		}

		for (const family of ['zuora-cors:tokens:', 'zuora-cors:credit-card:']) {
			if (!keys.some(key => key.startsWith(family))) {
				throw new Error(`Redis holds no ${family}* key: the README server did not use the store (keys: ${keys.join(', ') || 'none'})`);
			}
		}

		return `Redis after the specs: ${keys.length} keys, each a hash (${[...new Set(keys.map(key => key.replace(/[\w-]{22}(?::claims)?$/, '…')))].join(', ')})`;
	} finally {
		client.disconnect();
	}
}

async function main() {
	const started = performance.now();
	for (const built of ['dist/zuora-cors.iife.min.js', 'dist/zuora-cors-frames.iife.min.js', 'dist/zuora-cors-frame.min.js', 'dist/server/index.js', 'dist/testing.js', 'dist/testing/playwright.js']) {
		if (!existsSync(path.join(root, built))) {
			throw new Error(`${built} is missing: run \`npm run build\` first`);
		}
	}

	const chromium = findBrowser('chromium');
	if (!chromium) {
		throw new Error("no Chromium found: run `node e2e/browsers.mjs chromium` (installs Debian's package as root) or set CHROMIUM_PATH");
	}

	const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
	const blocks = readmeBlocks(readme);
	const project = mkdtempSync(path.join(tmpdir(), 'zuora-cors-consumer-'));
	/** @type {import('../e2e/redis.mjs').RedisServer | undefined} */
	let redis;
	try {
		// --ignore-scripts: the package's `prepack` would build again; the build under test is dist/.
		const {stdout} = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {cwd: root, encoding: 'utf8'});
		const [packed] = JSON.parse(stdout);
		const tarball = path.join(project, packed.filename);
		writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(projectPackage(tarball), null, '\t')}\n`);
		// An empty cache and --offline: npm may not ask any registry, so the links must satisfy the tarball's ranges.
		await run('npm', ['install', '--offline', '--cache', path.join(project, '.npm-cache'), '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock'], {cwd: project, encoding: 'utf8'});

		const installed = path.join(project, 'node_modules', 'zuora-cors');
		if (lstatSync(installed).isSymbolicLink()) {
			throw new Error('node_modules/zuora-cors is a link: the tarball was not unpacked');
		}

		for (const specifier of [
			'zuora-cors',
			'zuora-cors/server',
			'zuora-cors/testing',
			'zuora-cors/testing/playwright',
			'zuora-cors/frames',
			'zuora-cors/dist/zuora-cors.iife.min.js',
			'zuora-cors/dist/zuora-cors-frames.iife.min.js',
			'zuora-cors/dist/sri.json',
			'zuora-cors/dist/locales/de.iife.min.js',
		]) {
			const file = await resolveInProject(project, specifier);
			if (!file.startsWith(installed + path.sep)) {
				throw new Error(`${specifier} resolved to ${file}, outside the installed tarball`);
			}
		}

		for (const file of PROJECT_FILES) {
			copyFileSync(path.join(here, file), path.join(project, file));
		}

		for (const block of blocks) {
			writeFileSync(path.join(project, block.file), block.text);
		}

		writeFileSync(path.join(project, 'playwright.config.mjs'), playwrightConfig(chromium));
		writeFileSync(path.join(project, 'rollup.config.mjs'), SPA_ROLLUP_CONFIG);
		console.log(
			`consumer project ${project}: ${packed.filename} (${packed.entryCount} files) installed by npm --offline, dependencies linked from the repo; ${PROJECT_FILES.join(', ')} + README's ${blocks.map(block => block.file).join(', ')}`,
		);
		await step(project, [path.join(project, 'node_modules/rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs']);
		// The README server's Redis path (store, limitKeySecret, createIssuedTokens(limits)) saves the cards.
		redis = await startRedis();
		const redisEnv = {REDIS_URL: redis.url, LIMIT_KEY_SECRET: randomBytes(32).toString('base64')};
		await step(project, [path.join(project, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'playwright.config.mjs'], redisEnv);
		console.log(await checkRedisKeys(redis.url));
		await step(project, ['--test', '--test-reporter=spec', 'readme.test.mjs']);
		console.log(`consumer project ok (${((performance.now() - started) / 1000).toFixed(1)} s)`);
	} finally {
		await redis?.stop();
		if (process.env['KEEP_CONSUMER_PROJECT'] === '1') {
			console.log(`kept ${project}`);
		} else {
			rmSync(project, {recursive: true, force: true});
		}
	}
}

await main().catch((/** @type {unknown} */ error) => {
	console.error(`consumer project failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
});
