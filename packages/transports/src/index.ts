// Public API of @mcp-gateway/transports: connect to one MCP backend from a config entry, by stdio, Streamable
// HTTP or legacy SSE, and multiplex many callers over that connection.
export { StdioTransport } from './stdio';
export type { StdioTransportOptions } from './stdio';
export { Upstream, UPSTREAM_PROTOCOL_VERSION } from './upstream';
export type { UpstreamOptions } from './upstream';
export { connectBackend, createTransport } from './connect';
export type { ConnectOptions, EraVerdicts } from './connect';
export { ModernUpstream } from './modern-upstream';
export type { HttpConnectOptions } from './modern-upstream';
