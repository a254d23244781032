import { randomUUID } from 'node:crypto';
import {
  isErrorResponse,
  isNotification,
  isRequest,
  isResponse,
  type BackendRegistry,
  type Catalog,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type EventStore,
  type Logger,
} from '@mcp-gateway/core';
import { checkRequest, visibleNotification, visibleResult } from '@mcp-gateway/auth';
import type { Caller } from '../internal/caller';
import { toJsonRpcError } from '../internal/errors';
import { refuse } from '../internal/http';
import { scopedEvents } from '../internal/scoped-events';
import { SseStream, replay } from '../internal/sse';
import { negotiateVersion } from '../internal/versions';
import { Exchange } from './exchange';

const SUBSCRIPTION_METHODS = new Set(['resources/subscribe', 'resources/unsubscribe']);

/**
 * One client session on `/mcp/{backend}`: relays the client's messages to the backend, and the backend's answers,
 * progress and requests back to this client only, each on the stream of the request that caused it. Ids stay the
 * client's on this side; `Upstream` maps them.
 */
export class DirectSession {
  /** Random and unguessable; it names the session, it never authenticates anyone. */
  readonly id = randomUUID();
  private readonly inFlight = new Map<JsonRpcId, AbortController>();
  private readonly clientCalls = new Map<JsonRpcId, (response: JsonRpcResponse) => void>();
  private nextClientCallId = 1;
  /** Whether `initialize` was answered with a result (a session whose initialize failed is not kept). */
  initialized = false;
  /** The client's standalone GET stream, for messages no request caused. */
  private standalone: SseStream | undefined;
  /** The resource URIs this client subscribed to: only their `resources/updated` reach it. */
  private readonly subscribed = new Set<string>();
  /** This session's part of the event store, when the gateway keeps one. */
  private readonly events: EventStore | undefined;
  /** Resumable streams not yet ended, by stream id. */
  private readonly streams = new Map<string, SseStream>();

  /** The client that opened the session: only it can use it, and it sees only what it may. */
  readonly caller: Caller;
  private readonly catalog: Catalog;
  private readonly used: () => void;

  constructor(
    readonly backend: string,
    private readonly registry: BackendRegistry,
    private readonly logger: Logger,
    options: {
      caller: Caller;
      catalog: Catalog;
      events?: EventStore;
      /** Told when the session was used: a call finished, a stream closed (the idle countdown starts again). */
      used?: () => void;
    },
  ) {
    this.caller = options.caller;
    this.catalog = options.catalog;
    this.used = options.used ?? (() => {});
    this.events = options.events && scopedEvents(options.events, this.id);
  }

  /**
   * Takes the messages of one POST. Responses and notifications are handled at once (202); requests are answered
   * through an {@link Exchange}, as JSON or as a stream.
   */
  post(messages: JsonRpcMessage[], batch: boolean): Response | Promise<Response> {
    const requests = messages.filter(isRequest);
    for (const message of messages) if (!isRequest(message)) this.receive(message);
    if (requests.length === 0) return new Response(null, { status: 202, headers: this.headers() });
    const exchange = new Exchange(requests, batch, this.headers(), () => this.openStream());
    for (const request of requests) void this.handleRequest(request, exchange);
    return exchange.response;
  }

  /** Calls from the client still waiting for the backend. */
  get callsInFlight(): number {
    return this.inFlight.size;
  }

  /** A call in flight or a stream a client reads keeps the session from expiring. */
  get busy(): boolean {
    if (this.inFlight.size > 0 || this.standalone?.connected) return true;
    for (const stream of this.streams.values()) if (stream.connected) return true;
    return false;
  }

  /** Opens the standalone stream (one at a time: 409 while a client reads one). */
  listen(): Response {
    if (this.standalone?.connected)
      return new Response('Conflict: this session already has a GET stream open.', { status: 409 });
    this.standalone?.end();
    const stream = (this.standalone = this.openStream());
    return stream.response;
  }

  /**
   * Continues the stream an event of this session was sent on, from that event (a GET with `Last-Event-ID`): the
   * stored events after it, then whatever the stream still carries.
   */
  async resume(lastEventId: string): Promise<Response> {
    const streamId = await this.events?.getStreamIdForEventId(lastEventId);
    if (!this.events || streamId === undefined)
      return refuse(
        400,
        `Bad Request: Last-Event-ID "${lastEventId}" names no event this session kept; open a new GET stream without it.`,
      );
    const stream = this.streams.get(streamId);
    if (stream?.connected)
      return new Response('Conflict: a client already reads the stream of that event.', { status: 409 });
    return stream ? stream.resume(lastEventId) : replay(this.headers(), this.events, lastEventId);
  }

  /** A backend notification for the sessions of this backend (`list_changed`; `resources/updated` to subscribers). */
  broadcast(notification: JsonRpcNotification): void {
    if (
      notification.method === 'notifications/resources/updated' &&
      !this.subscribed.has(String(notification.params?.uri))
    )
      return;
    if (!visibleNotification(this.caller.scope, this.backend, notification.method, notification.params))
      return;
    this.standalone?.send(notification); // no GET stream open: nothing to deliver to
  }

  /**
   * Aborts what the client still waits for, ends the session's streams, and releases what the registry holds for
   * it: its own backend connection, its part of shared subscriptions, its events. Idempotent.
   */
  close(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
    this.standalone?.end();
    for (const stream of this.streams.values()) stream.end();
    this.subscribed.clear();
    void this.events?.forgetStreams?.('').catch(() => {}); // this session's part of the store
    void this.registry.release(this.id);
  }

  /** A new SSE stream, resumable when the gateway keeps events. */
  private openStream(): SseStream {
    if (!this.events) return new SseStream(this.headers());
    const streamId = randomUUID();
    const stream = new SseStream(this.headers(), {
      resumable: { store: this.events, streamId },
      onEnd: () => this.streams.delete(streamId),
    });
    this.streams.set(streamId, stream);
    return stream;
  }

  private headers(): Record<string, string> {
    return { 'mcp-session-id': this.id };
  }

  private receive(message: JsonRpcMessage): void {
    if (isResponse(message)) {
      const id = (message as { id: JsonRpcId }).id;
      this.clientCalls.get(id)?.(message);
      this.clientCalls.delete(id);
    } else if (isNotification(message)) void this.handleNotification(message);
  }

  private async handleRequest(request: JsonRpcRequest, exchange: Exchange): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(request.id, controller);
    try {
      const connection = await this.registry.acquire(this.backend, this.id);
      if (request.method === 'initialize') {
        const requested = request.params?.protocolVersion;
        const result = {
          ...connection.initializeResult,
          protocolVersion: negotiateVersion(requested, connection.initializeResult.protocolVersion),
        };
        this.initialized = true;
        return exchange.answer({ jsonrpc: '2.0', id: request.id, result });
      }
      const { scope } = this.caller;
      checkRequest(scope, this.backend, request.method, request.params, this.catalog.get(this.backend));
      const forward = () =>
        connection.request(request.method, request.params, {
          signal: controller.signal,
          onNotification: (n) => void exchange.send(n),
          onRequest: (r) => this.callClient(r, exchange),
          client: scope.identity,
        });
      const result = SUBSCRIPTION_METHODS.has(request.method)
        ? await this.subscription(request, forward)
        : visibleResult(scope, this.backend, request.method, await forward());
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

  /**
   * `resources/subscribe` and `resources/unsubscribe`: the registry counts them across sessions on a shared backend;
   * this session remembers its own, so that only their `resources/updated` reach it.
   */
  private async subscription(
    request: JsonRpcRequest,
    forward: () => Promise<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> {
    const result = await forward();
    const uri = String(request.params?.uri);
    if (request.method === 'resources/subscribe') this.subscribed.add(uri);
    else this.subscribed.delete(uri);
    return result;
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
          const connection = await this.registry.acquire(this.backend, this.id);
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
  private callClient(request: JsonRpcRequest, exchange: Exchange): Promise<Record<string, unknown>> {
    const id = `gateway-${this.nextClientCallId++}`;
    return new Promise((resolve, reject) => {
      this.clientCalls.set(id, (response) => {
        if (isErrorResponse(response)) reject(response.error);
        else resolve((response as { result: Record<string, unknown> }).result);
      });
      if (!exchange.send({ ...request, id })) {
        this.clientCalls.delete(id);
        reject(new Error('The client closed the stream this request would go on.'));
      }
    });
  }
}
