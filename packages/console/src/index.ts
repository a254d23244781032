// Public API of @mcp-gateway/console: the web console as a Hono app, and the ring of recent calls it shows.
export { createConsole } from './console';
export type { ConsoleOptions } from './console';
export { ActivityRing } from './activity';
export type { Activity } from './activity';
export type { ConfigInfo } from './layout';
export type { BackendRow, ConsoleHit } from './pages';
