// `zuora-cors/global` (types only): the globals the script-tag files define, for a page's own
// TypeScript (`import type {} from 'zuora-cors/global';`, or `"types": ["zuora-cors/global"]` in
// its tsconfig). Nothing runs here; the build emits only its declaration (dist/global.d.ts).
import type * as frames from './frames/index.js';
import type * as library from './index.js';
import type * as de from './locales/de.js';
import type * as en from './locales/en.js';
import type * as es from './locales/es.js';
import type * as fr from './locales/fr.js';
import type * as ja from './locales/ja.js';

declare global {
	/**
	 * `dist/zuora-cors.iife.min.js`: every export of `zuora-cors` (`ZuoraCors.bindForm(…)`);
	 * `dist/zuora-cors-frames.iife.min.js` adds `mountCardFields` (alone, only that is there).
	 */
	var ZuoraCors: typeof library & typeof frames;
	/**
	 * Each `dist/locales/<name>.iife.min.js` a page loads adds its catalogue here
	 * (`ZuoraCorsLocales.de`, to pass as `messages`); one not loaded is `undefined`.
	 */
	var ZuoraCorsLocales: Partial<typeof de & typeof en & typeof es & typeof fr & typeof ja>;
}
