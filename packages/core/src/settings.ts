/**
 * The validated, normalized configuration the gateway runs on. `@mcp-gateway/config` produces it from YAML or
 * JSON; programmatic users can build it in code. Durations are milliseconds.
 */
export type TransportKind = 'stdio' | 'http' | 'sse';

/** How one backend is reached. `auto` (HTTP only) picks Streamable HTTP or legacy SSE by probing. */
export type BackendTarget =
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string | undefined }
  | { kind: 'http' | 'sse' | 'auto'; url: string; headers: Record<string, string> };

export interface BackendTimeouts {
  /** Spawn or connect plus `initialize`. */
  startMs: number;
  /** One request; reset by each progress notification. */
  requestMs: number;
  /** Stop the backend after this long without use; 0 keeps it running. */
  idleMs: number;
}

export interface BackendSettings {
  name: string;
  description: string;
  target: BackendTarget;
  timeouts: BackendTimeouts;
  /**
   * `shared`: one connection for every client. `per-session`: one per client session: a process each for a stdio
   * backend, an upstream session each for an HTTP one. Config defaults: `shared` for stdio, `per-session` for HTTP.
   */
  isolation: 'shared' | 'per-session';
}

export type GatewayMode = 'meta' | 'aggregate';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface GatewaySettings {
  host: string;
  port: number;
  mode: GatewayMode;
  logLevel: LogLevel;
  /** Where the catalog cache lives. */
  stateDir: string;
  backends: Record<string, BackendSettings>;
  /** Backend name → the free-text `mcpServers` key ("Brave Search") it was derived from, where they differ. */
  renamed?: Record<string, string>;
}
