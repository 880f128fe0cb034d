import {ZUORA_REST_HOSTS} from './zuora.js';

/** Every REST base the table gives: `https://<labels>.zuora.com<prefix>`. */
export const ZUORA_REST_BASES = Object.entries(ZUORA_REST_HOSTS).flatMap(([prefix, labels]) => labels.map(label => `https://${label}.zuora.com${prefix}`));
