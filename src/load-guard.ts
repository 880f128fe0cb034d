/**
 * The script-tag bundle loads whatever a page put on Object.prototype. ky checks once, as it
 * loads, whether `new Request` takes a stream body, with an init that inherits from
 * Object.prototype: a page that put `cache`, `credentials`, `headers`, `mode`, `redirect`, … there
 * makes that check throw, and nothing of the bundle would load. So until the bundle's modules
 * have run (synchronously: no page code runs in between), every enumerable property of
 * Object.prototype (the language's own members are not) is set aside, then put back with the
 * descriptor it had.
 *
 * One that cannot be set aside and put back (non-configurable, non-enumerable, or on a prototype
 * that takes no new property) stays where it is. If ky's check then throws, the bundle does
 * not load: the form's controls stay disabled as the markup has them, nothing is sent, `window.ZuoraCors` stays
 * undefined, and a `ZuoraCorsError` (kind `validation`, not retryable) is thrown uncaught right
 * after the script, for the page's console and error reporting.
 */
import {ZuoraCorsError} from './errors.js';

const prototype = Object.prototype;
// Descriptors on null prototypes: put back, none may read `get` or `value` from a restored pollution.
const setAside: PropertyDescriptorMap = Object.create(null);
// Enumerable: what an assignment (`Object.prototype.cache = …`, a prototype-pollution bug) makes;
// the language's own members are not, and stay. On a prototype that takes no new property, none
// could be put back: all stay.
for (const name in Object.isExtensible(prototype) ? prototype : {}) {
	const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
	if (descriptor.configurable) {
		setAside[name] = Object.assign(Object.create(null), descriptor);
		delete (prototype as Record<string, unknown>)[name];
	}
}

let loaded = false;

// Right after the script (before any other script of the page runs): the prototype is put back
// as it was. If a module threw while the bundle loaded, the rest of it never ran: a
// ZuoraCorsError says why `ZuoraCors` is not there.
queueMicrotask(() => {
	Object.defineProperties(prototype, setAside);
	if (!loaded) {
		// Uncaught, so the page's console and error reporting show it.
		throw new ZuoraCorsError('zuora-cors did not load (Object.prototype): nothing was sent', {kind: 'validation', stage: 'request'});
	}
});

/** Called once every module of the bundle has run. */
export function bundleLoaded(): void {
	loaded = true;
}
