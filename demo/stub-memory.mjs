// How much the stub's request log holds: 20,000 requests, each with a 4 KB Cookie header (a
// browser sends every cookie of the host, the stub's neighbours' included), over keep-alive
// sockets, then the heap after a full GC. Run after `npm run build`:
//   node --expose-gc demo/stub-memory.mjs [requests]
import {Agent, request} from 'node:http';
import {startZuoraStub} from 'zuora-cors/testing';

const count = Number(process.argv[2] ?? 20_000);
const cookie = `demo_session=${'a'.repeat(32)}; tracking=${'x'.repeat(4000)}`;
const heap = () => {
	globalThis.gc?.();
	return process.memoryUsage().heapUsed;
};

const stub = await startZuoraStub({});
const agent = new Agent({keepAlive: true, maxSockets: 16});
const send = () =>
	new Promise((resolve, reject) => {
		const sent = request(`${stub.url}/v1/payment-methods/credit-cards/accounts/A00000001`, {agent, headers: {cookie, origin: 'http://127.0.0.1:4000'}}, response => {
			response.resume();
			response.on('end', resolve);
		});
		sent.on('error', reject);
		sent.end();
	});

// Warm up (sockets, code), then the baseline.
await Promise.all(Array.from({length: 100}, send));
const before = heap();
for (let done = 0; done < count; done += 100) {
	await Promise.all(Array.from({length: 100}, send)); // eslint-disable-line no-await-in-loop
}

const after = heap();
console.log(`${count} requests: heap +${((after - before) / 1e6).toFixed(1)} MB; ${stub.requests().length} logged; a logged entry: ${JSON.stringify(stub.requests().at(-1))?.slice(0, 200)}`);
agent.destroy();
await stub.close();
