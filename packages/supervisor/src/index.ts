// Public API of @mcp-gateway/supervisor: keeps backends up and hands out live connections.
export { OWN_IDLE_MS, Supervisor } from './supervisor';
export type { ReconfigureResult, SupervisorOptions } from './supervisor';
export { CatalogStore } from './catalog-store';
export { readCatalog } from './read-catalog';
export type { CatalogList, CatalogRead } from './read-catalog';
export { ManagedBackend } from './managed-backend';
export type { Connector, ManagedBackendOptions } from './managed-backend';
export { defaultBackoff, backoffDelay } from './backoff';
export type { BackoffPolicy } from './backoff';
