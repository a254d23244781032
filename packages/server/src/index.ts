// Public API of @mcp-gateway/server: the gateway's HTTP surface as a Hono app (no socket is bound here).
export { createGatewayApp } from './app';
export type { GatewayApp, GatewayAppOptions } from './app';
export { catalogCoverage, healthReport } from './health';
export type { ConfigStatus, HealthReport, SessionTotals } from './health';
export type { SessionLimits } from './internal/session-table';
export { MemoryEventStore } from './memory-event-store';
export type { GatewaySecurity } from './security';
