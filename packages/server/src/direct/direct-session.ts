import {
  isNotification,
  isRequest,
  isResponse,
  type BackendRegistry,
  type Catalog,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type EventStore,
  type Logger,
} from '@mcp-gateway/core';
import { checkRequest, visibleNotification, visibleResult } from '@mcp-gateway/auth';
import type { Caller } from '../internal/caller';
import { Exchange } from '../internal/exchange';
import { SessionCalls, type CallContext } from '../internal/session-calls';
import { SessionStreams } from '../internal/session-streams';
import { negotiateVersion } from '../internal/versions';

const SUBSCRIPTION_METHODS = new Set(['resources/subscribe', 'resources/unsubscribe']);

/**
 * One client session on `/mcp/{backend}`: relays the client's messages to the backend, and the backend's answers,
 * progress and requests back to this client only, each on the stream of the request that caused it. Ids stay the
 * client's on this side; `Upstream` maps them.
 */
export class DirectSession {
  /** Random and unguessable; it names the session, it never authenticates anyone. */
  readonly id: string;
  /** Whether `initialize` was answered with a result (a session whose initialize failed is not kept). */
  initialized = false;
  /** The resource URIs this client subscribed to: only their `resources/updated` reach it. */
  private readonly subscribed = new Set<string>();
  private readonly streams: SessionStreams;
  private readonly calls: SessionCalls;

  /** The client that opened the session: only it can use it, and it sees only what it may. */
  readonly caller: Caller;
  private readonly catalog: Catalog;

  constructor(
    readonly backend: string,
    private readonly registry: BackendRegistry,
    private readonly logger: Logger,
    options: {
      /** From `SessionTable.newId()`. */
      id: string;
      caller: Caller;
      catalog: Catalog;
      events?: EventStore;
      /** Told when the session was used: a call finished, a stream closed (the idle countdown starts again). */
      used?: () => void;
    },
  ) {
    this.id = options.id;
    this.caller = options.caller;
    this.catalog = options.catalog;
    this.calls = new SessionCalls(logger, options.used ?? (() => {}));
    this.streams = new SessionStreams(this.id, options.events, options.caller.owner);
  }

  /**
   * Takes the messages of one POST. Responses and notifications are handled at once (202); requests are answered
   * through an {@link Exchange}, as JSON or as a stream.
   */
  post(messages: JsonRpcMessage[], batch: boolean): Response | Promise<Response> {
    const requests = messages.filter(isRequest);
    for (const message of messages) if (!isRequest(message)) this.receive(message);
    if (requests.length === 0) return new Response(null, { status: 202, headers: this.streams.headers });
    const exchange = new Exchange(requests, batch, this.streams.headers, this.streams.open);
    for (const request of requests)
      void this.calls.run(request, exchange, (call) => this.handleRequest(request, call));
    return exchange.response;
  }

  /** Calls from the client still waiting for the backend. */
  get callsInFlight(): number {
    return this.calls.size;
  }

  /** A call in flight or a stream a client reads keeps the session from expiring. */
  get busy(): boolean {
    return this.calls.size > 0 || this.streams.connected;
  }

  /** Opens the standalone stream (one at a time: 409 while a client reads one). */
  listen(): Response {
    return this.streams.listen();
  }

  /** Continues a stream of this session from the event a client names (a GET with `Last-Event-ID`). */
  resume(lastEventId: string): Promise<Response> {
    return this.streams.resume(lastEventId);
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
    this.streams.sendStandalone(notification);
  }

  /**
   * Aborts what the client still waits for, ends the session's streams, and releases what the registry holds for
   * it: its own backend connection, its part of shared subscriptions, its events. Idempotent.
   */
  close(): void {
    this.calls.close();
    this.streams.close();
    this.subscribed.clear();
    void this.registry.release(this.id);
  }

  private receive(message: JsonRpcMessage): void {
    if (isResponse(message)) this.calls.answered(message);
    else if (isNotification(message)) void this.handleNotification(message);
  }

  /** Relays one request to the backend (and answers `initialize` from what the backend said when it started). */
  private async handleRequest(request: JsonRpcRequest, call: CallContext): Promise<Record<string, unknown>> {
    const connection = await this.registry.acquire(this.backend, this.id);
    if (request.method === 'initialize') {
      const requested = request.params?.protocolVersion;
      this.initialized = true;
      return {
        ...connection.initializeResult,
        protocolVersion: negotiateVersion(requested, connection.initializeResult.protocolVersion),
      };
    }
    const { scope } = this.caller;
    checkRequest(scope, this.backend, request.method, request.params, this.catalog.get(this.backend));
    const forward = () =>
      connection.request(request.method, request.params, {
        signal: call.signal,
        onNotification: call.onNotification,
        onRequest: call.onRequest,
        client: scope.identity,
      });
    return SUBSCRIPTION_METHODS.has(request.method)
      ? await this.subscription(request, forward)
      : visibleResult(scope, this.backend, request.method, await forward());
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
      case 'notifications/cancelled':
        this.calls.cancel(notification.params?.requestId as JsonRpcId | undefined);
        return;
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
}
