/**
 * The card frame's script (served by `createCardFrameHandler`, never loaded by the checkout page).
 * It waits for one `connect` from `window.parent` on an origin its server listed, then writes the
 * card form and binds it with `bindForm`: formatting, brand, validation, messages, the lifecycle,
 * prefetch, reconcile and exactly-once are the form engine's. Where the card goes (signature,
 * reconcile and Zuora URLs) comes only from the server's configuration in this document; the page
 * sends cosmetic options and `submit`, and learns only what `protocol.ts` lists.
 */
import {bindForm, type FormBinding} from '../form/index.js';
import {describeError} from '../describe-error.js';
import {ZuoraCorsError} from '../errors.js';
import type {PaymentMethodResult} from '../payment-method.js';
import type {ZuoraCardBrand} from '../zuora.js';
import {cardBrand, shownErrors, summarize} from './frame-state.js';
import {applyStyle, applyTexts, fieldOf, FIELDS, MESSAGE_CODES, texts, writeForm} from './frame-form.js';
import {cosmeticProblem, fieldsProblem, own, plainKeys, PROTOCOL, unknownKey, type CardField, type CardStyle, type Locale} from './protocol.js';

/** What the frame's server wrote into the page (`<meta name="zuora-cors-frame">`): the only source of URLs. */
type FrameConfig = {
	parentOrigins: string[];
	signatureUrl: string;
	reconcileUrl?: string;
	url?: string;
	allowedHosts?: string[];
	supportedBrands?: string[];
};

type Port = MessagePort;
type Form = ReturnType<typeof writeForm>;

const config = JSON.parse(document.querySelector<HTMLMetaElement>('meta[name="zuora-cors-frame"]')?.content ?? 'null') as FrameConfig | null;

/** Accepts the first `connect` from the parent window on a listed origin, with exactly one port; ignores every other message, then stops listening. */
function onWindowMessage(event: MessageEvent): void {
	const data: unknown = event.data;
	if (!config || event.source !== window.parent || window.parent === window || !config.parentOrigins.includes(event.origin) || own(data, 'type') !== 'connect' || event.ports.length !== 1) {
		return;
	}

	removeEventListener('message', onWindowMessage);
	const port = event.ports[0]!;
	if (own(data, 'zc') !== PROTOCOL) {
		port.postMessage({zc: PROTOCOL, type: 'error', code: 'PROTOCOL_UNSUPPORTED'});
		port.close();
		return;
	}

	connect(port, config);
}

addEventListener('message', onWindowMessage);

/** One connected page: `init` first, then `update`, `focus`, `submit`, `reset`, `destroy`. */
function connect(port: Port, frameConfig: FrameConfig): void {
	const send = (type: string, body: Record<string, unknown> = {}) => {
		port.postMessage({zc: PROTOCOL, type, ...body});
	};

	const answerRefusal = (code: string, detail?: string) => {
		send('error', {code, ...(detail && /^[\w.]{1,60}$/.test(detail) ? {detail} : {})});
	};

	let card: ReturnType<typeof bindCard> | undefined;
	port.onmessage = (event: MessageEvent) => {
		const data: unknown = event.data;
		const type = own(data, 'type');
		if (own(data, 'zc') !== PROTOCOL) {
			answerRefusal('PROTOCOL_UNSUPPORTED');
			return;
		}

		if (type === 'init' && !card) {
			const problem = optionsProblem(data, KEYS['update']!);
			if (problem) {
				answerRefusal(problem[0], problem[1]);
				return;
			}

			card = bindCard(send, frameConfig, data as Record<string, unknown>);
			send('ready', {protocol: PROTOCOL});
		} else if (card) {
			card.receive(type, data, answerRefusal);
		}
	};
}

/** A message's cosmetic options checked in the frame (whatever the page checked): `[code, detail]` of the refusal, or undefined. */
function optionsProblem(data: unknown, allowed: readonly string[]): [string, string] | undefined {
	const keys = plainKeys(data) ?? ['message'];
	const unknown = unknownKey(keys, allowed);
	if (unknown !== undefined) {
		return ['PROTOCOL', unknown];
	}

	const cosmetic = Object.fromEntries(keys.filter(key => key !== 'zc' && key !== 'type').map(key => [key, own(data, key)]));
	const problem = cosmeticProblem(cosmetic);
	if (problem === undefined && plainKeys(own(data, 'messages'))?.some(code => !MESSAGE_CODES.has(code))) {
		return ['PROTOCOL', 'messages'];
	}

	return problem === undefined ? undefined : [problem.includes('.') ? 'STYLE_REFUSED' : 'PROTOCOL', problem];
}

/** Writes and binds the form for a connected page. */
function bindCard(send: (type: string, body?: Record<string, unknown>) => void, frameConfig: FrameConfig, init: Record<string, unknown>) {
	const form = writeForm();
	let locale = (own(init, 'locale') ?? 'en') as Locale;
	let messages = texts(locale, own(init, 'messages'));
	const extra = Object.create(null) as Record<string, unknown>;
	const cosmetic = (data: unknown) => {
		if (own(data, 'locale') !== undefined || own(data, 'messages') !== undefined) {
			locale = (own(data, 'locale') ?? locale) as Locale;
			messages = texts(locale, own(data, 'messages'));
			applyTexts(locale, messages, form.labels);
		}

		if (own(data, 'style') !== undefined) {
			applyStyle(own(data, 'style') as CardStyle);
		}
	};

	cosmetic({...init, locale});
	const binding = bindForm(form.form, {
		signatureUrl: frameConfig.signatureUrl,
		// The shopper's session cookie travels to the (same-site) signature and reconcile endpoints.
		signatureOptions: {credentials: 'include'},
		...(frameConfig.reconcileUrl ? {reconcileUrl: frameConfig.reconcileUrl} : {}),
		...(frameConfig.url ? {url: frameConfig.url} : {}),
		...(frameConfig.allowedHosts ? {allowedHosts: frameConfig.allowedHosts} : {}),
		...(frameConfig.supportedBrands ? {supportedBrands: frameConfig.supportedBrands as never} : {}),
		status: form.status,
		// Read again at every submission: submit({fields}) fills it just before.
		fields: extra,
		get messages() {
			return messages;
		},
	});
	watch(form, send, frameConfig.supportedBrands as never);
	return {
		receive(type: unknown, data: unknown, answerRefusal: (code: string, detail?: string) => void) {
			receive(binding, form, {type, data, answerRefusal, send, cosmetic, extra});
		},
	};
}

type Receiving = {
	type: unknown;
	data: unknown;
	answerRefusal: (code: string, detail?: string) => void;
	send: (type: string, body?: Record<string, unknown>) => void;
	cosmetic: (data: unknown) => void;
	extra: Record<string, unknown>;
};

/** The keys each message from the page may hold (every other key refuses the message). */
const KEYS: Record<string, readonly string[]> = {
	update: ['zc', 'type', 'locale', 'messages', 'style'],
	focus: ['zc', 'type', 'field'],
	reset: ['zc', 'type'],
	submit: ['zc', 'type', 'id', 'fields'],
};

/** One message from the connected page; an unknown type is ignored (a later minor version's). */
function receive(binding: FormBinding, form: Form, {type, data, answerRefusal, send, cosmetic, extra}: Receiving): void {
	const allowed = typeof type === 'string' && Object.hasOwn(KEYS, type) ? KEYS[type]! : undefined;
	const unknown = allowed && unknownKey(plainKeys(data) ?? ['message'], allowed);
	if (type === 'submit') {
		const id = own(data, 'id');
		const fields = own(data, 'fields') ?? {};
		const problem = unknown ?? fieldsProblem(fields);
		if (typeof id !== 'number' || problem !== undefined) {
			send('result', {id, error: {code: 'PROTOCOL', kind: 'validation', stage: 'request', retryable: false, ...(problem && /^[\w.]{1,60}$/.test(problem) ? {detail: problem} : {})}});
			return;
		}

		for (const key of Object.keys(extra)) {
			delete extra[key];
		}

		Object.assign(extra, fields);
		void submit(binding, form).then(outcome => {
			send('result', {id, ...outcome});
		});
	} else if (unknown !== undefined) {
		answerRefusal('PROTOCOL', unknown);
	} else if (type === 'update') {
		const problem = optionsProblem(data, KEYS['update']!);
		problem ? answerRefusal(problem[0], problem[1]) : cosmetic(data);
	} else if (type === 'focus') {
		const field = own(data, 'field');
		form.inputs.get((FIELDS.some(entry => entry.field === field) ? field : 'number') as CardField)?.focus();
	} else if (type === 'reset') {
		binding.reset();
	}
}

/** One submission through the form engine; what the page may learn of its outcome. */
async function submit(binding: FormBinding, form: Form): Promise<Record<string, unknown>> {
	// Read before the engine clears the number: kept only for a success.
	const number = form.inputs.get('number')!.value.replace(/\D/g, '');
	const expiry = form.inputs.get('expiry')!.value.replace(/\D/g, '');
	try {
		const result: PaymentMethodResult = await binding.submit();
		return {
			card: {
				paymentMethodId: result.paymentMethodId,
				brand: cardBrand(number),
				last4: number.slice(-4),
				expirationMonth: Number(expiry.slice(0, 2)),
				expirationYear: 2000 + Number(expiry.slice(2)),
				...(result.recovered ? {recovered: true} : {}),
			},
		};
	} catch (error) {
		const summary = errorSummary(error);
		for (const [field, {code}] of Object.entries((summary['fields'] ?? {}) as Record<CardField, {code: string}>)) {
			shownErrors.set(field as CardField, code);
		}

		return {error: summary};
	}
}

/** What the page learns of a failure: codes and flags, a field, never a value. */
function errorSummary(error: unknown): Record<string, unknown> {
	const failure = error instanceof ZuoraCorsError ? error : new ZuoraCorsError('unexpected', {kind: 'invalid-response', stage: 'request'});
	const crossSite = failure.stage === 'signature' && failure.code === 'CROSS_SITE';
	const described = describeError(failure);
	// By the frame's field names; the text is the one the frame shows (a fixed sentence, never a value).
	const fields = Object.fromEntries(Object.entries(failure.fields ?? {}).flatMap(([name, {code, message}]) => (fieldOf(name) ? [[fieldOf(name), {code, message}]] : [])));
	const field = Object.keys(fields)[0];
	return {
		code: crossSite ? 'FRAME_CROSS_SITE' : described.code,
		kind: crossSite ? 'setup' : failure.kind,
		stage: failure.stage,
		retryable: crossSite ? false : failure.retryable,
		...(failure.status === undefined ? {} : {status: failure.status}),
		...(failure.retryAfter === undefined ? {} : {retryAfter: failure.retryAfter}),
		...(field ? {field, fields} : {}),
	};
}

/** Focus, blur, Enter, and the state summary when it changes (see frame-state.ts). */
function watch(form: Form, send: (type: string, body?: Record<string, unknown>) => void, supportedBrands?: readonly ZuoraCardBrand[]): void {
	let last = '';
	const changed = () => {
		const state = summarize(form.form, form.inputs, supportedBrands);
		const text = JSON.stringify(state);
		if (text !== last) {
			last = text;
			send('change', {state});
		}
	};

	for (const type of ['focusin', 'focusout'] as const) {
		form.form.addEventListener(type, event => {
			const field = [...form.inputs].find(([, input]) => input === event.target)?.[0];
			if (field) {
				send(type === 'focusin' ? 'focus' : 'blur', {field});
			}

			changed();
		});
	}

	form.form.addEventListener('keydown', event => {
		if (event.key === 'Enter' && !event.isComposing) {
			event.preventDefault();
			send('submit-request');
		}
	});
	// The document's height, for the page to size the iframe: it changes with error texts and
	// styles, never with what is typed (an input's value does not change its height).
	let height = 0;
	new ResizeObserver(() => {
		const next = Math.ceil(document.documentElement.getBoundingClientRect().height);
		if (next !== height) {
			height = next;
			send('resize', {height});
		}
	}).observe(document.documentElement);
	// After the engine's own listeners (formatting, brand, errors): the summary reads their result.
	form.form.addEventListener('input', changed);
	form.form.addEventListener('zuora-cors:success', changed);
	form.form.addEventListener('zuora-cors:error', changed);
	changed();
}
