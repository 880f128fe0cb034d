// The script-tag globals as a page's TypeScript sees them: `zuora-cors/global` and `zuora-cors` by
// name, so `.ci/check-package.mjs` type-checks this file (strict, DOM lib) against the BUILT
// declarations through package.json `exports`. Under `vitest run` the type-only imports are erased
// and the page functions below are never called (the globals exist only on a page): the
// assertions bite under tsc.
import type {} from 'zuora-cors/global';
import type {bindForm, describeError, ErrorDescription, FormBinding, MessageCatalogue, ZuoraCorsError} from 'zuora-cors';
import {expectTypeOf, test} from 'vitest';

test("ZuoraCors: the script tag's global has the module's functions, on window too", () => {
	expectTypeOf<typeof ZuoraCors.bindForm>().toEqualTypeOf<typeof bindForm>();
	expectTypeOf<typeof ZuoraCors.describeError>().toEqualTypeOf<typeof describeError>();
	expectTypeOf<typeof window.ZuoraCors>().toEqualTypeOf<typeof ZuoraCors>();
	expectTypeOf<InstanceType<typeof ZuoraCors.ZuoraCorsError>>().toEqualTypeOf<ZuoraCorsError>();
});

test('ZuoraCorsLocales: a catalogue per locale file, undefined until its file is loaded', () => {
	expectTypeOf<typeof ZuoraCorsLocales.de>().toEqualTypeOf<MessageCatalogue | undefined>();
	expectTypeOf<typeof ZuoraCorsLocales.ja>().toEqualTypeOf<MessageCatalogue | undefined>();
	expectTypeOf<keyof typeof ZuoraCorsLocales>().toEqualTypeOf<'de' | 'en' | 'es' | 'fr' | 'ja'>();
});

test('a page script written against the globals type-checks under strict', () => {
	// Never called: the globals exist only on a page that loaded the script-tag files.
	const page = (form: HTMLFormElement): FormBinding =>
		ZuoraCors.bindForm(form, {url: 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards', signatureUrl: '/signature', messages: ZuoraCorsLocales.de});
	const explain = (error: ZuoraCorsError): ErrorDescription => ZuoraCors.describeError(error, {messages: ZuoraCorsLocales.fr});
	// @ts-expect-error no such locale file
	const missing = () => ZuoraCorsLocales.xx;
	expectTypeOf(page).returns.toEqualTypeOf<FormBinding>();
	expectTypeOf(explain).returns.toEqualTypeOf<ErrorDescription>();
	expectTypeOf(missing).toBeFunction();
});
