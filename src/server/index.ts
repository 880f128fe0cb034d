/**
 * `zuora-cors/server`: the merchant's half of Zuora's CORS flow. A signature endpoint per
 * operation that signs only what the merchant configured, issues tokens only to authorized,
 * same-origin POSTs, limits issuance per session, client address and account (in memory or
 * Redis), and keeps one OAuth token. Runs wherever `Request`/`Response` do; `toNodeListener`
 * adapts it to `node:http` and Express.
 */
export {createSignatureHandler, type Authorization, type SignatureContext, type SignatureHandler, type SignatureHandlerOptions, type SignatureOperation} from './handler.js';
export {toNodeListener, type WebHandler} from './node.js';
export {createZuoraClient, ZuoraUnavailableError, type ZuoraAnswer, type ZuoraClient, type ZuoraClientOptions} from './zuora-client.js';
export {DEFAULT_LIMITS, type LimitRule, type Limits, type RedisStore} from './limits.js';
export {addressKey, clientAddress, type TrustProxy} from './address.js';
// The backend-side Zuora paths this entry calls (one copy of Zuora's facts: src/zuora.ts).
export {ZUORA_BACKEND_PATHS} from '../zuora.js';
