/**
 * DOM calls made through the prototypes that define them. An injected control named
 * `elements`, `contains` or `dispatchEvent` shadows that property of its form, and an injected
 * `<img name="createElement">` one of `document` (both interfaces let names override their
 * members), so nothing the form binding calls is read from the form or the document themselves.
 * Markup cannot change a prototype; a page that can run script is outside what any library can defend.
 */

/** A control that holds a value of its own. */
export type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

// Controls that hold no value of their own for the card.
const IGNORED_TYPES: ReadonlySet<string> = new Set(['submit', 'button', 'reset', 'image', 'file']);

/**
 * Calls a DOM method (or reads a getter) as `prototype` (or the first prototype above it that has
 * it) defines it. A method the target itself gives is used when it is a function and no node:
 * markup can shadow a member only with an element or a collection, never with a function (and
 * DOM implementations that wrap elements in proxies, as happy-dom does, need the call through them).
 */
// biome-ignore lint/suspicious/noExplicitAny: the member's own type, which each caller names where it uses the result
export function call(prototype: object, name: string, target: unknown, ...args: unknown[]): any {
	let owner: object | null = prototype;
	while (owner && !Object.hasOwn(owner, name)) {
		owner = Object.getPrototypeOf(owner) as object | null;
	}

	// A descriptor is an ordinary object: `get` or `value` it lacks would be read from Object.prototype.
	const descriptor = Object.getOwnPropertyDescriptor(owner!, name)!;
	const get = Object.hasOwn(descriptor, 'get') ? descriptor.get : undefined;
	const value = (Object.hasOwn(descriptor, 'value') ? descriptor.value : undefined) as (...args: unknown[]) => unknown;
	if (get) {
		return get.call(target);
	}

	const own: unknown = (target as Record<string, unknown>)[name];
	return (typeof own === 'function' && !(own instanceof Node) ? own : value).call(target, ...args);
}

export const findAll = (root: Element | Document, selector: string): Element[] => [...call(root instanceof Document ? Document.prototype : Element.prototype, 'querySelectorAll', root, selector)];

export const getAttribute = (element: Element, name: string): string | null => call(Element.prototype, 'getAttribute', element, name);

/** Sets an attribute; null removes it. */
export const setAttribute = (element: Element, name: string, value: string | null) => call(Element.prototype, value === null ? 'removeAttribute' : 'setAttribute', element, name, value);

export const createElement = (name: string): HTMLElement => call(Document.prototype, 'createElement', document, name);

/** The form's listed controls (`form.elements`), read through the prototype. */
export const formElements = (form: HTMLFormElement): Element[] => [...call(HTMLFormElement.prototype, 'elements', form)];

export const contains = (root: Node, node: Node): boolean => call(Node.prototype, 'contains', root, node);

export function isControl(element: Element): element is Control {
	return element instanceof HTMLSelectElement || element instanceof HTMLTextAreaElement || (element instanceof HTMLInputElement && !IGNORED_TYPES.has(element.type));
}

/** A button that submits its form (`<button>` without another type, `<input type=submit|image>`). */
export function isSubmitButton(element: Element): element is HTMLButtonElement | HTMLInputElement {
	return (element instanceof HTMLButtonElement && element.type === 'submit') || (element instanceof HTMLInputElement && (element.type === 'submit' || element.type === 'image'));
}
