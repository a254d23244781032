import type { BackendConnection } from './backend';
import type { JsonRpcNotification } from './jsonrpc';

export type BackendState = 'configured' | 'starting' | 'ready' | 'degraded' | 'hibernated' | 'stopped';

/** One backend's line in `/health`. Snake-case keys are the README's contract. */
export interface BackendHealth {
  running: boolean;
  restart_count: number;
  tools_cached: number;
  state: BackendState;
  last_error: string | null;
  uptime_s: number | null;
  /** The process id of a running stdio backend (it leads its own process group). */
  pid: number | null;
  /**
   * Client sessions running a connection of their own (`isolation: per-session`): a process each for stdio, an
   * upstream session each for HTTP.
   */
  sessions: number;
  /** Calls to the backend in flight now, calls waiting for a place (`max_concurrency`), calls refused (`max_queue`). */
  in_flight: number;
  queued: number;
  rejected: number;
  /** How the gateway reaches it: `stdio`, `http`, `sse`, or `auto` (HTTP, legacy SSE if refused). */
  transport: 'stdio' | 'http' | 'sse' | 'auto';
  /** The protocol revision the running backend speaks (`2026-07-28`: the modern, stateless era), or null. */
  protocol_version: string | null;
}

export interface BackendSummary {
  name: string;
  description: string;
  state: BackendState;
}

/**
 * A message a backend sent that no in-flight call claims: `list_changed`, `resources/updated`, logging. `session`:
 * sent on a client session's own connection, so it is for that session alone.
 */
export type BackendEventListener = (
  backend: string,
  notification: JsonRpcNotification,
  session?: string,
) => void;

/**
 * Hands out connected backends. `server` and `meta` depend on this interface; the app wires in the supervisor.
 */
export interface BackendRegistry {
  list(): BackendSummary[];
  has(name: string): boolean;
  /**
   * A ready connection, starting the backend if needed. Rejects with a `GatewayError`. `session`: the client
   * session asking. A backend with `isolation: per-session` gives each client session a connection of its own (a
   * process for stdio, an upstream session for HTTP) and hands out that session's; otherwise, and without
   * `session`, the one shared connection.
   */
  acquire(name: string, session?: string): Promise<BackendConnection>;
  /** The client session ended: closes the connections it had of its own. Idempotent. */
  release(session: string): Promise<void>;
  health(): Record<string, BackendHealth>;
  /** Subscribe to unclaimed backend notifications; returns the unsubscribe function. */
  onEvent(listener: BackendEventListener): () => void;
  /** Told when a backend's state changes (it starts, is ready, crashes, hibernates, stops). */
  onStateChange?(listener: (backend: string, state: BackendState) => void): () => void;
}
