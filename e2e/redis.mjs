// Finds Debian's redis-server for the tests that need a real Redis, and installs it when it can
// (as e2e/browsers.mjs does for the browsers); starts throwaway servers on free loopback ports.
import {execFileSync, spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createServer} from 'node:net';
import {pathToFileURL} from 'node:url';

const ENV = 'REDIS_SERVER_PATH';
const DEBIAN_PATHS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
const DEBIAN_PACKAGE = 'redis-server';

/**
 * The redis-server executable: $REDIS_SERVER_PATH, else Debian's. Looks only.
 * @returns {string | undefined}
 */
export function findRedis() {
	const fromEnv = process.env[ENV];
	if (fromEnv) {
		if (!existsSync(fromEnv)) {
			throw new Error(`${ENV}=${fromEnv} does not exist. Point it at a redis-server executable or unset it.`);
		}

		return fromEnv;
	}

	return DEBIAN_PATHS.find(path => existsSync(path));
}

/**
 * Like `findRedis`, but installs Debian's redis-server with apt-get when running as root.
 * @returns {string}
 */
export function ensureRedis() {
	const found = findRedis();
	if (found) {
		return found;
	}

	if (process.getuid?.() !== 0) {
		throw new Error(`No redis-server found. Install it (\`sudo apt-get install -y ${DEBIAN_PACKAGE}\`) or set ${ENV} to its executable.`);
	}

	console.log(`No redis-server found: installing Debian's ${DEBIAN_PACKAGE} (apt-get)...`);
	const apt = (/** @type {string[]} */ ...args) => execFileSync('apt-get', args, {stdio: ['ignore', 'inherit', 'inherit'], env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
	try {
		apt('update', '-qq');
		apt('install', '-y', '-qq', '--no-install-recommends', DEBIAN_PACKAGE);
	} catch (error) {
		throw new Error(`apt-get could not install ${DEBIAN_PACKAGE}: ${String(error)}. Install redis-server by hand or set ${ENV}.`);
	}

	const installed = findRedis();
	if (!installed) {
		throw new Error(`apt-get installed ${DEBIAN_PACKAGE}, but no redis-server is at ${DEBIAN_PATHS.join(' or ')}. Set ${ENV}.`);
	}

	return installed;
}

/** A free loopback port (the kernel's pick, released for redis-server to take). */
async function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				resolve(typeof address === 'object' && address ? address.port : 0);
			});
		});
	});
}

/**
 * @typedef {object} RedisServer
 * @property {number} port
 * @property {string} url redis://127.0.0.1:<port>
 * @property {() => Promise<void>} stop Ends the server (and its data: nothing is saved).
 */

/**
 * Starts a throwaway redis-server on a free loopback port (or `port`), without persistence.
 * @param {{port?: number}} [options]
 * @returns {Promise<RedisServer>}
 */
export async function startRedis(options = {}) {
	const executable = findRedis();
	if (!executable) {
		throw new Error(`No redis-server found: run \`node e2e/redis.mjs\` (installs Debian's ${DEBIAN_PACKAGE} as root) or set ${ENV}.`);
	}

	const port = options.port ?? /** @type {number} */ (await freePort());
	const child = spawn(executable, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	await new Promise((resolve, reject) => {
		const onData = (/** @type {Buffer} */ chunk) => {
			output += String(chunk);
			if (output.includes('Ready to accept connections')) {
				resolve(undefined);
			}
		};

		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.once('exit', code => {
			reject(new Error(`redis-server exited with ${String(code)} before it was ready:\n${output.slice(-2000)}`));
		});
	});
	child.stdout.resume();
	child.stderr.resume();
	return {
		port,
		url: `redis://127.0.0.1:${port}`,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) {
				return;
			}
			await new Promise(resolve => {
				child.once('exit', resolve);
				child.kill('SIGTERM');
			});
		},
	};
}

// `node e2e/redis.mjs`: make sure redis-server is there (the test command runs this first).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	try {
		console.log(`redis-server: ${ensureRedis()}`);
	} catch (error) {
		console.error(String(error instanceof Error ? error.message : error));
		process.exit(1);
	}
}
