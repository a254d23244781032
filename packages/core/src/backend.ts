import type { ClientIdentity } from './identity';
import type { JsonRpcNotification, JsonRpcRequest } from './jsonrpc';

/** What a backend answered to `initialize`, kept as it came. */
export interface InitializeResult {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: { name: string; version: string; [key: string]: unknown };
  instructions?: string;
  [key: string]: unknown;
}

/** Per-call routing of what the backend sends while this call is in flight. */
export interface CallOptions {
  /** Aborting sends `notifications/cancelled` upstream and rejects with `REQUEST_CANCELLED`. */
  signal?: AbortSignal;
  /** Overrides the backend's request timeout; the timer restarts on every progress notification. */
  timeoutMs?: number;
  /** Notifications about this call (progress with the caller's own token, logging). */
  onNotification?: (notification: JsonRpcNotification) => void;
  /**
   * Backend→client requests (sampling, elicitation, roots) that arrive while this call is in flight. Resolve with
   * the result object or reject with a JSON-RPC error object (`{ code, message, data? }`).
   */
  onRequest?: (request: JsonRpcRequest) => Promise<Record<string, unknown>>;
  /** Who the call is for, for the audit log; `null`: a trusted local front door. */
  client?: ClientIdentity | null;
}

/**
 * A live, initialized connection to one backend. `request` resolves with the result object exactly as the backend
 * sent it, or rejects with a {@link JsonRpcError} carrying the backend's error, or a `GatewayError`.
 */
export interface BackendConnection {
  readonly backend: string;
  /** The client session this connection belongs to alone; `undefined` for a connection shared by every client. */
  readonly session?: string;
  readonly initializeResult: InitializeResult;
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options?: CallOptions,
  ): Promise<Record<string, unknown>>;
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
}

/** A connection its owner manages: it can end on its own (`onClose`) and be closed. `Upstream` is the real one. */
export interface LiveConnection extends BackendConnection {
  readonly isClosed: boolean;
  /** The backend's process id, for stdio backends. */
  readonly pid?: number;
  /** Requests still waiting for the backend. */
  readonly inFlight: number;
  onNotification(listener: (notification: JsonRpcNotification) => void): () => void;
  onClose(listener: (error: Error) => void): () => void;
  /** Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A JSON-RPC error the backend returned, passed to the client as it is. */
export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** One finished call to a backend, as the supervisor reports it (for the audit log). */
export interface CallRecord {
  backend: string;
  method: string;
  params: Record<string, unknown> | undefined;
  client: ClientIdentity | null | undefined;
  durationMs: number;
  /** Set when the call failed: a `GatewayError` code, or the backend's JSON-RPC error code. */
  error?: { code: string | number };
  /** The result, when it succeeded (a tool result's `isError` is a tool error). */
  result?: Record<string, unknown>;
}
