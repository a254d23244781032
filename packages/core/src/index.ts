// Public API of @mcp-gateway/core: types, interfaces and errors shared by every package. No I/O lives here.
export { GatewayError, backendNotFound, isGatewayError, errorMessage } from './errors';
export type { GatewayErrorCode } from './errors';
export { JsonRpcErrorCode, isRequest, isNotification, isResponse, isErrorResponse } from './jsonrpc';
export type {
  JsonRpcId,
  JsonRpcRequest,
  JsonRpcNotification,
  JsonRpcErrorObject,
  JsonRpcResultResponse,
  JsonRpcErrorResponse,
  JsonRpcResponse,
  JsonRpcMessage,
} from './jsonrpc';
export type {
  TransportKind,
  BackendTarget,
  BackendTimeouts,
  BackendSettings,
  GatewayMode,
  LogLevel,
  GatewaySettings,
  BackendLimits,
  AccessRule,
  ApiKeySettings,
  OAuthSettings,
  AuthSettings,
  RateLimitSettings,
} from './settings';
export { OPEN_SCOPE, identityKey } from './identity';
export type { ClientIdentity, ClientScope } from './identity';
export { silentLogger, logLevelRank } from './logger';
export type { Logger, LogFields } from './logger';
export { JsonRpcError } from './backend';
export type { InitializeResult, CallOptions, CallRecord, BackendConnection, LiveConnection } from './backend';
export type { CatalogTool, BackendCatalog, Catalog, CatalogSnapshots } from './catalog';
export type { EventStore } from './event-store';
export type { ReplicaBus } from './replica-bus';
export type { RateBuckets } from './rate-buckets';
export type {
  BackendState,
  BackendHealth,
  BackendSummary,
  BackendEventListener,
  BackendRegistry,
} from './registry';
export type { TextEmbedder } from './embedder';
