// Which tests open a socket. Every TCP connect, every listen and every write on a connected TCP
// socket (a reused keep-alive connection opens nothing new, but is still a socket) made between a
// test's beforeEach and afterEach counts for that test; those made in beforeAll count for the
// first test of the file that runs after them.
//
//   SOCKET_COUNT_FILE=path  appends one JSON line per test: {file, test, sockets}
//   SOCKETS_FORBIDDEN=1     fails a test that used a socket (the in-process project: .ci/vitest.config.mjs)
import {appendFileSync} from 'node:fs';
import net from 'node:net';
import {Writable} from 'node:stream';
import {afterEach, beforeEach, expect} from 'vitest';

let used = 0;
/** @type {string[]} */
let what = [];

/** @param {string} kind */
function note(kind) {
	used++;
	if (what.length < 3) {
		what.push(kind);
	}
}

const PATCHED = Symbol.for('zuora-cors.sockets-counted');
const socketPrototype = /** @type {any} */ (net.Socket.prototype);
if (!socketPrototype[PATCHED]) {
	socketPrototype[PATCHED] = true;
	const {connect} = net.Socket.prototype;
	const {listen} = net.Server.prototype;
	const {write} = Writable.prototype;
	socketPrototype.connect = function (/** @type {any[]} */ ...args) {
		const [first] = args;
		// A pipe (child process stdio, IPC) is a net.Socket too; only network connections count.
		if (!(typeof first === 'string' || (typeof first === 'object' && first !== null && 'path' in first && first.path))) {
			note('connect');
		}

		return connect.apply(this, /** @type {any} */ (args));
	};
	/** @type {any} */ (net.Server.prototype).listen = function (/** @type {any[]} */ ...args) {
		note('listen');
		return listen.apply(this, /** @type {any} */ (args));
	};
	socketPrototype.write = function (/** @type {any[]} */ ...args) {
		if (this.remotePort !== undefined) {
			note('write');
		}

		return write.apply(this, /** @type {any} */ (args));
	};
}

beforeEach(() => {
	// Sockets of beforeAll hooks are left in `used`: the first test of the file takes them.
});

afterEach(() => {
	const {currentTestName, testPath} = expect.getState();
	const sockets = used;
	const kinds = what;
	used = 0;
	what = [];
	const file = process.env['SOCKET_COUNT_FILE'];
	if (file) {
		appendFileSync(file, `${JSON.stringify({file: testPath, test: currentTestName, sockets})}\n`);
	}

	if (process.env['SOCKETS_FORBIDDEN'] === '1' && sockets > 0) {
		throw new Error(`this test used a socket (${kinds.join(', ')}): decisions are tested in-process; a test whose subject is the socket belongs in the socket suite (*.socket.test.ts)`);
	}
});
