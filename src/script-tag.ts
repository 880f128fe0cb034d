// The script-tag entry (`dist/zuora-cors.iife.min.js`, `window.ZuoraCors`): every export of
// `zuora-cors`, loaded whatever the page put on Object.prototype. The order is the point: the
// guard runs before any module of the library or of ky, and is lifted once they all have run.
import {bundleLoaded} from './load-guard.js';

export * from './index.js';

bundleLoaded();
