/** The stub's checks of Create Account's own fields (the card is checked by `card-check.ts`). */
import {isBlank, isPlainObject, reason, type Reason} from './values.js';
import {STUB_CODES} from './zuora-facts.js';

/** The account fields that passed the checks. */
export type ValidAccountFields = {name: string; currency: string; autoPay: boolean; billToContact: {firstName: string; lastName: string; country: string}};

const CONTACT_REQUIRED = ['firstName', 'lastName', 'country'] as const;

/**
 * `name` (at most 255 characters), `currency` (three capital letters), `billToContact` with
 * `firstName`, `lastName` (at most 100 each) and `country`; `autoPay` a boolean when given.
 * One reason per bad field, keyed by the body's own path.
 */
export function checkAccountFields(body: Record<string, unknown>): {reasons: Reason[]; fields: ValidAccountFields | undefined} {
	const reasons: Reason[] = [];
	const invalid = (field: string) => reasons.push(reason(STUB_CODES.accountInvalidValue, `${field}: invalid value`));
	const missing = (field: string) => reasons.push(reason(STUB_CODES.accountMissingField, `${field}: missing field`));
	const text = (value: unknown, field: string, max: number, pattern?: RegExp) => {
		if (isBlank(value)) {
			missing(field);
		} else if (typeof value !== 'string' || value.length > max || (pattern && !pattern.test(value))) {
			invalid(field);
		}
	};

	text(body['name'], 'name', 255);
	text(body['currency'], 'currency', 3, /^[A-Z]{3}$/);
	const contact = body['billToContact'];
	if (isBlank(contact)) {
		missing('billToContact');
	} else if (!isPlainObject(contact)) {
		invalid('billToContact');
	} else {
		for (const field of CONTACT_REQUIRED) {
			text(contact[field], `billToContact.${field}`, field === 'country' ? 64 : 100);
		}
	}

	const autoPay = body['autoPay'];
	if (autoPay !== undefined && autoPay !== null && typeof autoPay !== 'boolean') {
		invalid('autoPay');
	}

	if (reasons.length > 0 || !isPlainObject(contact)) {
		return {reasons, fields: undefined};
	}

	return {
		reasons,
		fields: {
			name: body['name'] as string,
			currency: body['currency'] as string,
			autoPay: autoPay === true,
			billToContact: {firstName: contact['firstName'] as string, lastName: contact['lastName'] as string, country: contact['country'] as string},
		},
	};
}
