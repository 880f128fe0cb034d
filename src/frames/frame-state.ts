/**
 * What the page learns of the card while the shopper types: per field whether it is empty,
 * complete (holds a value the engine would accept) and the code of the error shown; the brand.
 * Never a value, a length or a digit. A field is complete only when valid, so the summary does
 * not flip as a number passes through lengths its brand allows (13 digits of a 16-digit Visa).
 */
import {detectBrand} from '../card-rules.js';
import {checkCard} from '../form/field-state.js';
import {CARD_FIELDS as ENGINE_FIELDS, readCard, scan} from '../form/fields.js';
import type {ZuoraCardBrand} from '../zuora.js';
import {FIELDS} from './frame-form.js';
import type {CardField, CardState, FieldState} from './protocol.js';

const NAMES: ReadonlySet<string> = new Set(ENGINE_FIELDS);

/** The codes of field errors shown after a submission, by field, until the engine clears them. */
export const shownErrors = new Map<CardField, string>();

/** The brand of a number's digits, or null. */
export function cardBrand(digits: string): ZuoraCardBrand | null {
	return digits === '' ? null : (detectBrand(digits) ?? null);
}

/** The state of the form's inputs; `supportedBrands` as the engine was given them. */
export function summarize(form: HTMLFormElement, inputs: Map<CardField, HTMLInputElement>, supportedBrands?: readonly ZuoraCardBrand[]): CardState {
	const [number] = [inputs.get('number')!.value.replace(/\D/g, '')];
	const {errors} = checkCard(readCard(form, scan(form, NAMES), {}), {messages: undefined, supportedBrands, expiry: true});
	const fields = {} as Record<CardField, FieldState>;
	for (const {field, name} of FIELDS) {
		const input = inputs.get(field)!;
		const empty = input.value === '';
		const shown = input.getAttribute('aria-invalid') === 'true';
		if (!shown) {
			shownErrors.delete(field);
		}

		const error = shown ? (shownErrors.get(field) ?? errors[name]?.code ?? 'invalid') : undefined;
		fields[field] = {empty, complete: !empty && !errors[name], ...(error ? {error} : {})};
	}

	return {
		empty: FIELDS.every(({field}) => fields[field].empty),
		complete: fields.number.complete && fields.expiry.complete && fields.securityCode.complete,
		brand: cardBrand(number),
		fields,
	};
}
