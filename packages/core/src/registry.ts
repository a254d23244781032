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
}

export interface BackendSummary {
  name: string;
  description: string;
  state: BackendState;
}

/** A message a backend sent that no in-flight call claims: `list_changed`, `resources/updated`, logging. */
export type BackendEventListener = (backend: string, notification: JsonRpcNotification) => void;

/**
 * Hands out connected backends. `server` and `meta` depend on this interface; the app wires in the supervisor.
 */
export interface BackendRegistry {
  list(): BackendSummary[];
  has(name: string): boolean;
  /** A ready connection, starting the backend if needed. Rejects with a `GatewayError`. */
  acquire(name: string): Promise<BackendConnection>;
  health(): Record<string, BackendHealth>;
  /** Subscribe to unclaimed backend notifications; returns the unsubscribe function. */
  onEvent(listener: BackendEventListener): () => void;
}
