/**
 * The frame's own document: the one card form the library writes (no merchant HTML), its labels
 * in the locale, and the page's style applied through CSSOM on the frame's own stylesheet (CSP
 * `style-src 'self'` blocks markup, not CSSOM). Every text from the page goes in as text
 * (`textContent`, attributes), never as markup.
 */
import {de} from '../locales/de.js';
import {en} from '../locales/en.js';
import {es} from '../locales/es.js';
import {fr} from '../locales/fr.js';
import {ja} from '../locales/ja.js';
import type {Messages} from '../messages.js';
import {own, plainKeys, type CardField, type CardStyle, type Locale} from './protocol.js';

/** The frame's own texts (labels and its title), by code, in each locale; the page may replace them through `messages`. */
const LABELS: Record<Locale, Record<string, string>> = {
	en: {label_number: 'Card number', label_expiry: 'Expiry date (MM / YY)', label_security_code: 'Security code', label_name: 'Name on card', label_title: 'Card details'},
	de: {label_number: 'Kartennummer', label_expiry: 'Ablaufdatum (MM / JJ)', label_security_code: 'Sicherheitscode', label_name: 'Name auf der Karte', label_title: 'Kartendaten'},
	es: {
		label_number: 'Número de tarjeta',
		label_expiry: 'Fecha de caducidad (MM / AA)',
		label_security_code: 'Código de seguridad',
		label_name: 'Nombre en la tarjeta',
		label_title: 'Datos de la tarjeta',
	},
	fr: {label_number: 'Numéro de carte', label_expiry: "Date d'expiration (MM / AA)", label_security_code: 'Code de sécurité', label_name: 'Nom sur la carte', label_title: 'Données de la carte'},
	ja: {label_number: 'カード番号', label_expiry: '有効期限 (MM / YY)', label_security_code: 'セキュリティコード', label_name: 'カード名義', label_title: 'カード情報'},
};

const CATALOGUES: Record<Locale, Messages> = {en, de, es, fr, ja};

/** Every code a page may give a text for: the library's messages and the frame's labels. */
export const MESSAGE_CODES: ReadonlySet<string> = new Set([...Object.keys(en), ...Object.keys(LABELS.en)]);

/** The texts of a locale with the page's own over them (codes already checked against MESSAGE_CODES). */
export function texts(locale: Locale, messages: unknown): Record<string, string> {
	const result: Record<string, string> = Object.assign(Object.create(null) as object, CATALOGUES[locale], LABELS[locale]);
	for (const code of plainKeys(messages) ?? []) {
		result[code] = own(messages, code) as string;
	}

	return result;
}

/** Each card field: the control's Zuora name (what bindForm reads), its autocomplete token, its label's code, and inputmode. */
export const FIELDS: ReadonlyArray<{field: CardField; name: string; autocomplete: string; label: string; numeric: boolean}> = [
	{field: 'number', name: 'creditCardNumber', autocomplete: 'cc-number', label: 'label_number', numeric: true},
	{field: 'expiry', name: 'expiry', autocomplete: 'cc-exp', label: 'label_expiry', numeric: true},
	{field: 'securityCode', name: 'securityCode', autocomplete: 'cc-csc', label: 'label_security_code', numeric: true},
	{field: 'name', name: 'cardHolderInfo.cardHolderName', autocomplete: 'cc-name', label: 'label_name', numeric: false},
];

/** The frame field a Zuora name (or bindForm control name) belongs to. */
export function fieldOf(name: string): CardField | undefined {
	return name === 'expirationMonth' || name === 'expirationYear' ? 'expiry' : FIELDS.find(field => field.name === name)?.field;
}

/** Writes the form: a disabled fieldset (bindForm enables it) with a labelled input per field, and a live status region. */
export function writeForm(): {form: HTMLFormElement; status: HTMLElement; inputs: Map<CardField, HTMLInputElement>; labels: Map<CardField, HTMLLabelElement>} {
	const form = document.createElement('form');
	form.noValidate = true;
	const fieldset = document.createElement('fieldset');
	fieldset.disabled = true;
	fieldset.setAttribute('data-zuora-cors-fields', '');
	const inputs = new Map<CardField, HTMLInputElement>();
	const labels = new Map<CardField, HTMLLabelElement>();
	for (const {field, name, autocomplete, numeric} of FIELDS) {
		const row = document.createElement('div');
		row.className = 'zc-field';
		const label = document.createElement('label');
		const input = document.createElement('input');
		input.id = `zc-${field}`;
		label.htmlFor = input.id;
		input.name = name;
		input.disabled = true;
		input.autocomplete = autocomplete as AutoFill;
		input.spellcheck = false;
		if (numeric) {
			input.inputMode = 'numeric';
		}

		row.append(label, input);
		fieldset.append(row);
		inputs.set(field, input);
		labels.set(field, label);
	}

	const status = document.createElement('p');
	status.setAttribute('role', 'status');
	status.className = 'zc-status';
	form.append(fieldset, status);
	document.body.append(form);
	return {form, status, inputs, labels};
}

/** Puts the locale's labels on the form and the document. */
export function applyTexts(locale: Locale, text: Record<string, string>, labels: Map<CardField, HTMLLabelElement>): void {
	document.documentElement.lang = locale;
	document.title = text['label_title'] ?? '';
	for (const {field, label} of FIELDS) {
		labels.get(field)!.textContent = text[label] ?? '';
	}
}

const SELECTORS: Record<string, string> = {
	base: '.zc-field input',
	hover: '.zc-field input:hover',
	focus: '.zc-field input:focus',
	invalid: '.zc-field input[aria-invalid="true"]',
	placeholder: '.zc-field input::placeholder',
	disabled: '.zc-field input:disabled',
	label: '.zc-field label',
	error: '[data-zuora-cors-error-for]',
	status: '.zc-status',
};

let applied = 0;

/**
 * Replaces the page's style (already checked by styleProblem) in the frame's own stylesheet: one
 * rule per variant, each property set through `style.setProperty`, so a value is parsed as one
 * value and nothing else.
 */
export function applyStyle(style: CardStyle): void {
	const sheet = document.styleSheets[0];
	if (!sheet) {
		return;
	}

	for (; applied > 0; applied--) {
		sheet.deleteRule(sheet.cssRules.length - 1);
	}

	for (const variant of plainKeys(style) ?? []) {
		const index = sheet.insertRule(`${SELECTORS[variant]}{}`, sheet.cssRules.length);
		applied++;
		const rule = sheet.cssRules[index] as CSSStyleRule;
		const properties = own(style, variant);
		for (const property of plainKeys(properties) ?? []) {
			rule.style.setProperty(
				property.replace(/[A-Z]/g, upper => `-${upper.toLowerCase()}`),
				own(properties, property) as string,
			);
		}
	}
}
