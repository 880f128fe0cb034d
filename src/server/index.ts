/**
 * `zuora-cors/server`: the merchant's half of Zuora's CORS flow. A signature endpoint per
 * operation that signs only what the merchant configured, and a reconcile endpoint that tells
 * the page whether a card whose answer was lost is on the account. Both answer only authorized,
 * same-origin POSTs, limit requests per session, client address and account (in memory or
 * Redis), and share one OAuth token. Runs wherever `Request`/`Response` do; `toNodeListener`
 * adapts it to `node:http` and Express.
 */
export {createSignatureHandler, type SignatureContext, type SignatureHandler, type SignatureHandlerOptions, type SignatureOperation} from './signature-handler.js';
export {createCardFrameHandler, type CardFrameHandler, type CardFrameHandlerOptions} from './card-frame-handler.js';
export {createReconcileHandler, type ReconcileHandler, type ReconcileHandlerOptions} from './reconcile-handler.js';
export type {Authorization, Authorize, EndpointOptions, RequestContext} from './gate.js';
export {toNodeListener, type WebHandler} from './node.js';
export {createZuoraClient, ZuoraSetupError, ZuoraUnavailableError, type ZuoraAnswer, type ZuoraClient, type ZuoraClientOptions} from './zuora-client.js';
export {createIssuedTokens, CLAIMS_PER_TOKEN, type IssuedTokens, type IssuedTokensOptions, type TokenClaim} from './issued-tokens.js';
export {DEFAULT_LIMITS, type LimitRule, type Limits} from './limits.js';
export type {IoRedisStore, NodeRedisStore, RedisStore} from './redis-store.js';
export {addressKey, clientAddress, networkKey, proxyBypassed, type TrustProxy} from './address.js';
// The backend-side Zuora paths this entry calls (one copy of Zuora's facts: src/zuora.ts).
export {ZUORA_BACKEND_PATHS} from '../zuora.js';
