/**
 * The one way this entry reads what the merchant's code hands it (handler options, the Zuora
 * client's options, authorize's answer): own properties of known names only. A dependency's
 * prototype-pollution bug (`Object.prototype.accountKey = 'VICTIM'`, `Object.prototype.trustProxy = 1`)
 * then changes nothing here, even where an option or a field is left out.
 */

/** `value[name]` when `value` holds it as its own property, else undefined. */
export function ownField<Value extends object, Name extends keyof Value>(value: Value | undefined, name: Name): Value[Name] | undefined {
	return typeof value === 'object' && value !== null && Object.hasOwn(value, name) ? value[name] : undefined;
}

/** A null-prototype copy of `value`'s own fields among `names` (those it lacks stay absent). */
export function ownFields<Value extends object, Name extends keyof Value>(value: Value, names: readonly Name[]): Pick<Value, Name> {
	const copy = Object.create(null) as Pick<Value, Name>;
	for (const name of names) {
		if (Object.hasOwn(value, name)) {
			copy[name] = value[name];
		}
	}

	return copy;
}
