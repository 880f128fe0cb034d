/**
 * What bindForm checks in the page's markup before it enables anything: that the form is the one
 * the document holds under that reference, and that every card control is owned by it and inside
 * its `data-zuora-cors-fields` fieldset. The HTML parser can move controls (an injected, unclosed
 * `<select>` or `<table>`) or drop the real `<form>` tag (an injected, unclosed `<form>` before
 * it): a form it cannot account for is refused with a `validation` error, and nothing is enabled.
 */
import {invalidOption} from '../options.js';
import {call, findAll, getAttribute, isControl, isSubmitButton, type Control} from './dom-calls.js';
import {candidates, CONTROL_SELECTOR, FIELDSET_ATTRIBUTE, isBound} from './fields.js';

/** What the binding enables (and destroy() disables again). */
export type BoundMarkup = {
	fieldsets: HTMLFieldSetElement[];
	controls: Control[];
	/** The submit buttons inside the card fieldsets. */
	buttons: Array<HTMLButtonElement | HTMLInputElement>;
};

const refuse = (code: string): never => invalidOption('request', 'form', code);

/**
 * The form a target names: an element, or a selector that finds exactly one; in this document,
 * and the only element holding its id (an earlier injected element with the same id would be
 * the one `getElementById` gives).
 */
export function resolveForm(target: unknown): HTMLFormElement {
	const found = typeof target === 'string' ? findAll(document, target) : [target];
	const [form] = found;
	if (found.length !== 1 || !(form instanceof HTMLFormElement)) {
		return refuse('not_one_form');
	}

	if (form.ownerDocument !== document || !call(Node.prototype, 'isConnected', form)) {
		return refuse('form_not_in_document');
	}

	const id = getAttribute(form, 'id');
	if (id !== null && (call(Document.prototype, 'getElementById', document, id) !== form || findAll(document, '[id]').filter(element => getAttribute(element, 'id') === id).length !== 1)) {
		return refuse('form_id_shared');
	}

	return form;
}

/**
 * The fieldsets, card controls and submit buttons to enable, or a `validation` error when a card
 * control (a control under a bound name inside the form, owned by it, or inside a card fieldset)
 * is not both owned by the form and inside one of its `data-zuora-cors-fields` fieldsets.
 */
export function accountForMarkup(form: HTMLFormElement, names: ReadonlySet<string>): BoundMarkup {
	const fieldsets = findAll(form, `fieldset[${FIELDSET_ATTRIBUTE}]`).filter((fieldset): fieldset is HTMLFieldSetElement => fieldset instanceof HTMLFieldSetElement);
	if (fieldsets.length === 0) {
		return refuse('no_card_fieldset');
	}

	const inFieldsets = fieldsets.flatMap(fieldset => findAll(fieldset, CONTROL_SELECTOR));
	const controls: Control[] = [];
	const buttons: Array<HTMLButtonElement | HTMLInputElement> = [];
	for (const element of new Set([...candidates(form), ...inFieldsets])) {
		if (isControl(element) && names.has(element.name)) {
			if (!isBound(form, element)) {
				// The name is safe to show: it is one of the bound Zuora names.
				return refuse(`control_outside: ${element.name}`);
			}

			controls.push(element);
		} else if (isSubmitButton(element) && element.form === form && inFieldsets.includes(element)) {
			buttons.push(element);
		}
	}

	if (!controls.some(control => control.name === 'creditCardNumber')) {
		return refuse('no_card_number');
	}

	return {fieldsets, controls, buttons};
}

/** Enables (or disables) exactly what was bound: the fieldsets and controls, and the submit buttons. */
export function setEnabled({fieldsets, controls, buttons}: BoundMarkup, fields: boolean, submit = fields): void {
	for (const element of [...fieldsets, ...controls]) {
		element.disabled = !fields;
	}

	for (const button of buttons) {
		button.disabled = !submit;
	}
}
