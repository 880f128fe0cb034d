/**
 * `zuora-cors/frames`: the card fields in a frame on the merchant's card origin
 * (`createCardFrameHandler` serves it), so no script of the checkout page can read the card. This
 * module holds no card logic: it makes the iframe, connects to it over a MessageChannel, and turns
 * the frame's messages into a promise API and events on the container.
 */
import {ZuoraCorsError} from '../errors.js';
import {invalidOption, ownRecord} from '../options.js';
import {loadingValue, own, PROTOCOL, type CardField, type CardStyle, type Locale} from './protocol.js';

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

/** The frame's URL checked: another origin than the page's, https off loopback (`option_invalid` otherwise). */
function checkedFrameUrl(value: unknown): URL {
	let url: URL | undefined;
	try {
		url = new URL(value as string, location.href);
	} catch {}

	const loopback = url && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
	return url && url.origin !== location.origin && (url.protocol === 'https:' || (loopback && url.protocol === 'http:')) ? url : invalidOption('request', 'frameUrl', 'not_isolated_frame');
}

/** An error the frame reported (or the page module found), as the library's one error type; `code` is its first reason's. */
function frameError(code: string, message: string, details: Message = {}): ZuoraCorsError {
	const error = new ZuoraCorsError(`Card frame: ${message} (${code})`, {
		kind: (own(details, 'kind') ?? 'setup') as ZuoraCorsError['kind'],
		stage: own(details, 'stage') === 'signature' ? 'signature' : 'request',
		reasons: [{code, message}],
		status: own(details, 'status') as number | undefined,
		retryAfter: own(details, 'retryAfter') as number | undefined,
		fields: own(details, 'fields') as ZuoraCorsError['fields'],
	});
	// The frame knows whether trying again is safe (it saw the engine's error); `field`: the first field in error.
	return Object.assign(error, {retryable: own(details, 'retryable') === true, field: own(details, 'field')});
}

/** The cosmetic options given (undefined ones dropped); a value that can load something is refused here, and again in the frame. */
function checkedCosmetic(options: Message): Message {
	const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
	const problem = loadingValue(own(given, 'style'));
	return problem === undefined ? given : invalidOption('request', `style.${problem}`, 'style_refused');
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
	const pick = <Name extends keyof CardFieldsOptions>(name: Name) => own(options, name) as CardFieldsOptions[Name];
	const url = checkedFrameUrl(pick('frameUrl'));
	if (!(host instanceof Element)) {
		return invalidOption('request', 'container', 'not_element');
	}

	const cosmetic = checkedCosmetic({locale: pick('locale'), messages: pick('messages'), style: pick('style')});
	const frame = document.createElement('iframe');
	frame.title = pick('title') ?? 'Card details';
	frame.style.border = '0';
	frame.style.width = '100%';
	const link = createLink(host, frame, url.origin, cosmetic, pick('readyTimeout') ?? 15_000);
	frame.src = url.href;
	host.append(frame);
	return {
		ready: link.ready,
		submit: link.submit,
		update(changes) {
			link.post('update', checkedCosmetic({...changes}));
		},
		focus(field = 'number') {
			frame.focus();
			link.post('focus', {field});
		},
		reset() {
			link.post('reset');
		},
		destroy() {
			link.close();
			frame.remove();
		},
	};
}

type Pending = Map<unknown, [(result: CardFieldsResult) => void, (error: ZuoraCorsError) => void]>;
type Emit = (name: string, detail?: unknown) => void;

/**
 * The connection to the frame: a new MessageChannel at each load of the iframe (a second load is a
 * reload: reported, and connected again), `ready` with its deadline, and submissions by id.
 */
function createLink(host: Element, frame: HTMLIFrameElement, origin: string, cosmetic: Message, timeout: number) {
	let port: MessagePort | undefined;
	let connected = false;
	let last = 0;
	let inFlight: Promise<CardFieldsResult> | undefined;
	const pending: Pending = new Map();
	// The event's init on a null prototype: the DOM reads `cancelable` and `composed` through it too.
	const emit: Emit = (name, detail) => host.dispatchEvent(new CustomEvent(`zuora-cors:${name}`, ownRecord({detail, bubbles: true})));
	const post = (type: string, body: Message = {}) => port?.postMessage({zc: PROTOCOL, type, ...body});
	let settle: [() => void, (error: ZuoraCorsError) => void];
	const ready = new Promise<void>((resolve, reject) => {
		settle = [resolve, reject];
	});
	ready.catch(() => undefined);
	const fail = (error: ZuoraCorsError) => {
		clearTimeout(timer);
		settle[1](error);
		emit('error', {error});
	};

	const timer = setTimeout(() => {
		fail(frameError('FRAME_TIMEOUT', `no connection in ${timeout} ms: do frameUrl's parentOrigins list ${location.origin}?`));
	}, timeout);

	/** Submissions the frame will never answer (it reloaded, or was destroyed): their outcome is unknown. */
	const abandon = (code: string) => {
		for (const [, reject] of pending.values()) {
			reject(frameError(code, 'outcome unknown, check the saved cards', {kind: 'aborted'}));
		}

		pending.clear();
		inFlight = undefined;
	};

	const receive = ({data}: MessageEvent) => {
		const type = own(data, 'type');
		if (own(data, 'zc') !== PROTOCOL || own(data, 'code') === 'PROTOCOL_UNSUPPORTED') {
			fail(frameError('FRAME_VERSION', `not protocol ${PROTOCOL}`));
		} else if (type === 'ready') {
			clearTimeout(timer);
			connected = true;
			settle[0]();
			emit('ready');
		} else if (type === 'error') {
			// A refused `init` (a style the frame refuses) means no connection: ready rejects with it.
			const error = frameError(String(own(data, 'code')), `refused ${String(own(data, 'detail'))}`);
			connected ? emit('error', {error}) : fail(error);
		} else if (type === 'resize') {
			frame.style.height = `${Number(own(data, 'height')) || 0}px`;
		} else {
			relay(type, data, pending, emit);
		}
	};

	frame.addEventListener('load', () => {
		if (port) {
			port.close();
			abandon('FRAME_RELOADED');
			if (connected) {
				emit('error', {error: frameError('FRAME_RELOADED', 'the frame reloaded')});
			}
		}

		const channel = new MessageChannel();
		port = channel.port1;
		port.onmessage = receive;
		frame.contentWindow?.postMessage({zc: PROTOCOL, type: 'connect'}, origin, [channel.port2]);
		post('init', cosmetic);
	});
	return {
		ready,
		post,
		/** One submission at a time: concurrent calls share it. The frame checks `fields` (non-card fields only). */
		async submit(submitOptions: {fields?: unknown} = {}): Promise<CardFieldsResult> {
			const fields = own(submitOptions, 'fields');
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
		close() {
			clearTimeout(timer);
			abandon('FRAME_DESTROYED');
			port?.close();
			port = undefined;
		},
	};
}

/** A submission's result to its caller and as an event; `change`, `focus`, `blur`, `submit-request` as events. */
function relay(type: unknown, data: unknown, pending: Pending, emit: Emit): void {
	if (type !== 'result') {
		const field = own(data, 'field');
		emit(String(type), type === 'change' ? {state: own(data, 'state')} : field ? {field} : undefined);
		return;
	}

	const callbacks = pending.get(own(data, 'id'));
	pending.delete(own(data, 'id'));
	const error = own(data, 'error') as Message | undefined;
	if (error) {
		const detail = own(error, 'detail');
		const failure = frameError(String(own(error, 'code')), detail ? `refused ${String(detail)}` : 'not saved', error);
		callbacks?.[1](failure);
		emit('error', {error: failure});
	} else {
		const result = {success: true, ...(own(data, 'card') as Message)} as CardFieldsResult;
		callbacks?.[0](result);
		emit('success', {result});
	}
}
