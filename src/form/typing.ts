/**
 * What happens as the shopper types: the number and the expiry formatted, the brand followed (on
 * the form and in a `brand` event), a brand the merchant does not accept shown at once, and a
 * `change` event per input (never the value).
 */
import type {ZuoraCardBrand} from '../zuora.js';
import type {BindingContext} from './context.js';
import type {Control} from './dom-calls.js';
import {fieldChange, formatControl, typingError} from './field-state.js';
import {isBound, scan} from './fields.js';

export function createTyping({form, names, view, check, report}: BindingContext) {
	// The digits each formatted control held after the last input: tells a Backspace over a space.
	const typed = new WeakMap<Control, string>();
	let brand: ZuoraCardBrand | undefined;
	return {
		onInput(event: Event) {
			const control = event.target as Control;
			const controls = scan(form, names);
			// One of the bound names, owned by the form and inside its card fieldset.
			if (!controls.get(control.name)?.includes(control) || !isBound(form, control)) {
				return;
			}

			formatControl(control, (event as InputEvent).inputType, typed);
			const {errors, creditCardType} = check(controls)[1];
			if (brand !== creditCardType) {
				brand = creditCardType;
				view.showBrand(brand, controls.get('securityCode') ?? []);
				report('brand', {brand});
			}

			const error = errors[control.name];
			if (control.name === 'creditCardNumber') {
				view.showFieldError(control.name, typingError(control.name, error), control);
			}

			report('change', fieldChange(control.name, control.value, brand, error));
		},
	};
}
