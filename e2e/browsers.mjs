// Finds the browsers the Playwright suite drives, and installs them when it can.
// `npx playwright install` cannot download here, so Debian's packages stand in for Playwright's builds.
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

/** Flags every Chromium launch needs here: root (no sandbox), no GPU, and no calls home on a closed network. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @typedef {{name: string, env: string, debianPath: string, debianPackage: string, playwrightName?: 'chromium'}} BrowserSpec
 * @type {Record<'chromium' | 'firefox', BrowserSpec>}
 */
const BROWSERS = {
	chromium: {name: 'Chromium', env: 'CHROMIUM_PATH', debianPath: '/usr/bin/chromium', debianPackage: 'chromium', playwrightName: 'chromium'},
	// Debian's Firefox ESR speaks WebDriver BiDi, which Playwright 1.64.1 drives as channel 'moz-firefox'.
	firefox: {name: 'Firefox ESR', env: 'FIREFOX_PATH', debianPath: '/usr/bin/firefox-esr', debianPackage: 'firefox-esr'},
};

/** @param {'chromium'} name */
function playwrightBuild(name) {
	try {
		const playwright = createRequire(import.meta.url)('playwright-core');
		const path = playwright[name].executablePath();
		return existsSync(path) ? path : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The executable for a browser, in order: its environment variable, Playwright's own build,
 * Debian's package. Looks only; `ensureBrowser` also installs.
 * @param {'chromium' | 'firefox'} name
 * @returns {string | undefined}
 */
export function findBrowser(name) {
	const spec = BROWSERS[name];
	const fromEnv = process.env[spec.env];
	if (fromEnv) {
		if (!existsSync(fromEnv)) {
			throw new Error(`${spec.env}=${fromEnv} does not exist. Point it at a ${spec.name} executable or unset it.`);
		}

		return fromEnv;
	}

	return (spec.playwrightName && playwrightBuild(spec.playwrightName)) || (existsSync(spec.debianPath) ? spec.debianPath : undefined);
}

/**
 * Like `findBrowser`, but installs Debian's package with apt-get when running as root.
 * @param {'chromium' | 'firefox'} name
 * @returns {string}
 */
export function ensureBrowser(name) {
	const spec = BROWSERS[name];
	const found = findBrowser(name);
	if (found) {
		return found;
	}

	if (process.getuid?.() !== 0) {
		throw new Error(`No ${spec.name} found. Install it (\`sudo apt-get install -y ${spec.debianPackage}\`) or set ${spec.env} to its executable.`);
	}

	console.log(`No ${spec.name} found: installing Debian's ${spec.debianPackage} (apt-get)...`);
	const apt = (/** @type {string[]} */ ...args) => execFileSync('apt-get', args, {stdio: ['ignore', 'inherit', 'inherit'], env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
	try {
		apt('update', '-qq');
		apt('install', '-y', '-qq', spec.debianPackage);
	} catch (error) {
		throw new Error(`apt-get could not install ${spec.debianPackage}: ${String(error)}. Install ${spec.name} by hand or set ${spec.env}.`);
	}

	const installed = findBrowser(name);
	if (!installed) {
		throw new Error(`apt-get installed ${spec.debianPackage}, but ${spec.debianPath} is missing. Set ${spec.env}.`);
	}

	return installed;
}

// `node e2e/browsers.mjs [chromium] [firefox]`: make sure the suite's browsers are there.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const names = /** @type {Array<'chromium' | 'firefox'>} */ (process.argv.length > 2 ? process.argv.slice(2) : ['chromium']);
	try {
		for (const name of names) {
			console.log(`${BROWSERS[name].name}: ${ensureBrowser(name)}`);
		}
	} catch (error) {
		console.error(String(error instanceof Error ? error.message : error));
		process.exit(1);
	}
}
