import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import {
  GatewayError,
  JsonRpcError,
  JsonRpcErrorCode,
  errorMessage,
  isErrorResponse,
  isNotification,
  isRequest,
  isResponse,
  silentLogger,
  type CallOptions,
  type InitializeResult,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { PendingCalls, type PendingCall } from './internal/pending-calls';
import { StdioTransport } from './stdio';

/** The protocol revision the gateway asks its backends for on the session (legacy) era. */
export const UPSTREAM_PROTOCOL_VERSION = '2025-11-25';

/** The gateway relays these to whichever client caused the request, so it offers them all to its backends. */
export const GATEWAY_CLIENT_CAPABILITIES = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};

export interface UpstreamOptions {
  backend: string;
  logger?: Logger;
  /** Default per-request timeout; 0 disables it. */
  requestTimeoutMs?: number;
  /** `initialize` must answer within this. */
  startTimeoutMs?: number;
  clientInfo?: { name: string; version: string };
  /** Gives up the handshake (and closes the transport): the gateway closed while the backend was starting. */
  signal?: AbortSignal;
  /** For a Streamable HTTP transport: how to tell that the backend forgot the session, and how to end it. */
  httpSession?: HttpSession;
}

/** What `Upstream` needs to know of an upstream HTTP session; `connectBackend` gives it for HTTP backends. */
export interface HttpSession {
  /** Whether a send failed because the backend no longer knows the session (HTTP 404 on an established one). */
  expired(error: unknown): boolean;
  /** Ends the session on the backend (DELETE), when there is one. */
  end(): Promise<void>;
}

type Listener = (notification: JsonRpcNotification) => void;

/**
 * How long a backend's request may wait, when it is unsure which call asks, for the backend to finish one. A
 * sampling or elicitation request waits on a model or a person anyway; this is short next to that.
 */
const ATTRIBUTION_WAIT_MS = 50;

/**
 * One initialized MCP session with a backend over any SDK `Transport`, multiplexing many callers: it owns the
 * request ids and progress tokens on the backend side and maps them back, so results and errors reach the caller
 * exactly as the backend sent them.
 */
export class Upstream implements LiveConnection {
  readonly backend: string;
  initializeResult!: InitializeResult;
  private readonly calls = new PendingCalls();
  private readonly listeners = new Set<Listener>();
  private readonly closeListeners = new Set<(error: GatewayError) => void>();
  private readonly logger: Logger;
  private closed = false;
  private lastTransportError: string | undefined;
  /** Backend→client requests, each given its call after the one before. */
  private attributing = Promise.resolve();
  /** Wakes a request that waits for a call to finish (see `askingCall`). */
  private callSettled = () => {};

  private constructor(
    private readonly transport: Transport,
    private readonly options: UpstreamOptions,
  ) {
    this.backend = options.backend;
    this.logger = options.logger ?? silentLogger;
  }

  /** Starts the transport and runs the `initialize` handshake; closes the transport if that fails or times out. */
  static async connect(transport: Transport, options: UpstreamOptions): Promise<Upstream> {
    const upstream = new Upstream(transport, options);
    transport.onmessage = (message) => upstream.receive(message as JsonRpcMessage);
    transport.onclose = () => upstream.closedBy();
    transport.onerror = (error) => {
      upstream.lastTransportError = error.message;
      upstream.logger.warn('transport error', { error: error.message });
    };
    try {
      await transport.start();
      const result = await upstream.request(
        'initialize',
        {
          protocolVersion: UPSTREAM_PROTOCOL_VERSION,
          capabilities: GATEWAY_CLIENT_CAPABILITIES,
          clientInfo: options.clientInfo ?? { name: 'mcp-gateway', version: '0' },
        },
        {
          timeoutMs: options.startTimeoutMs ?? 30_000,
          timeoutCode: 'BACKEND_START_TIMEOUT',
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      upstream.initializeResult = result as InitializeResult;
      transport.setProtocolVersion?.(upstream.initializeResult.protocolVersion);
      await upstream.notify('notifications/initialized');
      return upstream;
    } catch (error) {
      await upstream.close();
      throw error;
    }
  }

  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: CallOptions & { timeoutCode?: 'REQUEST_TIMEOUT' | 'BACKEND_START_TIMEOUT' } = {},
  ): Promise<Record<string, unknown>> {
    if (this.closed)
      return Promise.reject(
        new GatewayError('BACKEND_CLOSED', `Backend "${this.backend}" is not connected.`),
      );
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 0;
    return new Promise((resolve, reject) => {
      const clientToken = (params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
      const call = this.calls.open({ method, options, resolve, reject, clientToken });
      const sentParams =
        call.upstreamToken === undefined ? params : withProgressToken(params!, call.upstreamToken);
      call.onTimeout = () => {
        const what = options.timeoutCode === 'BACKEND_START_TIMEOUT' ? 'start (initialize)' : method;
        this.cancelUpstream(call, 'timeout');
        this.calls.settle(call);
        reject(
          new GatewayError(
            options.timeoutCode ?? 'REQUEST_TIMEOUT',
            `Backend "${this.backend}" did not answer ${what} within ${timeoutMs} ms.`,
          ),
        );
      };
      this.calls.armTimer(call, timeoutMs);
      if (options.signal) {
        const onAbort = () => {
          this.cancelUpstream(call, 'cancelled by the client');
          this.calls.settle(call);
          reject(new GatewayError('REQUEST_CANCELLED', `${method} on "${this.backend}" was cancelled.`));
        };
        if (options.signal.aborted) return onAbort();
        options.signal.addEventListener('abort', onAbort, { once: true });
        call.cleanup.push(() => options.signal!.removeEventListener('abort', onAbort));
      }
      const message = {
        jsonrpc: '2.0' as const,
        id: call.id,
        method,
        ...(sentParams ? { params: sentParams } : {}),
      };
      this.send(message).catch((error) => {
        this.calls.settle(call);
        reject(
          this.options.httpSession?.expired(error)
            ? new GatewayError(
                'SESSION_EXPIRED',
                `Backend "${this.backend}" no longer knows this session (HTTP 404).`,
                { cause: error },
              )
            : error,
        );
      });
    });
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  /** Notifications no in-flight call claims (`list_changed`, `resources/updated`, ...). */
  onNotification(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once when the connection ends for any reason other than `close()`. */
  onClose(listener: (error: GatewayError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** The backend's process id when the transport runs one (stdio). */
  get pid(): number | undefined {
    return this.transport instanceof StdioTransport ? this.transport.pid : undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Number of requests waiting for the backend. */
  get inFlight(): number {
    return this.calls.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.calls.rejectAll(new GatewayError('BACKEND_CLOSED', `Backend "${this.backend}" was stopped.`));
    // Ends the upstream HTTP session too (DELETE), so the backend can free it now rather than on its own timeout.
    await this.options.httpSession?.end().catch(() => {});
    await this.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async send(message: JsonRpcMessage): Promise<void> {
    await this.transport.send(message as JSONRPCMessage);
  }

  private receive(message: JsonRpcMessage): void {
    if (isResponse(message)) return this.onResponse(message);
    if (isRequest(message)) return void this.onBackendRequest(message);
    if (isNotification(message)) return this.onBackendNotification(message);
    this.logger.warn('ignored a message that is not JSON-RPC', {
      message: JSON.stringify(message).slice(0, 200),
    });
  }

  private onResponse(message: JsonRpcMessage & { id: unknown }): void {
    const call = typeof message.id === 'number' ? this.calls.get(message.id) : undefined;
    if (!call) return; // late answer to a call that timed out or was cancelled
    this.calls.settle(call);
    this.callSettled();
    if (isErrorResponse(message))
      call.reject(new JsonRpcError(message.error.code, message.error.message, message.error.data));
    else call.resolve((message as { result: Record<string, unknown> }).result);
  }

  private onBackendNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/progress') {
      const call = this.calls.byToken(notification.params?.progressToken);
      if (!call) return;
      this.calls.armTimer(call); // progress proves the call is alive
      // The backend's params, with the client's token back in place of ours.
      const params = Object.assign({}, notification.params, { progressToken: call.clientToken });
      call.options.onNotification?.({ jsonrpc: '2.0', method: notification.method, params });
      return;
    }
    // Per DESIGN.md: what a shared backend sends while a call is in flight belongs to that call's client.
    const call =
      notification.method === 'notifications/message'
        ? this.calls.latest((c) => !!c.options.onNotification)
        : undefined;
    if (call) return call.options.onNotification!(notification);
    for (const listener of this.listeners) listener(notification);
  }

  private onBackendRequest(request: JsonRpcRequest): void {
    if (request.method === 'ping') {
      this.send({ jsonrpc: '2.0', id: request.id, result: {} }).catch(() => {});
      return;
    }
    // One at a time and in arrival order, so that a request that waits (see `askingCall`) keeps its place.
    this.attributing = this.attributing
      .then(() => this.askingCall())
      .then((call) => void this.relay(request, call));
  }

  /**
   * The call a backend→client request belongs to. While the guess is unsure, waits up to
   * {@link ATTRIBUTION_WAIT_MS} for the backend to finish a call, which decides it.
   */
  private async askingCall(): Promise<PendingCall | undefined> {
    const deadline = Date.now() + ATTRIBUTION_WAIT_MS;
    while (this.calls.unsure() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.callSettled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.callSettled = () => {};
    return this.calls.askingCall();
  }

  private async relay(request: JsonRpcRequest, call: PendingCall | undefined): Promise<void> {
    const reply = (
      body:
        { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } },
    ) => this.send({ jsonrpc: '2.0', id: request.id, ...body } as JsonRpcMessage).catch(() => {});
    if (!call) {
      return reply({
        error: {
          code: JsonRpcErrorCode.MethodNotFound,
          message: `${request.method}: no client request is in flight on the gateway to relay it to`,
        },
      });
    }
    // roots/list asks about the client, not for a step of the call: backends ask it on their own (after initialize,
    // on list_changed) and clients answer it at once. So it leaves the call's state, which places its own requests.
    const step = request.method !== 'roots/list';
    try {
      // The client may take long to answer (a person, a model): the call's timeout waits meanwhile.
      if (step) {
        call.askedAt = performance.now();
        call.awaitingClient++;
        this.calls.armTimer(call);
      }
      reply({ result: await call.options.onRequest!(request) });
    } catch (error) {
      const { code, message, data } = error as { code?: unknown; message?: string; data?: unknown };
      reply({
        error: {
          code: typeof code === 'number' ? code : JsonRpcErrorCode.InternalError,
          message: message ?? errorMessage(error),
          data,
        },
      });
    } finally {
      if (step) {
        this.calls.resumed(call);
        // Only a call still waiting gets its timer back; one answered meanwhile must not time out later.
        if (--call.awaitingClient === 0 && this.calls.get(call.id) === call) this.calls.armTimer(call);
      }
    }
  }

  private cancelUpstream(call: PendingCall, reason: string): void {
    if (call.method === 'initialize') return; // the spec forbids cancelling initialize
    this.notify('notifications/cancelled', { requestId: call.id, reason }).catch(() => {});
  }

  private closedBy(): void {
    if (this.closed) return;
    this.closed = true;
    const why = this.lastTransportError ? `: ${this.lastTransportError}` : '';
    const error = new GatewayError(
      'BACKEND_CLOSED',
      `Backend "${this.backend}" closed the connection${why}.`,
    );
    this.calls.rejectAll(error);
    for (const listener of this.closeListeners) listener(error);
  }
}

function withProgressToken(params: Record<string, unknown>, token: number): Record<string, unknown> {
  // Object.assign rather than spreads: on Node 20, properties added after a spread are slow.
  return Object.assign({}, params, { _meta: Object.assign({}, params._meta, { progressToken: token }) });
}
