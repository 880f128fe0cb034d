/**
 * Which controls the binding reads, and the card they hold: least privilege. By default only the
 * card itself is read; any other Zuora field only when the page's code names it in `formFields`.
 */
import type {CreditCardInput} from '../card.js';
import {invalidOption} from '../options.js';
import {contains, formElements, findAll, isControl, type Control} from './dom-calls.js';

export const HOLDER = 'cardHolderInfo';

/** A `<fieldset disabled>` with this attribute holds the card controls. */
export const FIELDSET_ATTRIBUTE = 'data-zuora-cors-fields';

/** The elements that can be controls or submit buttons. */
export const CONTROL_SELECTOR = 'input, select, textarea, button';

/** The card itself: what bindForm reads without being told (`expiry` is the library's one `MM / YY` control). */
export const CARD_FIELDS = ['creditCardNumber', 'expirationMonth', 'expirationYear', 'expiry', 'securityCode', `${HOLDER}.cardHolderName`] as const;

/**
 * The other fields of Zuora's Create Payment Method (credit card) body a form may hold: read only
 * when named in `formFields`.
 * `numConsecutiveFailures` is left out on purpose: a shopper has no business setting it.
 */
// A literal list, and no Set built at load: anything computed at the top of a module stays in
// every bundle of the entry (a createPaymentMethod-only app carried this list and its Set).
export const OPTIONAL_FIELDS = [
	'accountKey',
	'creditCardType',
	'defaultPaymentMethod',
	'cardHolderInfo.addressLine1',
	'cardHolderInfo.addressLine2',
	'cardHolderInfo.city',
	'cardHolderInfo.state',
	'cardHolderInfo.country',
	'cardHolderInfo.zipCode',
	'cardHolderInfo.phone',
	'cardHolderInfo.email',
] as const;

/** A name `formFields` accepts. */
export type OptionalFormField = (typeof OPTIONAL_FIELDS)[number];

// Keys that could reach a prototype if they ever became a property name.
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** An array option's items, each read only as an own index (undefined: not an array). */
export function ownItems(value: unknown): unknown[] | undefined {
	return Array.isArray(value) ? Array.from({length: value.length}, (_, index) => (Object.hasOwn(value, index) ? (value[index] as unknown) : undefined)) : undefined;
}

/** The `formFields` option checked: an array of optional Zuora field names. */
export function readFormFields(value: unknown): string[] {
	if (value === undefined) {
		return [];
	}

	const names = ownItems(value);
	if (!names?.every(name => (OPTIONAL_FIELDS as readonly unknown[]).includes(name))) {
		return invalidOption('request', 'formFields', 'not_field_names');
	}

	return names as string[];
}

/** Inside means both: a descendant of the form and owned by it (`form="…"` can make either untrue). */
export function isInside(form: HTMLFormElement, control: Control): boolean {
	return control.form === form && contains(form, control);
}

/** Bound: inside the form (see isInside) and inside one of its `data-zuora-cors-fields` fieldsets. */
export function isBound(form: HTMLFormElement, control: Control): boolean {
	const fieldset = control.closest(`fieldset[${FIELDSET_ATTRIBUTE}]`);
	return isInside(form, control) && fieldset !== null && contains(form, fieldset);
}

/**
 * The names the binding reads, fixed at bind time: the card and what `formFields` declares. A
 * control under any other name is ignored, `creditCardType` included: one the page did not
 * declare (an injected hidden input) never decides the brand, which comes from the number.
 */
export function boundNames(_form: HTMLFormElement, declared: readonly string[]): ReadonlySet<string> {
	return new Set<string>([...CARD_FIELDS, ...declared]);
}

/** Every element owned by the form or inside it: `form="…"` can bring a control in from outside. */
export function candidates(form: HTMLFormElement): Element[] {
	return [...new Set([...formElements(form), ...findAll(form, CONTROL_SELECTOR)])];
}

/**
 * Every control under a bound name that is owned by the form or inside it, by name: also the
 * ones `form="…"` brings in from outside or sends away, so a second control of a name is seen
 * wherever it was injected.
 */
export function scan(form: HTMLFormElement, names: ReadonlySet<string>): Map<string, Control[]> {
	const controls = new Map<string, Control[]>();
	for (const element of candidates(form)) {
		if (isControl(element) && names.has(element.name)) {
			controls.set(element.name, [...(controls.get(element.name) ?? []), element]);
		}
	}

	return controls;
}

/** Names given by more than one control; a radio group is the one legitimate repeat. */
export function duplicates(controls: Map<string, Control[]>): string[] {
	const repeated = [...controls].filter(([, list]) => list.length > 1 && !list.every(control => control.type === 'radio')).map(([name]) => name);
	// `expiry` and expirationMonth/expirationYear are one expiry date given twice: an injected
	// `expiry` must not silently replace the month and year the shopper chose (or the reverse).
	return controls.has('expiry') && (controls.has('expirationMonth') || controls.has('expirationYear')) && !repeated.includes('expiry') ? [...repeated, 'expiry'] : repeated;
}

/**
 * The card from the bound controls and the `fields` option, in objects without a prototype and
 * under Zuora's names only: no control name is ever split into a path.
 */
export function readCard(form: HTMLFormElement, controls: Map<string, Control[]>, extra: Record<string, unknown>): CreditCardInput {
	const card = Object.create(null) as Record<string, unknown>;
	const holder = Object.create(null) as Record<string, unknown>;
	for (const [name, list] of controls) {
		for (const control of list) {
			if (!isBound(form, control) || control.matches(':disabled') || (control instanceof HTMLInputElement && control.type === 'radio' && !control.checked)) {
				continue;
			}

			const value = control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
			if (value === '') {
				continue;
			}

			if (name === 'expiry') {
				// `MM / YY`: the year's two digits are read as 20YY.
				const digits = String(value).replace(/\D/g, '');
				card['expirationMonth'] = digits.slice(0, 2);
				card['expirationYear'] = digits.slice(2);
			} else if (name.startsWith(`${HOLDER}.`)) {
				holder[name.slice(HOLDER.length + 1)] = value;
			} else {
				card[name] = value;
			}
		}
	}

	for (const [name, value] of Object.entries(extra)) {
		if (name === HOLDER) {
			Object.assign(holder, value);
		} else {
			card[name] = value;
		}
	}

	if (Object.keys(holder).length > 0) {
		card[HOLDER] = holder;
	}

	return card;
}

/**
 * The `fields` option checked: a plain object (prototype Object.prototype or null) whose own
 * data properties are strings, numbers or booleans (`cardHolderInfo`: a plain object of strings),
 * copied into an object without a prototype. Nothing inherited is read, and no key can name a
 * prototype. The messages name the option, never a value.
 */
export function readOptionFields(fields: unknown, holder?: boolean): Record<string, unknown> {
	const result = Object.create(null) as Record<string, unknown>;
	const bad = () => invalidOption('request', 'fields', 'not_field_values');
	if (fields === undefined && !holder) {
		return result;
	}

	const prototype = fields !== null && typeof fields === 'object' ? (Object.getPrototypeOf(fields) as unknown) : 0;
	if (prototype !== Object.prototype && prototype !== null) {
		bad();
	}

	for (const key of Object.keys(fields as object)) {
		const descriptor = Object.getOwnPropertyDescriptor(fields, key)!;
		const {value} = descriptor as {value: unknown};
		if (UNSAFE_KEYS.has(key) || !Object.hasOwn(descriptor, 'value')) {
			bad();
		}

		result[key] = !holder && key === HOLDER ? readOptionFields(value, true) : (holder ? typeof value === 'string' : ['string', 'number', 'boolean'].includes(typeof value)) ? value : bad();
	}

	return result;
}
