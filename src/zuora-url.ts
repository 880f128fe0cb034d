import {invalidOption, isZuoraHost} from './options.js';
import {CREDIT_CARDS_PATH, ZUORA_BASE_URLS, type ZuoraEnvironment} from './zuora.js';

/**
 * A Zuora base URL given in full: an https host under `zuora.com`, bare or with the legacy `/rest`
 * (`https://api.zuora.com/rest`) or `/apps` (`https://apisandbox.zuora.com/apps`) prefix.
 */
export type ZuoraBaseUrl = `https://${string}.zuora.com${'' | '/rest' | '/apps'}`;

/**
 * The full Zuora REST URL for an environment (or a base URL under `zuora.com`) and a path.
 *
 * @example
 * zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')
 * //=> 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards'
 * zuoraUrl('https://api.zuora.com/rest', '/v1/payment-methods/credit-cards')
 * //=> 'https://api.zuora.com/rest/v1/payment-methods/credit-cards'
 * zuoraUrl('https://apisandbox.zuora.com/apps', '/v1/rsa-signatures')
 * //=> 'https://apisandbox.zuora.com/apps/v1/rsa-signatures'
 */
export function zuoraUrl(environment: ZuoraEnvironment | ZuoraBaseUrl, path: string = CREDIT_CARDS_PATH): string {
	let base: string | undefined = typeof environment === 'string' && Object.hasOwn(ZUORA_BASE_URLS, environment) ? ZUORA_BASE_URLS[environment as ZuoraEnvironment] : undefined;
	if (!base && typeof environment === 'string' && /^https:\/\/[^/?#@\\]+(?:\/rest|\/apps)?$/.test(environment)) {
		try {
			const url = new URL(environment);
			base = isZuoraHost(url) ? url.origin + url.pathname.replace(/\/$/, '') : undefined;
		} catch {}
	}

	if (!base) {
		return invalidOption('request', 'environment', `one of ${Object.keys(ZUORA_BASE_URLS).join(', ')}, or an https base URL under zuora.com (optionally ending in /rest or /apps)`);
	}

	if (typeof path !== 'string' || !path.startsWith('/')) {
		invalidOption('request', 'path', 'a path starting with /');
	}

	return base + path;
}
