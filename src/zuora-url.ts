import {invalidOption, isZuoraHost} from './options.js';
import {ZUORA_BASE_URLS, type ZuoraEnvironment, zuoraBaseUrl, ZUORA_CORS_OPERATIONS} from './zuora.js';

/**
 * A Zuora base URL given in full: an https host under `zuora.com`, bare or with the legacy `/rest`
 * (`https://api.zuora.com/rest`) or `/apps` (`https://apisandbox.zuora.com/apps`) prefix, with or
 * without a trailing slash. `createZuoraClient` (server) takes the same spellings.
 */
export type ZuoraBaseUrl = `https://${string}.zuora.com${'' | '/rest' | '/apps'}${'' | '/'}`;

/**
 * The full Zuora REST URL for an environment (or a base URL under `zuora.com`) and a path.
 *
 * @example
 * zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')
 * //=> 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards'
 * zuoraUrl('https://api.zuora.com/rest/', '/v1/payment-methods/credit-cards')
 * //=> 'https://api.zuora.com/rest/v1/payment-methods/credit-cards'
 * zuoraUrl('https://apisandbox.zuora.com/apps', '/v1/rsa-signatures')
 * //=> 'https://apisandbox.zuora.com/apps/v1/rsa-signatures'
 */
export function zuoraUrl(environment: ZuoraEnvironment | ZuoraBaseUrl, path: string = ZUORA_CORS_OPERATIONS.creditCard.path): string {
	const base = zuoraBaseUrl(environment);
	// The page sends card data here: a base URL must be an https host under zuora.com.
	if (!base || !isZuoraHost(new URL(base))) {
		return invalidOption('request', 'environment', `not_environment: ${Object.keys(ZUORA_BASE_URLS).join(', ')}`);
	}

	if (typeof path !== 'string' || !path.startsWith('/')) {
		invalidOption('request', 'path', 'not_path');
	}

	return base + path;
}
