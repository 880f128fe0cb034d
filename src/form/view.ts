/**
 * What the shopper sees and hears: field errors tied to their controls (`aria-invalid`,
 * `aria-describedby`, a `role=alert` slot), the focus, the status region, the brand on the form,
 * and the hints the page left out. Every attribute the view sets keeps the page's own value, which
 * `restore()` puts back.
 */
import {brandInfo} from '../card-rules.js';
import {ownRecord} from '../options.js';
import type {ZuoraCardBrand} from '../zuora.js';
import {call, createElement, findAll, getAttribute, setAttribute, type Control} from './dom-calls.js';
import {isInside} from './fields.js';

export const ERROR_ATTRIBUTE = 'data-zuora-cors-error-for';

/** The status region bindForm adds when the page gives none. */
export const STATUS_ATTRIBUTE = 'data-zuora-cors-status';

/** `autocomplete` tokens (after `cc-`) set on Zuora's fields that have none; these also get `spellcheck=false` and (but the name) `inputmode=numeric`. */
const HINTS: Record<string, string> = {
	creditCardNumber: 'number',
	expiry: 'exp',
	expirationMonth: 'exp-month',
	expirationYear: 'exp-year',
	securityCode: 'csc',
	'cardHolderInfo.cardHolderName': 'name',
};

let slots = 0;

/** What a field error slot shows: a field error, or the sentence of a decline that names the field. */
type Shown = {readonly message: string};

export type FormView = ReturnType<typeof createView>;

/** Sets (null: removes) an attribute from the page's own value, kept for restore(). */
type Own = (element: Element, name: string, value: (original: string | null) => string | null | undefined) => void;

/** Adds an element (removed by restore()) with these attributes, placed `after` or `append`ed to `anchor`. */
type Add = (tag: string, attributes: Record<string, string>, method: 'after' | 'append', anchor: Element) => HTMLElement;

/** The view of one bound form; `status`: the page's status region, else one the view adds. */
export function createView(form: HTMLFormElement, status: HTMLElement | undefined) {
	const added: Element[] = [];
	// Attributes the view set, with the page's value (null: none) that restore() puts back.
	const attributes = new Map<Element, Map<string, string | null>>();
	const own: Own = (element, name, value) => {
		const saved = attributes.get(element) ?? new Map<string, string | null>();
		attributes.set(element, saved);
		if (!saved.has(name)) {
			saved.set(name, getAttribute(element, name));
		}

		setAttribute(element, name, value(saved.get(name)!) ?? null);
	};

	const add: Add = (tag, attributes, method, anchor) => {
		const element = createElement(tag);
		for (const [name, value] of Object.entries(attributes)) {
			element.setAttribute(name, value);
		}

		call(Element.prototype, method, anchor, element);
		added.push(element);
		return element;
	};

	// A `role=status` region at the end of the form, for a page that gives none.
	const region = status ?? add('p', {[STATUS_ATTRIBUTE]: '', role: 'status'}, 'append', form);
	const errors = createFieldErrors(form, own, add);
	return {
		...errors,
		/** Writes the status region's text ('' clears it); `announce` scrolls it into view too. */
		setStatus(text: string, announce = false) {
			region.textContent = text;
			if (announce && text) {
				region.scrollIntoView?.(ownRecord({block: 'nearest'} as const));
			}
		},
		/**
		 * Focus where the shopper can act after a result: the first field marked invalid (in the
		 * form's order), else the status region (made focusable: `tabindex=-1`).
		 */
		focusAction(controls: Map<string, Control[]>) {
			if (!errors.focusInvalid(controls)) {
				own(region, 'tabindex', original => original ?? '-1');
				region.focus();
			}
		},
		/** The brand on the form (`data-zuora-cors-brand`) and the security code's size on its controls. */
		showBrand(brand: ZuoraCardBrand | undefined, codes: readonly Control[]) {
			own(form, 'data-zuora-cors-brand', () => brand);
			const size = brand && brandInfo(brand).securityCodeSize;
			for (const code of codes) {
				// The page's own length and placeholder are back when the brand is unknown.
				own(code, 'maxlength', original => (size ? String(size) : original));
				own(code, 'placeholder', original => original ?? (size ? '•'.repeat(size) : undefined));
			}
		},
		/** `autocomplete`, `spellcheck` and `inputmode` where the page set none. */
		addHints(controls: Map<string, Control[]>) {
			for (const [name, list] of controls) {
				const hint = HINTS[name];
				for (const control of hint ? list : []) {
					own(control, 'autocomplete', original => original ?? `cc-${hint}`);
					own(control, 'spellcheck', original => original ?? 'false');
					own(control, 'inputmode', original => original ?? (hint === 'name' ? null : 'numeric'));
				}
			}
		},
		/** A credentialed preconnect to the Zuora origin, unless the page has one. */
		preconnect(origin: string) {
			if (findAll(document, `link[rel=preconnect][href="${origin}"]`)[0]) {
				return;
			}

			// The card POST carries credentials, and browsers pool credentialed connections apart.
			add('link', {rel: 'preconnect', href: origin, crossorigin: 'use-credentials'}, 'append', call(Document.prototype, 'head', document));
		},
		/** Removes every element the view added and puts back every attribute it set. */
		restore() {
			errors.showErrors({});
			for (const element of added.splice(0)) {
				element.remove();
			}

			for (const [element, saved] of attributes) {
				for (const [name, value] of saved) {
					setAttribute(element, name, value);
				}
			}

			attributes.clear();
		},
	};
}

/** Field errors: each in a `role=alert` slot after its control, the control `aria-invalid` and described by it. */
function createFieldErrors(form: HTMLFormElement, own: Own, add: Add) {
	const marked = new Set<Element>();

	/** Shows one field's error (undefined: clears it) in its slot, tied to its control. */
	const showFieldError = (name: string, error: Shown | undefined, control: Control | undefined) => {
		let slot = findAll(form, `[${ERROR_ATTRIBUTE}="${name}"]`)[0];
		if (control) {
			setAttribute(control, 'aria-invalid', error ? 'true' : null);
			error ? marked.add(control) : marked.delete(control);
		}

		if (!error) {
			if (slot) {
				slot.textContent = '';
			}

			return;
		}

		if (!slot) {
			slot = add('span', {[ERROR_ATTRIBUTE]: name, role: 'alert'}, 'after', control ?? call(Element.prototype, 'lastElementChild', form) ?? form);
		}

		slot.textContent = error.message;
		// The error is the control's description (kept once shown, cleared with the text).
		own(slot, 'id', original => original ?? `zuora-cors-error-${++slots}`);
		if (control) {
			const id = getAttribute(slot, 'id')!;
			own(control, 'aria-describedby', original => (original?.split(' ').includes(id) ? original : `${original ?? ''} ${id}`.trim()));
		}
	};

	/** Focuses the first control marked invalid, in the form's order; false when none is. */
	const focusInvalid = (controls: Map<string, Control[]>) => {
		const control = [...controls.values()].flat().find(candidate => marked.has(candidate));
		control?.focus();
		return control !== undefined;
	};

	return {
		showFieldError,
		focusInvalid,
		/** Shows these errors and clears every other the view showed; focus lands on the first invalid field in the form's order. */
		showErrors(errors: Record<string, Shown>, controls: Map<string, Control[]> = new Map()) {
			for (const element of findAll(form, `[${ERROR_ATTRIBUTE}]`)) {
				element.textContent = '';
			}

			// Only what this view marked: the page may set aria-invalid on its own fields.
			for (const control of marked) {
				control.removeAttribute('aria-invalid');
			}

			marked.clear();
			for (const [name, error] of Object.entries(errors)) {
				showFieldError(
					name,
					error,
					controls.get(name)?.find(candidate => isInside(form, candidate)),
				);
			}

			focusInvalid(controls);
		},
	};
}
