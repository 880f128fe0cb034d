/**
 * Load and abuse run against the stub Zuora (`npm run load`): a script, not a test. It starts
 * the stub in-process (testMode off, port 0) and drives it over real HTTP on 127.0.0.1:
 *
 * 1. flows: OAuth once, then LOAD_FLOWS complete flows at LOAD_CONCURRENCY, each
 *    `POST /v1/hmac-signatures` (bearer) then `POST /v1/payment-methods/credit-cards` with the
 *    pair. Every flow must create exactly one payment method, with its own id and token.
 * 2. replay storm: every used pair sent again LOAD_REPLAYS times: all refused with 90000011.
 * 3. tamper sweep: LOAD_TAMPERS fresh pairs per case, each with one byte changed in the
 *    signature, the token, the body's accountKey or the signed uri: all refused with the exact
 *    code (90000011 for the token, an unknown one; 90000012 for the others).
 *
 * It prints throughput and latency figures, and exits 1 only when something is lost or wrong
 * (a failed flow, a missing or extra payment method, a token accepted twice, a tamper let
 * through); timing is reported, never judged. A deadline (LOAD_DEADLINE_MS) ends a stuck run.
 *
 * The client is node:http with a keep-alive Agent: on 2 cores it runs these flows 2-3x faster
 * than the global fetch, so the figures say more about the stub than about the client.
 *
 * @example
 * // LOAD_FLOWS=500 LOAD_CONCURRENCY=20 node e2e/bench/load.mjs
 */
import {Agent, request as httpRequest} from 'node:http';
import {pathToFileURL} from 'node:url';
import {ZUORA_ERROR_CODES, ZUORA_CORS_OPERATIONS} from 'zuora-cors';
import {ZUORA_BACKEND_PATHS} from 'zuora-cors/server';
import {STUB_CODES, startZuoraStub} from 'zuora-cors/testing';

const ACCOUNT_KEY = 'A00000001';
// 90000011 is Zuora's documented "Invalid token"; the code for "Invalid signature" is the
// stub's choice (see the top of src/testing/zuora-stub.ts).
const INVALID_TOKEN = ZUORA_ERROR_CODES.invalidToken;
const INVALID_SIGNATURE = STUB_CODES.invalidSignature;
const REQUEST_TIMEOUT_MS = 10_000;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * @typedef {object} LoadOptions
 * @property {number} flows
 * @property {number} concurrency
 * @property {number} replays
 * @property {number} tampers
 * @property {number} deadlineMs
 */

/**
 * @typedef {{status: number, body: Record<string, unknown>, ms: number}} Answer
 * @typedef {{signature: string, token: string}} Pair
 * @typedef {(path: string, init: {headers?: Record<string, string>, body: string}) => Promise<Answer>} Post
 */

/**
 * Reads the options once, every default in one place. A bad value stops the run before it starts.
 * @param {NodeJS.ProcessEnv} env
 * @returns {LoadOptions}
 */
function readOptions(env) {
	/** @param {string} name @param {number} fallback @param {number} min */
	const integer = (name, fallback, min) => {
		const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
		if (!Number.isInteger(value) || value < min) {
			throw new TypeError(`${name} must be an integer >= ${min}, not "${env[name]}"`);
		}
		return value;
	};
	return {
		flows: integer('LOAD_FLOWS', 2000, 1),
		concurrency: integer('LOAD_CONCURRENCY', 50, 1),
		replays: integer('LOAD_REPLAYS', 5, 0),
		tampers: integer('LOAD_TAMPERS', 50, 0),
		deadlineMs: integer('LOAD_DEADLINE_MS', 120_000, 1000),
	};
}

// --- HTTP -----------------------------------------------------------------------------------

/**
 * A JSON POST client for one origin over keep-alive sockets, one per concurrent worker.
 * @param {string} origin
 * @param {Agent} agent
 * @returns {Post}
 */
function jsonClient(origin, agent) {
	return (path, {headers = {}, body}) =>
		new Promise((resolve, reject) => {
			const started = performance.now();
			const outgoing = httpRequest(
				`${origin}${path}`,
				{
					method: 'POST',
					agent,
					timeout: REQUEST_TIMEOUT_MS,
					headers: {'content-type': 'application/json', accept: 'application/json', ...headers, 'content-length': Buffer.byteLength(body)},
				},
				incoming => {
					/** @type {Buffer[]} */
					const chunks = [];
					incoming.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk));
					incoming.on('error', reject);
					incoming.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						try {
							resolve({status: incoming.statusCode ?? 0, body: JSON.parse(text), ms: performance.now() - started});
						} catch {
							reject(new Error(`${path} answered HTTP ${incoming.statusCode} with a body that is not JSON`));
						}
					});
				},
			);
			// A stuck request must fail the run, never hang it.
			outgoing.on('timeout', () => outgoing.destroy(new Error(`${path} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
			outgoing.on('error', reject);
			outgoing.end(body);
		});
}

/**
 * Runs `task(0..count-1)` with at most `concurrency` at a time; resolves when all have settled.
 * @param {number} count @param {number} concurrency @param {(index: number) => Promise<void>} task
 */
async function runPool(count, concurrency, task) {
	let next = 0;
	const worker = async () => {
		while (next < count) {
			await task(next++);
		}
	};
	await Promise.all(Array.from({length: Math.min(count, concurrency)}, worker));
}

// --- Zuora calls ----------------------------------------------------------------------------

/** @param {Post} post */
async function oauthToken(post) {
	const form = new URLSearchParams({client_id: 'demo-client-id', client_secret: 'demo-client-secret', grant_type: 'client_credentials'});
	const answer = await post(ZUORA_BACKEND_PATHS.oauthToken, {headers: {'content-type': 'application/x-www-form-urlencoded'}, body: form.toString()});
	if (answer.status !== 200 || typeof answer.body.access_token !== 'string') {
		throw new Error(`OAuth answered HTTP ${answer.status}`);
	}
	return answer.body.access_token;
}

/**
 * Asks for a pair, as the merchant backend does: uri, method and accountKey chosen by the caller.
 * @param {Post} post @param {string} bearer @param {string} uri
 * @returns {Promise<Answer & {pair: Pair}>}
 */
async function sign(post, bearer, uri) {
	const answer = await post(ZUORA_BACKEND_PATHS.hmacSignatures, {
		headers: {authorization: `Bearer ${bearer}`},
		body: JSON.stringify({uri, method: 'POST', accountKey: ACCOUNT_KEY}),
	});
	const {signature, token, success} = answer.body;
	if (answer.status !== 200 || success !== true || typeof signature !== 'string' || typeof token !== 'string') {
		throw new Error(`signature answered HTTP ${answer.status} ${summarize(answer.body)}`);
	}
	return {...answer, pair: {signature, token}};
}

/**
 * Posts a card with a pair, as the browser does (the stub only sees the headers and the body).
 * @param {Post} post @param {Pair} pair @param {string} [accountKey]
 */
function createCard(post, pair, accountKey = ACCOUNT_KEY) {
	return post(ZUORA_CORS_OPERATIONS.creditCard.path, {headers: {signature: pair.signature, token: pair.token}, body: JSON.stringify(card(accountKey))});
}

/** A valid Visa test card, expiring in three years so the run never ages out. @param {string} accountKey */
function card(accountKey) {
	return {
		accountKey,
		creditCardType: 'Visa',
		creditCardNumber: '4111111111111111',
		expirationMonth: 12,
		expirationYear: new Date().getUTCFullYear() + 3,
		securityCode: '123',
		cardHolderInfo: {cardHolderName: 'Load Test'},
	};
}

/** The first reason code of a Zuora envelope, or undefined. @param {Record<string, unknown>} body */
function reasonCode(body) {
	const reasons = Array.isArray(body.reasons) ? body.reasons : [];
	const first = /** @type {{code?: unknown} | undefined} */ (reasons[0]);
	return body.success === false && typeof first?.code === 'number' ? first.code : undefined;
}

/** @param {Record<string, unknown>} body */
function summarize(body) {
	return JSON.stringify(body).slice(0, 200);
}

/**
 * `text` with the character at `index` replaced by the next one of `alphabet` (its first for a
 * character not in it): always a different character.
 * @param {string} text @param {number} index @param {string} alphabet
 */
function changeOneChar(text, index, alphabet) {
	const old = text[index] ?? '';
	const replacement = alphabet[(alphabet.indexOf(old) + 1) % alphabet.length] ?? '';
	return text.slice(0, index) + replacement + text.slice(index + 1);
}

// --- Figures --------------------------------------------------------------------------------

/** @param {number[]} values @param {number} fraction */
function percentile(values, fraction) {
	if (values.length === 0) {
		return 0;
	}
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

/** @param {string} name @param {number[]} values */
function latencyRow(name, values) {
	const ms = (/** @type {number} */ value) => value.toFixed(1).padStart(8);
	return `  ${name.padEnd(22)}${ms(percentile(values, 0.5))}${ms(percentile(values, 0.99))}${ms(Math.max(0, ...values))}`;
}

/**
 * Collects what went wrong; the run fails when this is not empty.
 */
class Problems {
	/** @type {string[]} */
	list = [];
	/** @param {boolean} ok @param {string} what */
	check(ok, what) {
		if (!ok) {
			this.list.push(what);
		}
	}
}

// --- Phases ---------------------------------------------------------------------------------

/**
 * Phase 1: complete flows, each expected to create exactly one payment method.
 * @param {{post: Post, bearer: string, uri: string, options: LoadOptions}} run
 */
async function flows({post, bearer, uri, options}) {
	/** @type {{flow: number[], sign: number[], create: number[]}} */
	const latency = {flow: [], sign: [], create: []};
	/** @type {Pair[]} */
	const pairs = [];
	/** @type {string[]} */
	const ids = [];
	/** @type {string[]} */
	const failures = [];
	const started = performance.now();
	await runPool(options.flows, options.concurrency, async () => {
		try {
			const signed = await sign(post, bearer, uri);
			const created = await createCard(post, signed.pair);
			const id = created.body.paymentMethodId;
			if (created.status !== 200 || created.body.success !== true || typeof id !== 'string') {
				throw new Error(`create answered HTTP ${created.status} ${summarize(created.body)}`);
			}
			latency.sign.push(signed.ms);
			latency.create.push(created.ms);
			latency.flow.push(signed.ms + created.ms);
			pairs.push(signed.pair);
			ids.push(id);
		} catch (error) {
			failures.push(error instanceof Error ? error.message : String(error));
		}
	});
	const seconds = (performance.now() - started) / 1000;
	return {latency, pairs, ids, failures, seconds};
}

/**
 * Posts the card once per send (a pair, and the body's accountKey when it differs), expecting
 * every one refused with `code`.
 * @param {{post: Post, options: LoadOptions}} run
 * @param {Array<{pair: Pair, accountKey?: string}>} sends
 * @param {number} code
 */
async function expectRefused({post, options}, sends, code) {
	let refused = 0;
	/** @type {string[]} */
	const wrong = [];
	const started = performance.now();
	await runPool(sends.length, options.concurrency, async index => {
		const send = /** @type {{pair: Pair, accountKey?: string}} */ (sends[index]);
		try {
			const answer = await createCard(post, send.pair, send.accountKey);
			if (answer.status === 200 && reasonCode(answer.body) === code) {
				refused++;
			} else {
				wrong.push(`HTTP ${answer.status} ${summarize(answer.body)}`);
			}
		} catch (error) {
			wrong.push(error instanceof Error ? error.message : String(error));
		}
	});
	return {refused, wrong, seconds: (performance.now() - started) / 1000};
}

/**
 * Phase 3: fresh pairs, each with one byte changed in one place, expected refused with `code`.
 * The signed uri differs in the host's last octet (127.0.0.1 → 127.0.0.2..9): still a valid
 * CORS uri, so the stub signs it, and only its use finds it is not the stub's own.
 * @param {{post: Post, bearer: string, uri: string, options: LoadOptions}} run
 */
async function tamperSweep(run) {
	const {post, bearer, uri, options} = run;
	const origin = new URL(uri);
	/** @type {Array<{name: string, code: number, make: (index: number) => Promise<{pair: Pair, accountKey?: string}>}>} */
	const cases = [
		{
			name: 'signature',
			code: INVALID_SIGNATURE,
			async make(index) {
				const {pair} = await sign(post, bearer, uri);
				// base64 of hex; the padding '=' at the end stays so only one real character changes.
				const body = pair.signature.replace(/=+$/, '');
				return {pair: {...pair, signature: changeOneChar(body, index % body.length, ALPHANUMERIC) + pair.signature.slice(body.length)}};
			},
		},
		{
			name: 'token',
			code: INVALID_TOKEN,
			async make(index) {
				const {pair} = await sign(post, bearer, uri);
				return {pair: {...pair, token: changeOneChar(pair.token, index % pair.token.length, ALPHANUMERIC)}};
			},
		},
		{
			name: 'body accountKey',
			code: INVALID_SIGNATURE,
			async make(index) {
				const {pair} = await sign(post, bearer, uri);
				return {pair, accountKey: changeOneChar(ACCOUNT_KEY, index % ACCOUNT_KEY.length, ALPHANUMERIC)};
			},
		},
		{
			name: 'signed uri (host)',
			code: INVALID_SIGNATURE,
			async make(index) {
				const other = new URL(uri);
				other.hostname = `127.0.0.${2 + (index % 8)}`;
				if (other.host === origin.host) {
					throw new Error('the tampered uri equals the real one');
				}
				const {pair} = await sign(post, bearer, other.href);
				return {pair};
			},
		},
	];
	const results = [];
	for (const tamper of cases) {
		/** @type {Array<{pair: Pair, accountKey?: string}>} */
		const sends = [];
		for (let index = 0; index < options.tampers; index++) {
			sends.push(await tamper.make(index));
		}
		results.push({name: tamper.name, code: tamper.code, tries: sends.length, ...(await expectRefused(run, sends, tamper.code))});
	}
	return results;
}

// --- Main -----------------------------------------------------------------------------------

/**
 * Runs the three phases against a fresh stub and prints the figures.
 * @param {LoadOptions} options
 * @returns {Promise<string[]>} what went wrong; empty when everything held
 */
export async function runLoad(options) {
	const problems = new Problems();
	const stub = await startZuoraStub({testMode: false, port: 0});
	const agent = new Agent({keepAlive: true, maxSockets: options.concurrency});
	try {
		const post = jsonClient(stub.url, agent);
		const uri = `${stub.url}${ZUORA_CORS_OPERATIONS.creditCard.path}`;
		const bearer = await oauthToken(post);
		const run = {post, bearer, uri, options};

		// 1. Flows.
		const flow = await flows(run);
		const methods = stub.paymentMethods();
		const tokensAfterFlows = stub.tokens();
		problems.check(flow.failures.length === 0, `${flow.failures.length} flows failed (first: ${flow.failures[0]})`);
		problems.check(methods.length === options.flows, `${methods.length} payment methods for ${options.flows} flows`);
		problems.check(new Set(methods.map(method => method.id)).size === methods.length, 'two payment methods share an id');
		problems.check(new Set(flow.ids).size === flow.ids.length, 'two flows got the same paymentMethodId');
		problems.check(
			methods.every(method => method.accountKey === ACCOUNT_KEY),
			`a payment method is not on ${ACCOUNT_KEY}`,
		);
		problems.check(new Set(flow.pairs.map(pair => pair.token)).size === flow.pairs.length, 'a token was issued twice');
		problems.check(
			tokensAfterFlows.issued === options.flows && tokensAfterFlows.used === options.flows,
			`tokens issued/used ${tokensAfterFlows.issued}/${tokensAfterFlows.used}, expected ${options.flows}/${options.flows}`,
		);

		// 2. Replay storm.
		const replays = flow.pairs.flatMap(pair => Array.from({length: options.replays}, () => ({pair})));
		const storm = await expectRefused(run, replays, INVALID_TOKEN);
		const createdByStorm = stub.paymentMethods().length - methods.length;
		problems.check(storm.refused === replays.length, `replay storm: ${replays.length - storm.refused} of ${replays.length} not refused with ${INVALID_TOKEN} (first: ${storm.wrong[0]})`);
		problems.check(createdByStorm === 0, `replay storm created ${createdByStorm} payment methods`);

		// 3. Tamper sweep.
		const beforeSweep = stub.paymentMethods().length;
		const sweep = await tamperSweep(run);
		const createdBySweep = stub.paymentMethods().length - beforeSweep;
		for (const result of sweep) {
			problems.check(result.refused === result.tries, `tamper ${result.name}: ${result.tries - result.refused} of ${result.tries} not refused with ${result.code} (first: ${result.wrong[0]})`);
		}
		problems.check(createdBySweep === 0, `tamper sweep created ${createdBySweep} payment methods`);
		// A token is spent on first use whatever the outcome, so every sweep pair but the
		// token-tamper ones (whose real token was never presented) is spent too.
		const tokens = stub.tokens();
		const expectedTokens = {issued: options.flows + 4 * options.tampers, used: options.flows + 3 * options.tampers};
		problems.check(
			tokens.issued === expectedTokens.issued && tokens.used === expectedTokens.used,
			`tokens issued/used at the end ${tokens.issued}/${tokens.used}, expected ${expectedTokens.issued}/${expectedTokens.used}`,
		);

		printFigures({options, flow, methods: methods.length, tokensAfterFlows, tokens, storm, replays: replays.length, createdByStorm, sweep, createdBySweep});
	} finally {
		agent.destroy();
		await stub.close();
	}
	return problems.list;
}

/**
 * @param {{
 *   options: LoadOptions,
 *   flow: Awaited<ReturnType<typeof flows>>,
 *   methods: number,
 *   tokensAfterFlows: {issued: number, used: number},
 *   tokens: {issued: number, used: number},
 *   storm: Awaited<ReturnType<typeof expectRefused>>,
 *   replays: number,
 *   createdByStorm: number,
 *   sweep: Awaited<ReturnType<typeof tamperSweep>>,
 *   createdBySweep: number,
 * }} figures
 */
function printFigures({options, flow, methods, tokensAfterFlows, tokens, storm, replays, createdByStorm, sweep, createdBySweep}) {
	const lines = [
		`flows: ${options.flows} at concurrency ${options.concurrency}, ${flow.seconds.toFixed(2)} s, ${(options.flows / flow.seconds).toFixed(0)} flows/s (${((2 * options.flows) / flow.seconds).toFixed(0)} requests/s)`,
		`  failed ${flow.failures.length}, payment methods ${methods}, distinct ids ${new Set(flow.ids).size}, tokens issued/used ${tokensAfterFlows.issued}/${tokensAfterFlows.used}`,
		`  latency (ms)              p50     p99     max`,
		latencyRow('whole flow', flow.latency.flow),
		latencyRow('POST hmac-signatures', flow.latency.sign),
		latencyRow('POST credit-cards', flow.latency.create),
		`replay storm: ${replays} replays (${options.replays} per used pair), ${storm.seconds.toFixed(2)} s, ${(replays / Math.max(storm.seconds, 1e-9)).toFixed(0)} requests/s`,
		`  refused with ${INVALID_TOKEN}: ${storm.refused}, other answers: ${storm.wrong.length}, payment methods created: ${createdByStorm}`,
		`tamper sweep (one byte changed)   tries  refused  expected code`,
		...sweep.map(result => `  ${result.name.padEnd(32)}${String(result.tries).padStart(5)}${String(result.refused).padStart(9)}  ${result.code}`),
		`  payment methods created: ${createdBySweep}; tokens issued/used at the end ${tokens.issued}/${tokens.used}`,
	];
	console.log(lines.join('\n'));
}

/** Runs from the command line; the exit code says whether anything was lost or wrong. */
async function main() {
	/** @type {LoadOptions} */
	let options;
	try {
		options = readOptions(process.env);
	} catch (error) {
		console.log(`load: FAILED (${error instanceof Error ? error.message : String(error)})`);
		process.exitCode = 1;
		return;
	}

	// Bounded: a run that stalls (a stuck socket, a stub that stops answering) still ends.
	const deadline = setTimeout(() => {
		console.log(`load: FAILED (did not finish within ${options.deadlineMs} ms)`);
		process.exit(1);
	}, options.deadlineMs);
	deadline.unref();
	try {
		const problems = await runLoad(options);
		console.log(problems.length === 0 ? 'load: OK' : `load: FAILED (${problems.join('; ')})`);
		process.exitCode = problems.length === 0 ? 0 : 1;
	} catch (error) {
		console.log(`load: FAILED (${error instanceof Error ? error.message : String(error)})`);
		process.exitCode = 1;
	} finally {
		clearTimeout(deadline);
	}
}

// The one side effect: run when started directly (`npm run load`), never on import.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	await main();
}
