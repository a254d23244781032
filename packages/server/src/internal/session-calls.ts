import {
  isErrorResponse,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type Logger,
} from '@mcp-gateway/core';
import { toJsonRpcError } from './errors';
import type { Exchange } from './exchange';

/** What a request's work gets: its cancellation, and the way to the client on the request's own stream. */
export interface CallContext {
  signal: AbortSignal;
  /** Progress and other messages about the request, before its answer. */
  onNotification: (notification: JsonRpcNotification) => void;
  /** A request to the client on behalf of this one (a backend's sampling or elicitation); resolves with its result. */
  onRequest: (request: JsonRpcRequest) => Promise<Record<string, unknown>>;
}

/**
 * The client requests one session works on, and the requests the gateway sends the client on their behalf. Each
 * answer, progress message and client request goes on the exchange of the request it belongs to; the client's
 * answers, in later POSTs, find their way back by id; a cancelled request gets no answer at all.
 */
export class SessionCalls {
  private readonly inFlight = new Map<JsonRpcId, AbortController>();
  private readonly clientCalls = new Map<JsonRpcId, (response: JsonRpcResponse) => void>();
  private nextClientCallId = 1;

  constructor(
    private readonly logger: Logger,
    /** Told when a request finished (the session's idle countdown starts again). */
    private readonly used: () => void,
  ) {}

  /** Requests still being worked on. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Runs `work` for one request and answers it on `exchange` with its result or its error. */
  async run(
    request: JsonRpcRequest,
    exchange: Exchange,
    work: (call: CallContext) => Promise<Record<string, unknown>>,
  ): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(request.id, controller);
    try {
      const result = await work({
        signal: controller.signal,
        onNotification: (notification) => void exchange.send(notification),
        onRequest: (clientRequest) => this.callClient(clientRequest, exchange),
      });
      exchange.answer({ jsonrpc: '2.0', id: request.id, result });
    } catch (error) {
      if (controller.signal.aborted) return exchange.drop(request.id); // MCP: no response to a cancelled request
      this.logger.debug('request failed', { method: request.method, error: toJsonRpcError(error).message });
      exchange.answer({ jsonrpc: '2.0', id: request.id, error: toJsonRpcError(error) });
    } finally {
      this.inFlight.delete(request.id);
      this.used();
    }
  }

  /** `notifications/cancelled` from the client; false when no such request is in flight here. */
  cancel(id: JsonRpcId | undefined): boolean {
    const controller = id === undefined ? undefined : this.inFlight.get(id);
    controller?.abort();
    return controller !== undefined;
  }

  /** A response from the client: true when it answers one of the gateway's requests (and is taken). */
  answered(response: JsonRpcResponse): boolean {
    const id = (response as { id: JsonRpcId }).id;
    const resolve = this.clientCalls.get(id);
    if (!resolve) return false;
    this.clientCalls.delete(id);
    resolve(response);
    return true;
  }

  /** Cancels everything in flight (the session ended). */
  close(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
  }

  /** Sends a request to the client on the stream of the client request it is for. */
  private callClient(request: JsonRpcRequest, exchange: Exchange): Promise<Record<string, unknown>> {
    const id = `gateway-${this.nextClientCallId++}`;
    return new Promise((resolve, reject) => {
      this.clientCalls.set(id, (response) => {
        if (isErrorResponse(response)) reject(response.error);
        else resolve((response as { result: Record<string, unknown> }).result);
      });
      if (!exchange.send({ jsonrpc: '2.0', id, method: request.method, params: request.params })) {
        this.clientCalls.delete(id);
        reject(new Error('The client closed the stream this request would go on.'));
      }
    });
  }
}
