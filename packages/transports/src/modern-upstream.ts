import {
  Client,
  ProtocolError,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import {
  GatewayError,
  JsonRpcError,
  silentLogger,
  type CallOptions,
  type InitializeResult,
  type JsonRpcNotification,
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { GATEWAY_CLIENT_CAPABILITIES } from './upstream';
import { tracedFetch } from './internal/traced-fetch';

/** Accepts any result as it came: the gateway relays results, it does not reshape them. */
const asSent = {
  '~standard': { version: 1 as const, vendor: 'mcp-gateway', validate: (value: unknown) => ({ value }) },
};

/** The backend→client requests a modern backend makes through input-required results. */
const CLIENT_METHODS = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;

export interface HttpConnectOptions {
  backend: string;
  url: URL;
  headers: Record<string, string>;
  logger?: Logger;
  startTimeoutMs?: number;
  requestTimeoutMs?: number;
  clientInfo?: { name: string; version: string };
}

/**
 * A Streamable HTTP backend reached through the SDK client with protocol negotiation, for backends that speak the
 * 2026-07-28 (modern, stateless) era. The SDK carries the per-request envelope and the input-required rounds;
 * backend→client requests are relayed to the caller in flight, as with `Upstream`.
 */
export class ModernUpstream implements LiveConnection {
  readonly initializeResult: InitializeResult;
  private readonly inFlightCalls = new Set<CallOptions>();
  private readonly closeListeners = new Set<(error: Error) => void>();
  private readonly notificationListeners = new Set<(n: JsonRpcNotification) => void>();
  private closed = false;

  private constructor(
    readonly backend: string,
    private readonly client: Client,
    private readonly requestTimeoutMs: number,
  ) {
    this.initializeResult = {
      protocolVersion: client.getNegotiatedProtocolVersion() ?? 'unknown',
      capabilities: (client.getServerCapabilities() ?? {}) as Record<string, unknown>,
      serverInfo: (client.getServerVersion() ?? {
        name: backend,
        version: 'unknown',
      }) as InitializeResult['serverInfo'],
      ...(client.getInstructions() ? { instructions: client.getInstructions() } : {}),
    };
    client.onclose = () => {
      if (this.closed) return;
      this.closed = true;
      const error = new GatewayError('BACKEND_CLOSED', `Backend "${backend}" closed the connection.`);
      for (const listener of this.closeListeners) listener(error);
    };
    for (const method of CLIENT_METHODS) {
      client.setRequestHandler(method, (async (request: {
        method: string;
        params?: Record<string, unknown>;
      }) => {
        const caller = [...this.inFlightCalls].reverse().find((c) => c.onRequest);
        if (!caller)
          throw new ProtocolError(
            -32601,
            `${method}: no client request is in flight on the gateway to relay it to`,
          );
        return caller.onRequest!({ jsonrpc: '2.0', id: 0, method: request.method, params: request.params });
      }) as never);
    }
  }

  /**
   * Connects with `server/discover` negotiation. Resolves with the connection when the backend is modern, or
   * with `undefined` (after closing the probe) when it is a 2025-era backend, which `Upstream` serves.
   */
  static async probe(options: HttpConnectOptions): Promise<ModernUpstream | undefined> {
    const client = new Client(options.clientInfo ?? { name: 'mcp-gateway', version: '0' }, {
      capabilities: GATEWAY_CLIENT_CAPABILITIES,
      versionNegotiation: { mode: 'auto' },
    });
    const transport = new StreamableHTTPClientTransport(options.url, {
      requestInit: { headers: options.headers },
      fetch: tracedFetch,
    });
    await client.connect(transport, { timeout: options.startTimeoutMs ?? 30_000 });
    if (client.getProtocolEra() !== 'modern') {
      await transport.terminateSession().catch(() => {}); // leave no probe session behind on the backend
      await client.close();
      return undefined;
    }
    (options.logger ?? silentLogger).info('backend speaks the modern era', {
      version: client.getNegotiatedProtocolVersion(),
    });
    return new ModernUpstream(options.backend, client, options.requestTimeoutMs ?? 0);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inFlight(): number {
    return this.inFlightCalls.size;
  }

  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    const meta = params?._meta as { progressToken?: unknown } | undefined;
    const clientToken = meta?.progressToken;
    // The SDK sets its own progress token when asked for progress; the caller's is restored on the way back.
    const sent =
      clientToken === undefined ? params : { ...params, _meta: { ...meta, progressToken: undefined } };
    const timeout = options.timeoutMs ?? this.requestTimeoutMs;
    this.inFlightCalls.add(options);
    try {
      return (await this.client.request({ method, params: sent } as never, asSent, {
        signal: options.signal,
        ...(timeout > 0 ? { timeout, resetTimeoutOnProgress: true } : {}),
        ...(clientToken !== undefined && options.onNotification
          ? {
              onprogress: (progress: Record<string, unknown>) =>
                options.onNotification!({
                  jsonrpc: '2.0',
                  method: 'notifications/progress',
                  params: { ...progress, progressToken: clientToken },
                }),
            }
          : {}),
      })) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof ProtocolError) throw new JsonRpcError(error.code, error.message, error.data);
      const wire = jsonRpcErrorIn(error);
      if (wire) throw new JsonRpcError(wire.code, wire.message, wire.data);
      if (options.signal?.aborted)
        throw new GatewayError('REQUEST_CANCELLED', `${method} on "${this.backend}" was cancelled.`);
      throw error;
    } finally {
      this.inFlightCalls.delete(options);
    }
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.client.notification({ method, params } as never);
  }

  onNotification(listener: (n: JsonRpcNotification) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  onClose(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** A modern backend may answer a bad request with an HTTP error whose body is the JSON-RPC error: unwrap it. */
function jsonRpcErrorIn(error: unknown): { code: number; message: string; data?: unknown } | undefined {
  if (!(error instanceof SdkHttpError)) return undefined;
  try {
    const body = JSON.parse(String((error.data as { text?: unknown } | undefined)?.text)) as {
      error?: { code?: unknown; message?: unknown; data?: unknown };
    };
    const wire = body.error;
    return typeof wire?.code === 'number' && typeof wire.message === 'string'
      ? { code: wire.code, message: wire.message, data: wire.data }
      : undefined;
  } catch {
    return undefined;
  }
}
