// Public API of @mcp-gateway/transports: connect to one MCP backend from a config entry, by stdio, Streamable
// HTTP or legacy SSE, and multiplex many callers over that connection.
export { MAX_MESSAGE_BYTES, StdioTransport } from './stdio';
export type { StdioTransportOptions } from './stdio';
export { Upstream, UPSTREAM_PROTOCOL_VERSION } from './upstream';
export type { HttpSession, UpstreamOptions } from './upstream';
export { connectBackend } from './connect';
export type { ConnectOptions, EraVerdicts } from './connect';
