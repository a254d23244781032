// Public API of @mcp-gateway/auth: who may call what through the gateway. Authentication (API keys, OAuth access
// tokens), the one access decision every path asks, the checks that keep hidden items hidden on passthrough,
// per-client rate limits and audit lines. It binds no socket and knows no HTTP framework.
export { ApiKeys } from './api-keys';
export { Authenticator } from './authenticator';
export type { AuthRefusal, ProtectedEndpoint } from './authenticator';
export { AccessPolicy } from './access-policy';
export { checkRequest, notFound, requestedItem, visibleNotification, visibleResult } from './guard';
export { RateLimiter } from './rate-limiter';
export { AUDITED_METHODS, auditFields } from './audit';
export { protectedResourceMetadata } from './oauth/metadata';
export { TokenVerifier } from './oauth/token-verifier';
export type { TokenProblem } from './oauth/token-verifier';
