/**
 * `zuora-cors/frames`: the card fields in a frame on the merchant's card origin
 * (`createCardFrameHandler` serves it), so no script of the checkout page can read the card. This
 * module holds no card logic: it makes the iframe, connects to it over a MessageChannel, and turns
 * the frame's messages into a promise API and events on the container.
 */
import {ZuoraCorsError} from '../errors.js';
import {invalidOption} from '../options.js';
import {cosmeticProblem, fieldsProblem, PROTOCOL, type CardField, type CardStyle, type Locale} from './protocol.js';

export type {CardField, CardState, CardStyle, Locale} from './protocol.js';

export type CardFieldsOptions = {
	/** The frame page: the root of your card origin (`createCardFrameHandler`), e.g. `https://cards.shop.example/`. Never this page's origin. */
	frameUrl: string | URL;
	/** @default 'en' */
	locale?: Locale;
	/** Texts by code replacing the locale's (the library's message codes and `label_number`, `label_expiry`, `label_security_code`, `label_name`, `label_title`). */
	messages?: Record<string, string>;
	/** Variants (`base`, `hover`, `focus`, `invalid`, `placeholder`, `disabled`, `label`, `error`, `status`) of allowed CSS properties (camelCase); nothing that loads a URL. */
	style?: CardStyle;
	/** The iframe's accessible name. @default 'Card details' */
	title?: string;
	/**
	 * Milliseconds for the frame to connect; `ready` rejects after it.
	 *
	 * @default 15000
	 */
	readyTimeout?: number;
};

/** What `submit` resolves with: the saved card's public facts. */
export type CardFieldsResult = {
	success: true;
	paymentMethodId: string;
	brand: string;
	last4: string;
	expirationMonth: number;
	expirationYear: number;
	/** The card POST's answer was lost and the merchant's reconcile endpoint found the card saved. */
	recovered?: true;
};

export type CardFields = {
	/** Resolves once the frame is connected; rejects with a `ZuoraCorsError` when it does not connect in time. */
	ready: Promise<void>;
	/** Submits the card (with non-card `fields`: `defaultPaymentMethod`, `cardHolderInfo` address and contact); concurrent calls share one submission. */
	submit(options?: {fields?: {defaultPaymentMethod?: boolean; cardHolderInfo?: Record<string, string>}}): Promise<CardFieldsResult>;
	/** Changes the cosmetic options (`locale`, `messages`, `style`). */
	update(options: Pick<CardFieldsOptions, 'locale' | 'messages' | 'style'>): void;
	/** Moves the focus into the frame, to `field` (default: the number). */
	focus(field?: CardField): void;
	/** Unlocks the frame after a success and clears the card. */
	reset(): void;
	/** Removes the frame and every listener. */
	destroy(): void;
};

/** The events dispatched on the container (`detail` in brackets). */
export const CARD_FIELDS_EVENTS = {
	ready: 'zuora-cors:ready',
	/** `{state}`: a `CardState`. */
	change: 'zuora-cors:change',
	/** `{field}` */
	focus: 'zuora-cors:focus',
	/** `{field}` */
	blur: 'zuora-cors:blur',
	/** Enter pressed in the frame. */
	submitRequest: 'zuora-cors:submit-request',
	/** `{result}` */
	success: 'zuora-cors:success',
	/** `{error}` */
	error: 'zuora-cors:error',
} as const;

type Message = Record<string, unknown>;

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The frame's URL checked: another origin than the page's, https off loopback. */
function frameOrigin(value: unknown): URL {
	let url: URL;
	try {
		url = new URL(value as string, location.href);
	} catch {
		return invalidOption('request', 'frameUrl', 'the URL of the card frame');
	}

	if (url.origin === location.origin) {
		return invalidOption('request', 'frameUrl', "a card origin other than this page's (no isolation on the same origin)");
	}

	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
		return invalidOption('request', 'frameUrl', 'an https URL (http only on a loopback host)');
	}

	return url;
}

/** An error the frame reported, as the one error type of the library. */
function frameError(code: string, message: string, details: Message = {}): ZuoraCorsError {
	const own = (name: string) => (Object.hasOwn(details, name) ? details[name] : undefined);
	const fields = own('fields') as Record<string, string> | undefined;
	const error = new ZuoraCorsError(`Card frame: ${message} (${code})`, {
		kind: (own('kind') as ZuoraCorsError['kind'] | undefined) ?? 'setup',
		stage: own('stage') === 'signature' ? 'signature' : 'request',
		reasons: [{code, message}],
		...(typeof own('status') === 'number' ? {status: own('status') as number} : {}),
		...(typeof own('retryAfter') === 'number' ? {retryAfter: own('retryAfter') as number} : {}),
		...(fields ? {fields: Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, {code: field as never, message: field}]))} : {}),
	});
	return Object.assign(error, {retryable: own('retryable') === true, ...(typeof own('field') === 'string' ? {field: own('field')} : {})});
}

/**
 * Mounts the card fields in `container` (an element or a selector): an iframe of `frameUrl`
 * that connects over a MessageChannel. The page never sees the card: it gets `ready`, focus and
 * blur per field, a state summary when it changes, Enter pressed, and after a success the id,
 * brand, last four digits and expiry.
 *
 * @example
 * const card = mountCardFields('#card', {frameUrl: 'https://cards.shop.example/'});
 * button.addEventListener('click', async () => show(await card.submit()));
 */
export function mountCardFields(container: Element | string, options: CardFieldsOptions): CardFields {
	const host = typeof container === 'string' ? document.querySelector(container) : container;
	if (!(host instanceof Element)) {
		invalidOption('request', 'container', 'an element or a selector that finds one');
	}

	const given = Object.hasOwn(options, 'frameUrl') ? options.frameUrl : undefined;
	const url = frameOrigin(given);
	const pick = <Name extends keyof CardFieldsOptions>(name: Name) => (Object.hasOwn(options, name) ? options[name] : undefined);
	const cosmetic = checkedCosmetic({locale: pick('locale'), messages: pick('messages'), style: pick('style')});
	const timeout = pick('readyTimeout') ?? 15_000;
	const connection = connectFrame(host!, url, pick('title') ?? 'Card details', cosmetic, timeout);
	return connection;
}

/** The cosmetic options the page gave, checked (undefined ones dropped); a bad one is refused with `option_invalid` naming it. */
function checkedCosmetic(options: Message): Message {
	const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
	const problem = cosmeticProblem(given);
	return problem === undefined ? given : invalidOption('request', problem, 'an allowed value (see CardFieldsOptions)');
}

/** The iframe, its connection and the handle. */
function connectFrame(host: Element, url: URL, title: string, cosmetic: Message, timeout: number): CardFields {
	const frame = document.createElement('iframe');
	frame.title = title;
	frame.style.border = '0';
	frame.style.width = '100%';
	let port: MessagePort | undefined;
	let connected = false;
	let last = 0;
	let inFlight: Promise<CardFieldsResult> | undefined;
	const pending = new Map<number, [(result: CardFieldsResult) => void, (error: ZuoraCorsError) => void]>();
	const emit = (name: keyof typeof CARD_FIELDS_EVENTS, detail?: unknown) => host.dispatchEvent(new CustomEvent(CARD_FIELDS_EVENTS[name], {detail, bubbles: true}));
	const post = (type: string, body: Message = {}) => port?.postMessage({zc: PROTOCOL, type, ...body});
	let settle: [() => void, (error: ZuoraCorsError) => void];
	const ready = new Promise<void>((resolve, reject) => {
		settle = [resolve, reject];
	});
	ready.catch(() => undefined);
	const fail = (error: ZuoraCorsError) => {
		settle[1](error);
		emit('error', {error});
	};

	const timer = setTimeout(() => {
		fail(frameError('FRAME_TIMEOUT', `no connection within ${timeout} ms: check frameUrl, and that the frame's parentOrigins lists ${location.origin}`));
	}, timeout);

	const receive = (event: MessageEvent) => {
		const data = event.data as Message;
		const type = data?.['type'];
		if (data?.['zc'] !== PROTOCOL || (type === 'error' && data['code'] === 'PROTOCOL_UNSUPPORTED')) {
			clearTimeout(timer);
			fail(frameError('FRAME_VERSION', `the frame speaks another protocol version than ${PROTOCOL}`));
		} else if (type === 'ready') {
			clearTimeout(timer);
			connected = true;
			settle[0]();
			emit('ready');
		} else if (type === 'change') {
			emit('change', {state: data['state']});
		} else if (type === 'focus' || type === 'blur') {
			emit(type, {field: data['field']});
		} else if (type === 'submit-request') {
			emit('submitRequest');
		} else if (type === 'result') {
			finish(data);
		} else if (type === 'error') {
			emit('error', {error: frameError(String(data['code']), `the frame refused a message${data['detail'] ? ` (${String(data['detail'])})` : ''}`)});
		}
	};

	const finish = (data: Message) => {
		const callbacks = pending.get(data['id'] as number);
		pending.delete(data['id'] as number);
		if (data['ok'] === true) {
			const {paymentMethodId, brand, last4, expirationMonth, expirationYear, recovered} = data;
			const result = {success: true, paymentMethodId, brand, last4, expirationMonth, expirationYear, ...(recovered ? {recovered: true} : {})} as CardFieldsResult;
			callbacks?.[0](result);
			emit('success', {result});
		} else {
			const details = (data['error'] ?? {}) as Message;
			const error = frameError(String(details['code']), 'the card was not saved', details);
			callbacks?.[1](error);
			emit('error', {error});
		}
	};

	frame.addEventListener('load', () => {
		// A second load: the frame navigated or reloaded; its state is gone, connect again.
		if (port) {
			port.close();
			pending.clear();
			inFlight = undefined;
			if (connected) {
				emit('error', {error: frameError('FRAME_RELOADED', 'the frame was reloaded; the card fields were cleared')});
			}
		}

		const channel = new MessageChannel();
		port = channel.port1;
		port.onmessage = receive;
		frame.contentWindow?.postMessage({zc: PROTOCOL, type: 'connect'}, url.origin, [channel.port2]);
		post('init', cosmetic);
	});
	frame.src = url.href;
	host.append(frame);

	return {
		ready,
		submit(submitOptions = {}) {
			const fields = Object.hasOwn(submitOptions, 'fields') ? submitOptions.fields : undefined;
			const problem = fields === undefined ? undefined : fieldsProblem(fields);
			if (problem !== undefined) {
				return Promise.reject(new ZuoraCorsError(`Invalid option \`fields\`: ${problem} is not a non-card field`, {kind: 'validation', stage: 'request'}));
			}

			inFlight ??= ready
				.then(
					async () =>
						new Promise<CardFieldsResult>((resolve, reject) => {
							pending.set(++last, [resolve, reject]);
							post('submit', {id: last, ...(fields === undefined ? {} : {fields})});
						}),
				)
				.finally(() => {
					inFlight = undefined;
				});
			return inFlight;
		},
		update(changes) {
			post('update', checkedCosmetic({...changes}));
		},
		focus(field = 'number') {
			frame.focus();
			post('focus', {field});
		},
		reset() {
			post('reset');
		},
		destroy() {
			clearTimeout(timer);
			port?.close();
			port = undefined;
			frame.remove();
		},
	};
}
