import type { Server, Transport } from '@modelcontextprotocol/server';
import {
  JsonRpcErrorCode,
  isRequest,
  backendNotFound,
  type BackendRegistry,
  type Catalog,
  type EventStore,
  type Logger,
} from '@mcp-gateway/core';
import { LOCAL_CALLER, type Caller } from '../internal/caller';
import { errorBody } from '../internal/errors';
import { readMessages, refuse } from '../internal/http';
import { traced } from '../internal/tracing';
import { SessionRoute } from '../internal/session-route';
import type { SessionTable } from '../internal/session-table';
import { ModernEndpoint } from '../modern/endpoint';
import type { InputRounds } from '../modern/input-rounds';
import { createBackendServer } from './backend-server';
import { DirectSession } from './direct-session';

/**
 * Serves `/mcp/{backend}` over Streamable HTTP: in the sessionful 2025 era one {@link DirectSession} per client,
 * each bridged to the shared backend; modern-era (2026-07-28) requests one by one through a {@link ModernEndpoint}.
 * The gateway speaks the 2025 transport itself rather than through the SDK's, because a relay never needs to parse
 * what it forwards, and answering in plain JSON when nothing streams is what keeps the added latency small.
 */
export class DirectRoute {
  private readonly sessions: SessionRoute<DirectSession>;
  private readonly unsubscribe: () => void;
  /** Modern-era serving, one endpoint per backend (each has its own `subscriptions/listen` streams). */
  private readonly modern = new Map<string, ModernEndpoint>();
  /** Clients served through an SDK transport (2024-11-05 SSE streams): their servers → backend and session. */
  private readonly attached = new Map<Server, { backend: string; session?: string }>();

  constructor(
    private readonly registry: BackendRegistry,
    /** Under access rules, a tool or prompt the catalog does not list is refused like a hidden one. */
    private readonly catalog: Catalog,
    private readonly logger: Logger,
    private readonly maxBodyBytes: number,
    /** Bounds the sessions of every endpoint: idle expiry, caps and eviction. */
    private readonly table: SessionTable,
    /** Input-required rounds of modern-era calls, shared with `/mcp` (one per replica). */
    private readonly rounds: InputRounds,
    /** Keeps what the sessions' SSE streams carry, so that a client can resume one with `Last-Event-ID`. */
    private readonly events?: EventStore,
  ) {
    this.sessions = new SessionRoute(table, logger, events);
    // What a session's own connection sends is for that session alone; what a shared one sends, for all of them.
    this.unsubscribe = registry.onEvent((backend, notification, own) => {
      const mine = (session: { backend: string; id?: string }) =>
        session.backend === backend && (own === undefined || session.id === own);
      for (const session of this.sessions.values()) if (mine(session)) session.broadcast(notification);
      if (notification.method.endsWith('/list_changed'))
        for (const [server, of] of this.attached)
          if (mine({ backend: of.backend, id: of.session }))
            void server.notification(notification as never).catch(() => {});
      const notify = this.modern.get(backend)?.notify;
      if (!notify || own !== undefined) return;
      if (notification.method === 'notifications/tools/list_changed') notify.toolsChanged();
      if (notification.method === 'notifications/prompts/list_changed') notify.promptsChanged();
      if (notification.method === 'notifications/resources/list_changed') notify.resourcesChanged();
      if (notification.method === 'notifications/resources/updated')
        notify.resourceUpdated(String(notification.params?.uri));
    });
  }

  /**
   * `body`: the request body as a Node stream, when the server has one (faster than the web stream). A backend
   * the caller may not see is answered exactly as one that does not exist.
   */
  async handle(
    backend: string,
    request: Request,
    body?: AsyncIterable<Uint8Array>,
    caller: Caller = LOCAL_CALLER,
  ): Promise<Response> {
    if (!this.visible(backend, caller)) return this.unknown(backend, caller);
    if (request.method === 'POST') return this.post(backend, request, body ?? request.body, caller);
    if (request.method !== 'GET' && request.method !== 'DELETE')
      return refuse(405, 'Method Not Allowed: use POST, GET or DELETE.', undefined, {
        allow: 'GET, POST, DELETE',
      });
    return this.sessions.getOrDelete(request, caller, (session) => session.backend === backend);
  }

  /**
   * Serves one backend to a client over an SDK transport (a 2024-11-05 SSE stream), through a server that relays
   * to the shared backend. Rejects with `BACKEND_NOT_FOUND` or the backend's start failure.
   */
  async attach(backend: string, transport: Transport, caller: Caller = LOCAL_CALLER): Promise<void> {
    if (!this.visible(backend, caller)) throw this.notFound(backend, caller);
    const session = transport.sessionId;
    const connection = await this.registry.acquire(backend, session);
    const server = createBackendServer(connection, { caller, catalog: this.catalog });
    this.attached.set(server, { backend, session });
    server.onclose = () => {
      this.attached.delete(server);
      if (session !== undefined) void this.registry.release(session);
    };
    await server.connect(transport);
  }

  /**
   * A backend left the configuration: its sessions and SSE streams end (the next request of each gets 404 and
   * the backend's absence), and so does its modern-era endpoint.
   */
  removed(backend: string): void {
    for (const session of [...this.sessions.values()])
      if (session.backend === backend) this.sessions.end(session);
    for (const [server, of] of this.attached) if (of.backend === backend) void server.close();
    void this.modern.get(backend)?.close();
    this.modern.delete(backend);
  }

  /** Open sessions by endpoint (`/mcp/<backend>`). */
  sessionCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { backend } of this.sessions.values())
      counts[`/mcp/${backend}`] = (counts[`/mcp/${backend}`] ?? 0) + 1;
    return counts;
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.sessions.close();
    this.rounds.close();
    await Promise.all([...this.attached.keys()].map((server) => server.close()));
    await Promise.all([...this.modern.values()].map((endpoint) => endpoint.close()));
    this.modern.clear();
  }

  private async post(
    backend: string,
    request: Request,
    body: AsyncIterable<Uint8Array> | null,
    caller: Caller,
  ): Promise<Response> {
    const posted = await readMessages(request, this.maxBodyBytes, body);
    if (posted instanceof Response) return posted;
    const modern = this.modernEndpoint(backend);
    const route = '/mcp/{backend}';
    const parsed = posted.batch ? posted.messages : posted.messages[0];
    if (await modern.claims(request, parsed)) {
      try {
        await this.registry.acquire(backend); // a backend that cannot start gets its precise error, not a bare 500
      } catch (error) {
        const id = isRequest(posted.messages[0]!) ? posted.messages[0].id : null;
        return Response.json(errorBody(id, error));
      }
      return traced(request, posted.messages, { route, era: 'modern', backend }, caller, async () =>
        notFoundAs404(await modern.handle(request, parsed, caller)),
      );
    }
    const open = (used: () => void) =>
      new DirectSession(backend, this.registry, this.logger, {
        id: this.table.newId(),
        caller,
        catalog: this.catalog,
        events: this.events,
        used,
      });
    return traced(request, posted.messages, { route, era: 'legacy', backend }, caller, () =>
      this.sessions.post(request, posted, caller, open, (session) => session.backend === backend),
    );
  }

  private modernEndpoint(backend: string): ModernEndpoint {
    let endpoint = this.modern.get(backend);
    if (!endpoint) {
      endpoint = new ModernEndpoint(
        async (caller) =>
          createBackendServer(await this.registry.acquire(backend), {
            rounds: this.rounds,
            caller,
            catalog: this.catalog,
          }),
        this.maxBodyBytes,
        this.logger,
      );
      this.modern.set(backend, endpoint);
    }
    return endpoint;
  }

  private visible(backend: string, caller: Caller): boolean {
    return this.registry.has(backend) && caller.scope.seesBackend(backend);
  }

  /** The error for a backend that is not there for this caller, naming only the backends it may see. */
  private notFound(backend: string, caller: Caller) {
    const visible = this.registry
      .list()
      .map((b) => b.name)
      .filter((name) => caller.scope.seesBackend(name));
    return backendNotFound(backend, visible);
  }

  private unknown(backend: string, caller: Caller): Response {
    return Response.json(errorBody(null, this.notFound(backend, caller)), { status: 404 });
  }
}

/**
 * The backend's "method not found", relayed by a handler, comes back from the SDK on HTTP 200 (a handler's errors
 * stay in-band); the modern era answers a method the server does not implement with 404 (SEP-2575), and behind
 * `/mcp/{backend}` that server is the backend.
 */
async function notFoundAs404(response: Response): Promise<Response> {
  if (response.status !== 200 || !response.headers.get('content-type')?.startsWith('application/json'))
    return response;
  const text = await response.text();
  const notFound =
    text.includes('-32601') && JSON.parse(text)?.error?.code === JsonRpcErrorCode.MethodNotFound;
  return new Response(text, { status: notFound ? 404 : 200, headers: response.headers });
}
