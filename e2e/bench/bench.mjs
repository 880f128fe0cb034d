// `npm run bench`: click-to-result latency of four ways to submit a card, in real Chromium and
// Firefox, against the stub Zuora and the demo backend with injected latency on both origins.
// It prints a table, writes e2e/bench/results.json and e2e/bench/latency.svg, and exits 1 when a
// target is missed. Timing lives here, never in test assertions.
//
// Env: BENCH_LATENCY_MS (100), BENCH_RUNS (20 per scenario), BENCH_SOAK (200 submissions),
// BENCH_BROWSERS (chromium,firefox).
import {writeFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import {chromium, firefox} from '@playwright/test';
import {createMerchant} from '../../demo/merchant-server.mjs';
import {createCardFrameHandler, toNodeListener} from 'zuora-cors/server';
import {startZuoraStub} from 'zuora-cors/testing';
import {CHROMIUM_ARGS, findBrowser} from '../browsers.mjs';

const latency = Number(process.env['BENCH_LATENCY_MS'] ?? 100);
const runs = Number(process.env['BENCH_RUNS'] ?? 20);
const soak = Number(process.env['BENCH_SOAK'] ?? 200);
const engines = (process.env['BENCH_BROWSERS'] ?? 'chromium,firefox').split(',');
const here = new URL('.', import.meta.url);

/**
 * The scenarios, with the round trips none of them can avoid after the click. Fetching a
 * signature after the click costs two: page → merchant backend, and the backend's own call to
 * Zuora's /v1/hmac-signatures (the stub's latency applies to it too, as a real Zuora's would).
 * @type {Array<{id: string, name: string, roundTrips: number, cachedPreflight?: boolean}>}
 */
const SCENARIOS = [
	{id: 'sample', name: "1. Zuora's sample flow (3 XHRs)", roundTrips: 4},
	{id: 'create', name: '2. createPaymentMethod, no prefetch', roundTrips: 4},
	{id: 'bind', name: '3. bindForm with prefetch', roundTrips: 2},
	{id: 'bind-cached', name: '4. bindForm + cacheable preflight', roundTrips: 1, cachedPreflight: true},
];

const CARD = {name: 'Ada Lovelace', number: '4111111111111111', month: '12', year: '2031', cvv: '737'};

// Runs in the page before its scripts: counts live listeners and pending timers, and stamps the
// click and the result, so the figures come from the page's own clock.
function instrument() {
	const w = /** @type {any} */ (window);
	w.__bench = {listeners: 0, timers: new Set(), clickAt: 0, doneAt: 0};
	const add = EventTarget.prototype.addEventListener;
	const remove = EventTarget.prototype.removeEventListener;
	EventTarget.prototype.addEventListener = function (/** @type {any[]} */ ...args) {
		w.__bench.listeners++;
		return add.apply(this, /** @type {any} */ (args));
	};

	EventTarget.prototype.removeEventListener = function (/** @type {any[]} */ ...args) {
		w.__bench.listeners--;
		return remove.apply(this, /** @type {any} */ (args));
	};

	const set = window.setTimeout;
	const clear = window.clearTimeout;
	w.setTimeout = (/** @type {any} */ fn, /** @type {number} */ ms, /** @type {any[]} */ ...rest) => {
		const id = set(() => {
			w.__bench.timers.delete(id);
			fn(...rest);
		}, ms);
		w.__bench.timers.add(id);
		return id;
	};

	w.clearTimeout = (/** @type {number} */ id) => {
		w.__bench.timers.delete(id);
		clear(id);
	};

	document.addEventListener(
		'click',
		event => {
			if (/** @type {Element} */ (event.target).closest?.('button')) {
				w.__bench.clickAt = performance.now();
			}
		},
		true,
	);
}

/**
 * Replaces the page's binding with the scenario's submit path.
 * @param {import('@playwright/test').Page} page
 * @param {string} id
 */
async function prepare(page, id) {
	await page.evaluate(scenario => {
		const w = /** @type {any} */ (window);
		const form = /** @type {HTMLFormElement} */ (document.querySelector('#card-form'));
		const zuora = /** @type {string} */ (form.dataset['zuoraUrl']);
		const done = () => {
			w.__bench.doneAt = performance.now();
		};

		form.addEventListener(w.ZuoraCors.FORM_EVENTS.success, done);
		if (scenario === 'bind' || scenario === 'bind-cached') {
			return;
		}
		w.checkout.destroy();
		// destroy() locks the card controls again (no script, no card control live): this page's own code takes over.
		for (const control of form.querySelectorAll('fieldset, input, select, button')) {
			/** @type {HTMLInputElement} */ (control).disabled = false;
		}

		const field = (/** @type {string} */ name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
		form.addEventListener('submit', event => {
			event.preventDefault();
			if (scenario === 'create') {
				const card = {
					accountKey: field('accountKey').value,
					creditCardType: field('creditCardType').value,
					creditCardNumber: field('creditCardNumber').value,
					expirationMonth: field('expirationMonth').value,
					expirationYear: field('expirationYear').value,
					securityCode: field('securityCode').value,
					defaultPaymentMethod: field('defaultPaymentMethod').checked,
				};
				w.ZuoraCors.createPaymentMethod({signatureUrl: '/signature', signatureOptions: {method: 'POST'}, url: zuora, allowedHosts: [new URL(zuora).origin], card}).then(done);
				return;
			}

			// Zuora's guide, step 3 and 4, as written (the signature by POST: the demo backend issues on POST only).
			const signatureXhr = new XMLHttpRequest();
			signatureXhr.open('post', '/signature', true);
			signatureXhr.onload = () => {
				const json = JSON.parse(signatureXhr.responseText);
				const xhr = new XMLHttpRequest();
				xhr.open('post', zuora, true);
				xhr.setRequestHeader('Accept', 'application/json');
				xhr.setRequestHeader('Content-Type', 'application/json');
				xhr.setRequestHeader('signature', json.signature);
				xhr.setRequestHeader('token', json.token);
				xhr.withCredentials = true;
				xhr.onload = () => {
					if (JSON.parse(xhr.responseText).success) {
						done();
					}
				};

				xhr.send(
					JSON.stringify({
						accountKey: field('accountKey').value,
						creditCardType: field('creditCardType').value,
						creditCardNumber: field('creditCardNumber').value,
						expirationMonth: field('expirationMonth').value,
						expirationYear: field('expirationYear').value,
						securityCode: field('securityCode').value,
						defaultPaymentMethod: String(field('defaultPaymentMethod').checked),
					}),
				);
			};

			signatureXhr.send();
		});
	}, id);
}

/**
 * One submission: the shopper fills the card, spends `think` ms, clicks; returns click→result.
 * @param {import('@playwright/test').Page} page
 * @param {number} think
 */
async function submitOnce(page, think) {
	await page.fill('[name="cardHolderInfo.cardHolderName"]', CARD.name);
	await page.selectOption('[name="creditCardType"]', 'Visa');
	await page.fill('[name="creditCardNumber"]', CARD.number);
	await page.fill('[name="expirationMonth"]', CARD.month);
	await page.fill('[name="expirationYear"]', CARD.year);
	await page.fill('[name="securityCode"]', CARD.cvv);
	await page.waitForTimeout(think);
	await page.evaluate(() => {
		/** @type {any} */ (window).__bench.doneAt = 0;
	});
	await page.click('#submit');
	await page.waitForFunction(() => /** @type {any} */ (window).__bench.doneAt > 0, undefined, {timeout: 15_000});
	return page.evaluate(() => {
		const bench = /** @type {any} */ (window).__bench;
		return bench.doneAt - bench.clickAt;
	});
}

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))] ?? Number.NaN;
}

/** @param {'chromium' | 'firefox'} engine */
async function launch(engine) {
	const executablePath = findBrowser(engine);
	if (!executablePath) {
		throw new Error(`No ${engine}: run node e2e/browsers.mjs ${engine}`);
	}
	return engine === 'chromium' ? chromium.launch({executablePath, args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc']}) : firefox.launch({executablePath, channel: 'moz-firefox'});
}

/** @param {boolean} cachedPreflight */
async function startOrigins(cachedPreflight) {
	// Max-Age 0 keeps the plain scenarios from riding the browsers' default 5 s preflight cache.
	const stub = await startZuoraStub({preflightMaxAge: cachedPreflight ? 600 : 0});
	const merchant = await startDistantMerchant(stub.url, latency);
	stub.allowOrigin(merchant.origin);
	stub.setLatency(latency);
	return {stub, merchant};
}

/**
 * The demo backend with its signature limits off (one browser signs thousands of times here)
 * and every answer delayed by `ms`, as a distant backend's would be.
 * @param {string} zuoraBaseUrl @param {number} ms
 */
async function startDistantMerchant(zuoraBaseUrl, ms) {
	const listener = await createMerchant({zuoraBaseUrl, limits: {session: false, address: false, account: false}});
	const server = createServer((request, response) => {
		setTimeout(() => listener(request, response), ms);
	});
	await new Promise(resolve => {
		server.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	return {
		url,
		origin: url,
		close: async () =>
			new Promise(resolve => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			}),
	};
}

/**
 * A server on a free port whose every answer waits `ms`; it answers 503 until `serve` gives it a
 * listener (the shop and its card origin each need the other's origin first).
 * @param {number} ms
 */
async function startDelayedServer(ms) {
	/** @type {import('node:http').RequestListener | undefined} */
	let listener;
	const server = createServer((request, response) => {
		// A context closed while its request waits: the request is aborted, which is no failure here.
		request.on('error', () => undefined);
		setTimeout(() => {
			if (request.destroyed) {
				return;
			}

			return listener ? listener(request, response) : response.writeHead(503).end();
		}, ms);
	});
	await new Promise(resolve => {
		server.listen(0, '127.0.0.1', () => resolve(undefined));
	});
	const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	return {
		url,
		serve: (/** @type {import('node:http').RequestListener} */ given) => {
			listener = given;
		},
		close: async () =>
			new Promise(resolve => {
				server.close(() => resolve(undefined));
				server.closeAllConnections();
			}),
	};
}

/**
 * The card frame's two latencies (issue 22), `runs` times each in a fresh context (nothing of the
 * card origin cached), `latency` ms on every request to the shop, the card origin and the stub:
 * - mount → ready: `mountCardFields` called until its `ready` resolves (the frame's page, then its
 *   script and style, then the handshake; floor 2 round trips);
 * - first focus → signature: the shopper's first focus in the frame until the signature the frame
 *   prefetches has arrived, in the frame's own clock (its Resource Timing entry); floor 2 round
 *   trips (frame → shop, shop → Zuora's /v1/hmac-signatures). Printed, never gated.
 * @param {import('@playwright/test').Browser} browser
 */
async function frameLatencies(browser) {
	const stub = await startZuoraStub({});
	stub.setLatency(latency);
	const [shop, cards] = [await startDelayedServer(latency), await startDelayedServer(latency)];
	shop.serve(await createMerchant({zuoraBaseUrl: stub.url, limits: {session: false, address: false, account: false}, frameOrigin: cards.url}));
	cards.serve(
		toNodeListener(createCardFrameHandler({parentOrigins: [shop.url], signatureUrl: `${shop.url}/signature`, reconcileUrl: `${shop.url}/reconcile`, zuora: stub.url, allowedHosts: [stub.url]})),
	);
	stub.allowOrigin(cards.url);
	/** @type {{mountToReady: number[], focusToSignature: number[]}} */
	const samples = {mountToReady: [], focusToSignature: []};
	try {
		for (let run = 0; run < runs; run++) {
			const context = await browser.newContext();
			const page = await context.newPage();
			// The framed checkout with its own script held back: the frames bundle is loaded, no frame mounted yet.
			await page.route('**/frame-checkout.js', async route => route.abort());
			await page.goto(`${shop.url}/`);
			await page.waitForFunction(() => typeof (/** @type {any} */ (window).ZuoraCors?.mountCardFields) === 'function');
			samples.mountToReady.push(
				await page.evaluate(async frameUrl => {
					const container = document.createElement('div');
					document.body.append(container);
					const start = performance.now();
					await /** @type {any} */ (window).ZuoraCors.mountCardFields(container, {frameUrl}).ready;
					return performance.now() - start;
				}, `${cards.url}/`),
			);
			const frame = page.frames().find(candidate => candidate.url().startsWith(cards.url));
			await frame?.evaluate(() => {
				const w = /** @type {any} */ (window);
				document.addEventListener('focusin', () => (w.__focusAt ||= performance.now()), {capture: true, once: true});
			});
			await page.frameLocator('iframe').getByLabel('Card number').click();
			const signatureAt = await frame?.waitForFunction(
				() => /** @type {PerformanceResourceTiming | undefined} */ (performance.getEntriesByType('resource').find(entry => entry.name.endsWith('/signature')))?.responseEnd,
				undefined,
				{timeout: 15_000},
			);
			const focusAt = await frame?.evaluate(() => /** @type {any} */ (window).__focusAt);
			samples.focusToSignature.push(Number(await signatureAt?.jsonValue()) - Number(focusAt));
			await context.close();
		}
	} finally {
		await Promise.all([shop.close(), cards.close(), stub.close()]);
	}

	const row = (/** @type {string} */ name, /** @type {number[]} */ values) =>
		`| ${name} | ${quantile(values, 0.5).toFixed(1)} | ${quantile(values, 0.95).toFixed(1)} | ${2 * latency} | ${values.length} |`;
	return {
		samples,
		lines: [
			`card frame, ${latency} ms per request, a fresh context per run`,
			'| latency | median ms | p95 ms | floor ms | runs |',
			'|---|---:|---:|---:|---:|',
			row('mount → ready', samples.mountToReady),
			row('first focus → signature prefetched', samples.focusToSignature),
		],
	};
}

if (process.argv[2] === '--frame') {
	// The card frame's latencies only: `node e2e/bench/bench.mjs --frame` (after `npm run build`).
	for (const engine of engines) {
		const browser = await launch(/** @type {'chromium' | 'firefox'} */ (engine));
		try {
			const {lines} = await frameLatencies(browser);
			console.log(`\n${engine} ${browser.version()}, ${lines.join('\n')}`);
		} finally {
			await browser.close();
		}
	}

	process.exit(0);
}

/** @param {'chromium' | 'firefox'} engine */
async function benchEngine(engine) {
	const browser = await launch(engine);
	const plain = await startOrigins(false);
	const cached = await startOrigins(true);
	try {
		/** @type {Record<string, import('@playwright/test').Page>} */
		const pages = {};
		for (const scenario of SCENARIOS) {
			const context = await browser.newContext();
			const page = await context.newPage();
			await page.addInitScript(instrument);
			await page.goto((scenario.cachedPreflight ? cached : plain).merchant.url);
			await prepare(page, scenario.id);
			pages[scenario.id] = page;
			await submitOnce(page, 1000); // Warm-up, not counted: first connection, JIT, first preflight.
		}

		/** @type {Record<string, number[]>} */
		const samples = Object.fromEntries(SCENARIOS.map(scenario => [scenario.id, []]));
		for (let run = 0; run < runs; run++) {
			for (const scenario of SCENARIOS) {
				samples[scenario.id]?.push(await submitOnce(/** @type {any} */ (pages[scenario.id]), 1000));
			}
		}

		const soakFigures = await soakTest(/** @type {any} */ (pages['bind']), engine);
		const parse = await parseTime(browser, plain.merchant.url);
		const frame = await frameLatencies(browser);
		return {engine, version: browser.version(), samples, soak: soakFigures, parse, frame};
	} finally {
		await browser.close();
		await Promise.all([plain.stub.close(), plain.merchant.close(), cached.stub.close(), cached.merchant.close()]);
	}
}

/**
 * Many submissions in one page session: submit time, listeners, timers and heap at the start and the end.
 * @param {import('@playwright/test').Page} page
 * @param {string} engine
 */
async function soakTest(page, engine) {
	const snapshot = async () =>
		page.evaluate(async () => {
			const w = /** @type {any} */ (window);
			w.gc?.();
			const memory = /** @type {any} */ (performance).memory;
			return {listeners: w.__bench.listeners, timers: w.__bench.timers.size, heap: memory ? memory.usedJSHeapSize : null};
		});
	const times = [];
	const before = await snapshot();
	for (let index = 0; index < soak; index++) {
		times.push(await submitOnce(page, 250));
	}

	const after = await snapshot();
	const window = Math.max(1, Math.min(20, Math.floor(soak / 4)));
	const first = quantile(times.slice(0, window), 0.5);
	const last = quantile(times.slice(-window), 0.5);
	return {engine, submissions: soak, window, firstMedian: first, lastMedian: last, growth: last / first, before, after};
}

/**
 * Parse-and-execute time of the script-tag bundle: a blob: URL (no network) in a fresh page.
 * @param {import('@playwright/test').Browser} browser
 * @param {string} origin
 */
async function parseTime(browser, origin) {
	const context = await browser.newContext();
	const page = await context.newPage();
	const response = await page.goto(`${origin}/dist/zuora-cors.iife.min.js`);
	const code = (await response?.text()) ?? '';
	const times = [];
	for (let index = 0; index < 20; index++) {
		await page.goto('about:blank');
		times.push(
			await page.evaluate(
				async source =>
					new Promise(resolve => {
						const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
						const script = document.createElement('script');
						const start = performance.now();
						script.addEventListener('load', () => {
							resolve(performance.now() - start);
						});
						script.src = url;
						document.head.append(script);
					}),
				code,
			),
		);
	}

	await context.close();
	return {median: quantile(times, 0.5), p95: quantile(times, 0.95)};
}

/** @param {any[]} results */
function summarise(results) {
	return results.map(result => {
		const rows = SCENARIOS.map(scenario => {
			const values = result.samples[scenario.id];
			return {id: scenario.id, name: scenario.name, median: quantile(values, 0.5), p95: quantile(values, 0.95), floor: scenario.roundTrips * latency, runs: values.length};
		});
		const baseline = rows[0]?.median ?? Number.NaN;
		return {...result, rows: rows.map(row => ({...row, vsBaseline: row.median / baseline, vsFloor: row.median / row.floor}))};
	});
}

/** @param {any} summary */
function targets(summary) {
	const row = (/** @type {string} */ id) => summary.rows.find((/** @type {any} */ candidate) => candidate.id === id);
	return [
		{name: 'scenario 2 ÷ baseline ≤ 1.05', value: row('create').vsBaseline, limit: 1.05},
		{name: 'scenario 3 ÷ baseline ≤ 0.70', value: row('bind').vsBaseline, limit: 0.7},
		{name: 'scenario 3 ≤ 1.15 × floor', value: row('bind').vsFloor, limit: 1.15},
		{name: 'scenario 4 ≤ 1.15 × floor', value: row('bind-cached').vsFloor, limit: 1.15},
	].map(target => ({...target, met: target.value <= target.limit}));
}

/** @param {any[]} summaries @param {number} latency */
function chart(summaries, latency) {
	const barHeight = 16;
	const width = 640;
	const left = 250;
	const max = Math.max(...summaries.flatMap(summary => summary.rows.map((/** @type {any} */ row) => row.p95))) * 1.1;
	const scale = (/** @type {number} */ ms) => ((width - left - 120) * ms) / max;
	const colors = {chromium: '#1f5eff', firefox: '#e66000'};
	let y = 30;
	const parts = [`<text x="10" y="18" font-size="13" font-weight="bold">Click to result, median (bar) and p95 (tick), ${latency} ms injected per request</text>`];
	for (const scenario of SCENARIOS) {
		parts.push(`<text x="10" y="${y + barHeight}" font-size="12">${scenario.name.replace('&', '&amp;')}</text>`);
		for (const summary of summaries) {
			const row = summary.rows.find((/** @type {any} */ candidate) => candidate.id === scenario.id);
			const color = colors[/** @type {'chromium' | 'firefox'} */ (summary.engine)];
			parts.push(
				`<rect x="${left}" y="${y}" width="${scale(row.median).toFixed(1)}" height="${barHeight - 3}" fill="${color}"/>`,
				`<rect x="${(left + scale(row.p95)).toFixed(1)}" y="${y}" width="2" height="${barHeight - 3}" fill="#222"/>`,
				`<text x="${(left + scale(Math.max(row.median, row.p95)) + 6).toFixed(1)}" y="${y + 11}" font-size="10">${summary.engine} ${row.median.toFixed(0)} ms</text>`,
			);
			y += barHeight;
		}

		parts.push(
			`<line x1="${left + scale(scenario.roundTrips * latency)}" x2="${left + scale(scenario.roundTrips * latency)}" y1="${y - barHeight * summaries.length - 2}" y2="${y}" stroke="#2e7d32" stroke-dasharray="3,2"/>`,
		);
		y += 10;
	}

	parts.push(`<text x="10" y="${y + 12}" font-size="10" fill="#2e7d32">dashed: floor = unavoidable round trips × ${latency} ms</text>`);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 22}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}

if (process.argv[2] === '--chart') {
	// Redraw the chart from the last results.json without measuring again.
	const {readFile} = await import('node:fs/promises');
	const last = JSON.parse(await readFile(new URL('results.json', here), 'utf8'));
	await writeFile(new URL('latency.svg', here), chart(last.summaries, last.latency));
	process.exit(0);
}

const results = [];
for (const engine of engines) {
	console.log(`benchmarking ${engine}: ${runs} submissions per scenario, ${latency} ms per request...`);
	results.push(await benchEngine(/** @type {'chromium' | 'firefox'} */ (engine)));
}

const summaries = summarise(results);
let allMet = true;
const lines = [];
for (const summary of summaries) {
	lines.push(
		`\n${summary.engine} ${summary.version}, ${latency} ms per request, ${runs} runs per scenario`,
		'| scenario | median ms | p95 ms | ÷ baseline | floor ms | ÷ floor |',
		'|---|---:|---:|---:|---:|---:|',
	);
	for (const row of summary.rows) {
		lines.push(`| ${row.name} | ${row.median.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.vsBaseline.toFixed(2)} | ${row.floor} | ${row.vsFloor.toFixed(2)} |`);
	}

	for (const target of targets(summary)) {
		allMet &&= target.met;
		lines.push(`- ${target.met ? 'met' : 'MISSED'}: ${target.name} (${target.value.toFixed(2)})`);
	}

	const {soak: s, parse} = summary;
	const heap = s.before.heap === null ? 'n/a in this engine' : `${(s.before.heap / 1e6).toFixed(2)} → ${(s.after.heap / 1e6).toFixed(2)} MB`;
	lines.push(
		`- ${s.submissions} submissions in one page: median of the first ${s.window} ${s.firstMedian.toFixed(1)} ms, of the last ${s.lastMedian.toFixed(1)} ms (×${s.growth.toFixed(2)}); listeners ${s.before.listeners} → ${s.after.listeners}; pending timers ${s.before.timers} → ${s.after.timers}; heap ${heap}`,
		`- bundle parse + execute (blob: URL, no network): median ${parse.median.toFixed(2)} ms, p95 ${parse.p95.toFixed(2)} ms`,
		'',
		...summary.frame.lines,
	);
}

console.log(lines.join('\n'));
await writeFile(
	new URL('results.json', here),
	`${JSON.stringify({date: new Date().toISOString(), latency, runs, summaries: summaries.map(({samples, ...rest}) => ({...rest, samples}))}, undefined, 2)}\n`,
);
await writeFile(new URL('latency.svg', here), chart(summaries, latency));
await writeFile(new URL('results.md', here), `${lines.join('\n').trim()}\n`);
console.log(`\nwrote e2e/bench/results.json, results.md and latency.svg\nbench: ${allMet ? 'all targets met' : 'TARGETS MISSED'}`);
process.exit(allMet ? 0 : 1);
