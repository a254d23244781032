import type { JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import {
  isErrorResponse,
  isNotification,
  isRequest,
  isResponse,
  type BackendRegistry,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type Logger,
} from '@mcp-gateway/core';
import { toJsonRpcError } from '../internal/errors';
import { negotiateVersion } from '../internal/versions';

/**
 * One client session on `/mcp/{backend}`: relays the client's messages to the backend and the backend's answers,
 * progress and requests back to this client only. Ids stay the client's on this side; `Upstream` maps them.
 */
export class DirectSession {
  private readonly inFlight = new Map<JsonRpcId, AbortController>();
  private readonly clientCalls = new Map<JsonRpcId, (response: JsonRpcResponse) => void>();
  private nextClientCallId = 1;

  constructor(
    readonly backend: string,
    readonly transport: WebStandardStreamableHTTPServerTransport,
    private readonly registry: BackendRegistry,
    private readonly logger: Logger,
  ) {
    transport.onmessage = (message) => this.receive(message as JsonRpcMessage);
  }

  /** A backend notification for every session of this backend (`list_changed`, `resources/updated`). */
  broadcast(notification: JsonRpcNotification): void {
    this.send(notification).catch(() => {}); // no standalone GET stream open: nothing to deliver to
  }

  /** Aborts what the client still waits for and ends the session's streams. Idempotent. */
  async close(): Promise<void> {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    await this.transport.close();
  }

  private receive(message: JsonRpcMessage): void {
    if (isRequest(message)) return void this.handleRequest(message);
    if (isResponse(message)) {
      const id = (message as { id: JsonRpcId }).id;
      this.clientCalls.get(id)?.(message);
      this.clientCalls.delete(id);
      return;
    }
    if (isNotification(message)) return void this.handleNotification(message);
  }

  private async handleRequest(request: JsonRpcRequest): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(request.id, controller);
    try {
      const connection = await this.registry.acquire(this.backend);
      if (request.method === 'initialize') {
        const requested = request.params?.protocolVersion;
        const result = {
          ...connection.initializeResult,
          protocolVersion: negotiateVersion(requested, connection.initializeResult.protocolVersion),
        };
        return await this.respond(request.id, { result });
      }
      const result = await connection.request(request.method, request.params, {
        signal: controller.signal,
        onNotification: (n) => void this.send(n, request.id).catch(() => {}),
        onRequest: (r) => this.callClient(r, request.id),
      });
      await this.respond(request.id, { result });
    } catch (error) {
      if (controller.signal.aborted) return; // MCP: no response to a cancelled request
      this.logger.debug('request failed', { method: request.method, error: toJsonRpcError(error).message });
      await this.respond(request.id, { error: toJsonRpcError(error) });
    } finally {
      this.inFlight.delete(request.id);
    }
  }

  private async handleNotification(notification: JsonRpcNotification): Promise<void> {
    switch (notification.method) {
      case 'notifications/initialized':
        return; // the gateway initialized the backend itself
      case 'notifications/cancelled': {
        const id = notification.params?.requestId as JsonRpcId | undefined;
        if (id !== undefined) this.inFlight.get(id)?.abort();
        return;
      }
      default:
        try {
          const connection = await this.registry.acquire(this.backend);
          await connection.notify(notification.method, notification.params);
        } catch (error) {
          this.logger.debug('could not forward notification', {
            method: notification.method,
            error: String(error),
          });
        }
    }
  }

  /** Sends a backend→client request on the stream of the client request that caused it. */
  private callClient(request: JsonRpcRequest, relatedRequestId: JsonRpcId): Promise<Record<string, unknown>> {
    const id = `gateway-${this.nextClientCallId++}`;
    return new Promise((resolve, reject) => {
      this.clientCalls.set(id, (response) => {
        if (isErrorResponse(response)) reject(response.error);
        else resolve((response as { result: Record<string, unknown> }).result);
      });
      this.send({ ...request, id }, relatedRequestId).catch((error: unknown) => {
        this.clientCalls.delete(id);
        reject(error);
      });
    });
  }

  private respond(
    id: JsonRpcId,
    body: { result: Record<string, unknown> } | { error: object },
  ): Promise<void> {
    return this.send({ jsonrpc: '2.0', id, ...body } as JsonRpcMessage);
  }

  private send(message: JsonRpcMessage, relatedRequestId?: JsonRpcId): Promise<void> {
    return this.transport.send(
      message as JSONRPCMessage,
      relatedRequestId === undefined ? undefined : { relatedRequestId },
    );
  }
}
