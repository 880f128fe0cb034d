import {invalidOption} from './options.js';
import {CREDIT_CARDS_PATH, ZUORA_BASE_URLS, type ZuoraEnvironment} from './zuora.js';

/**
 * The full Zuora REST URL for an environment and path.
 *
 * @example
 * zuoraUrl('apisandbox', '/v1/payment-methods/credit-cards')
 * //=> 'https://rest.apisandbox.zuora.com/v1/payment-methods/credit-cards'
 */
export function zuoraUrl(environment: ZuoraEnvironment, path: string = CREDIT_CARDS_PATH): string {
	if (!Object.hasOwn(ZUORA_BASE_URLS, environment)) {
		invalidOption('request', 'environment', `one of ${Object.keys(ZUORA_BASE_URLS).join(', ')}`);
	}

	if (typeof path !== 'string' || !path.startsWith('/')) {
		invalidOption('request', 'path', 'a path starting with /');
	}

	return ZUORA_BASE_URLS[environment] + path;
}
