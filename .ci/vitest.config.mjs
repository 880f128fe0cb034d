// The unit tests in two projects, so `npm test` reports the decisions first (.ci/test.mjs):
//
//   unit    in-process: no socket (a test that opens, serves or writes one fails, see
//           vitest/sockets.setup.mjs), no dist/, no Redis; pure functions, handlers called with
//           `Request`s, the stub's routes called in-process.
//   socket  what needs a real socket, Redis or the build: the HTTP wiring against servers on port
//           0, connection drops, slow clients, the node adapter, redis-server; and the tests that
//           import the package by name (dist/): the type tests and the demo's.
//
// A test file that needs a socket is named `*.socket.test.*`, or is listed in WIRED below.
import {fileURLToPath} from 'node:url';
import {configDefaults, defineConfig} from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const sockets = fileURLToPath(new URL('vitest/sockets.setup.mjs', import.meta.url));

/**
 * Files that test the library's HTTP path against real servers on port 0 (house rule: real over
 * fake where HTTP is the subject). Some also hold in-process tests; those run here with them.
 */
const WIRED = [
	'src/account.test.ts',
	'src/cors-request.test.ts',
	'src/exactly-once.property.test.ts',
	'src/file.test.ts',
	'src/payment-method.test.ts',
	'src/payment-page-signature.test.ts',
	'src/reconcile.test.ts',
	'src/signature.test.ts',
	'src/transport.hostile.test.ts',
	'src/transport.test.ts',
	'src/server/issued-tokens.test.ts',
	'src/server/node.test.ts',
	'src/server/reconcile-handler.test.ts',
	'src/server/redis.test.ts',
	'src/server/signature-handler.test.ts',
];
/**
 * What needs dist/: the type tests (compiled by .ci/check-package.mjs against it; at run time they
 * only import it) and the demo's tests (the demo imports zuora-cors/server and /testing by name).
 */
// load-guard.test.ts runs the built script-tag bundle (dist/).
const BUILT = ['src/**/*-types.test.ts', 'src/load-guard.test.ts', 'demo/**/*.test.mjs'];
const SOCKET = ['**/*.socket.test.{ts,mjs}'];
const ALL = ['src/**/*.test.ts', 'demo/**/*.test.mjs'];
const exclude = [...configDefaults.exclude, 'e2e/**', '.ci/**'];

export default defineConfig({
	test: {
		root,
		setupFiles: [sockets],
		projects: [
			{extends: true, test: {name: 'unit', include: ALL, exclude: [...exclude, ...SOCKET, ...BUILT, ...WIRED], env: {SOCKETS_FORBIDDEN: '1'}}},
			{extends: true, test: {name: 'socket', include: [...SOCKET, ...BUILT, ...WIRED], exclude}},
		],
	},
});
