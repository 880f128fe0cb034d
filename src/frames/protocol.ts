/**
 * The card frame's protocol, shared by the page (`mountCardFields`) and the frame (`frame.ts`):
 * message names, the fields, and the checks both sides make of the cosmetic options. Every
 * message is `{zc: PROTOCOL, type, ...}`; the only window message is `connect` (parent → frame,
 * with one MessagePort), everything after runs on that port. Nothing here ever carries card data:
 * the parent may read every message (it can wrap MessagePort), so none holds a digit typed.
 */

/** The protocol's major version: a message with another `zc` is a typed error, never guessed at. */
export const PROTOCOL = 1;

/** The card fields of the frame, as the page names them (`focus('number')`, `error.field`). */
export const CARD_FIELDS = ['number', 'expiry', 'securityCode', 'name'] as const;
export type CardField = (typeof CARD_FIELDS)[number];

/** The locales the frame speaks (labels and messages). */
export const LOCALES = ['en', 'de', 'es', 'fr', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * Style variants (the frame maps each to its own selectors; the page writes no selector) and the
 * CSS properties a variant may set. Nothing that takes an image or a URL (`background`,
 * `border-image`, `cursor`, `content`, `list-style`, `mask`, `filter`, the `font` shorthand).
 */
export const STYLE_VARIANTS = ['base', 'hover', 'focus', 'invalid', 'placeholder', 'disabled', 'label', 'error', 'status'] as const;
export type StyleVariant = (typeof STYLE_VARIANTS)[number];
export const STYLE_PROPERTIES = [
	'color',
	'backgroundColor',
	'caretColor',
	'fontFamily',
	'fontSize',
	'fontWeight',
	'fontStyle',
	'letterSpacing',
	'lineHeight',
	'textAlign',
	'textTransform',
	'textShadow',
	'padding',
	'border',
	'borderWidth',
	'borderStyle',
	'borderColor',
	'borderRadius',
	'outline',
	'outlineColor',
	'outlineOffset',
	'boxShadow',
	'opacity',
	'transition',
] as const;

/** A style: variant → property (camelCase) → value. */
export type CardStyle = Partial<Record<StyleVariant, Partial<Record<(typeof STYLE_PROPERTIES)[number], string>>>>;

/**
 * A value that can load something, or break out of its declaration: `url(`, `image-set(`,
 * `image(`, `element(`, `@` rules, `;`, braces, `<`, backslash escapes, comments, `!important`,
 * `expression`; control characters. Checked in the frame itself, whatever the page checked.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const LOADING_VALUE = /url\(|image-set\(|image\(|element\(|cross-fade\(|src\(|expression|@|;|[{}<>\\]|\/\*|!|[\u0000-\u001F\u007F]/i;

/** Non-card fields `submit({fields})` may carry (as `bindForm`'s `formFields`, without `accountKey` or the card type). */
export const HOLDER_FIELDS = ['addressLine1', 'addressLine2', 'city', 'state', 'country', 'zipCode', 'phone', 'email'] as const;

type Own = Record<string, unknown>;

/** A plain object's own keys, or undefined for anything else (an array, a class instance, a proxy of either). */
export function plainKeys(value: unknown): string[] | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return undefined;
	}

	const prototype = Object.getPrototypeOf(value) as unknown;
	return prototype === Object.prototype || prototype === null ? Object.keys(value) : undefined;
}

/** An own property, never an inherited one. */
export const own = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Own)[key] : undefined);

/**
 * The first style value that is not a string of at most 100 characters free of anything that can
 * load something (`variant.property`), or undefined. The page module checks this much; the frame
 * checks it again with the lists (styleProblem).
 */
export function loadingValue(style: unknown): string | undefined {
	for (const variant of plainKeys(style) ?? []) {
		const properties = own(style, variant);
		for (const property of plainKeys(properties) ?? []) {
			const value = own(properties, property);
			if (typeof value !== 'string' || value.length > 100 || LOADING_VALUE.test(value)) {
				return `${variant}.${property}`;
			}
		}
	}

	return undefined;
}

/**
 * What is wrong with a style, as the path of the first bad entry (`focus.backgroundImage`), or
 * undefined when every entry is an allowed variant, property and value. A path holds only names
 * from our lists, or `variant`/`property` for others.
 */
export function styleProblem(style: unknown): string | undefined {
	const variants = plainKeys(style);
	if (!variants) {
		return 'style';
	}

	for (const variant of variants) {
		const properties = (STYLE_VARIANTS as readonly string[]).includes(variant) ? plainKeys(own(style, variant)) : undefined;
		if (!properties) {
			return 'style.variant';
		}

		const other = properties.find(property => !(STYLE_PROPERTIES as readonly string[]).includes(property));
		if (other !== undefined) {
			return `${variant}.property`;
		}
	}

	return loadingValue(style);
}

/**
 * What is wrong with `submit({fields})`, as the first bad key, or undefined: only
 * `defaultPaymentMethod` (a boolean) and `cardHolderInfo` (strings under the address and contact
 * names). A card field, a URL, a host, a signature, a token or an account key is a bad key.
 */
export function fieldsProblem(fields: unknown): string | undefined {
	const keys = plainKeys(fields);
	if (!keys) {
		return 'fields';
	}

	for (const key of keys) {
		const value = own(fields, key);
		if (key === 'defaultPaymentMethod' ? typeof value !== 'boolean' : key !== 'cardHolderInfo') {
			return key;
		}

		if (key === 'cardHolderInfo') {
			const names = plainKeys(value);
			const bad = names ? names.find(name => !(HOLDER_FIELDS as readonly string[]).includes(name) || typeof own(value, name) !== 'string' || (own(value, name) as string).length > 255) : key;
			if (bad !== undefined) {
				return `cardHolderInfo.${bad}`;
			}
		}
	}

	return undefined;
}

/** A key list holding only `allowed` names: the first other key, or undefined. */
export function unknownKey(keys: readonly string[], allowed: readonly string[]): string | undefined {
	return keys.find(key => !allowed.includes(key));
}

/** The cosmetic options the page may send (`init` and `update`), by name; anything else is refused. */
export const COSMETIC_OPTIONS = ['locale', 'messages', 'style'] as const;

/** What is wrong with the cosmetic options (the bad key), or undefined. `messages`: texts by code, at most 300 characters each. */
export function cosmeticProblem(options: Own): string | undefined {
	const keys = plainKeys(options) ?? ['options'];
	const key = unknownKey(keys, COSMETIC_OPTIONS);
	if (key !== undefined) {
		return key;
	}

	const locale = own(options, 'locale');
	if (locale !== undefined && !(LOCALES as readonly string[]).includes(locale as string)) {
		return 'locale';
	}

	const messages = own(options, 'messages');
	const codes = messages === undefined ? [] : plainKeys(messages);
	if (!codes || codes.some(code => !/^[a-z_]{1,40}$/.test(code) || typeof own(messages, code) !== 'string' || (own(messages, code) as string).length > 300)) {
		return 'messages';
	}

	const style = own(options, 'style');
	return style === undefined ? undefined : styleProblem(style);
}

/** The state summary the frame sends on a change: never a value, a length or a digit. */
export type FieldState = {empty: boolean; complete: boolean; error?: string};
export type CardState = {empty: boolean; complete: boolean; brand: string | null; fields: Record<CardField, FieldState>};
