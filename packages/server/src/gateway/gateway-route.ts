import type { Server, Transport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { BackendRegistry, EventStore, Logger } from '@mcp-gateway/core';
import { LOCAL_CALLER, type Caller } from '../internal/caller';
import { readMessages, refuse } from '../internal/http';
import { SessionRoute } from '../internal/session-route';
import type { SessionTable } from '../internal/session-table';
import { traced } from '../internal/tracing';
import { ModernEndpoint } from '../modern/endpoint';
import type { InputRounds } from '../modern/input-rounds';
import { createGatewayServer, type GatewayServerInfo, type ToolSource } from './mcp-server';
import { ServerSession } from './server-session';

const MODERN = { route: '/mcp', era: 'modern' } as const;
const LEGACY = { route: '/mcp', era: 'legacy' } as const;

/** Serves `/mcp`: one SDK server per legacy client session or modern-era request, over the meta or aggregate tools. */
export class GatewayRoute {
  private readonly sessions: SessionRoute<ServerSession>;
  /** The servers of every client (HTTP sessions, SSE streams, the stdio front door), to tell about list changes. */
  private readonly attached = new Map<Server, Caller>();
  private readonly modern: ModernEndpoint;
  private readonly rounds: InputRounds;

  private readonly logger: Logger;
  private readonly registry: BackendRegistry;
  private readonly maxBodyBytes: number;
  private readonly events: EventStore | undefined;
  private readonly table: SessionTable;

  constructor(
    private readonly source: ToolSource,
    private readonly info: GatewayServerInfo,
    options: {
      logger: Logger;
      maxBodyBytes: number;
      /** Told when a client session ends, to close the backend connections it had of its own. */
      registry: BackendRegistry;
      table: SessionTable;
      /** Input-required rounds of modern-era calls, shared with `/mcp/{backend}` (one per replica). */
      rounds: InputRounds;
      events?: EventStore;
    },
  ) {
    this.rounds = options.rounds;
    const { logger, maxBodyBytes } = options;
    this.logger = logger;
    this.registry = options.registry;
    this.maxBodyBytes = maxBodyBytes;
    this.events = options.events;
    this.modern = new ModernEndpoint(
      (caller) => createGatewayServer(source, info, this.rounds, caller),
      maxBodyBytes,
      logger,
    );
    this.table = options.table;
    this.sessions = new SessionRoute(options.table, logger, options.events);
  }

  /**
   * Serves one request to `/mcp`: a modern-era one through the {@link ModernEndpoint}, a 2025-era one in its
   * session. `body`: the request body as a Node stream, when the server has one (faster than the web stream).
   */
  async handle(
    request: Request,
    body?: AsyncIterable<Uint8Array>,
    caller: Caller = LOCAL_CALLER,
  ): Promise<Response> {
    if (request.method === 'POST') {
      const posted = await readMessages(request, this.maxBodyBytes, body ?? request.body);
      if (posted instanceof Response) return posted;
      const parsed = posted.batch ? posted.messages : posted.messages[0];
      if (await this.modern.claims(request, parsed))
        return traced(request, posted.messages, MODERN, caller, () =>
          this.modern.handle(request, parsed, caller),
        );
      return traced(request, posted.messages, LEGACY, caller, () =>
        this.sessions.post(request, posted, caller, (used) => this.open(caller, used)),
      );
    }
    if (request.method !== 'GET' && request.method !== 'DELETE')
      return refuse(405, 'Method Not Allowed: use POST, GET or DELETE.', undefined, {
        allow: 'GET, POST, DELETE',
      });
    return this.sessions.getOrDelete(request, caller);
  }

  /** Serves one client over any SDK transport, beside the HTTP sessions; resolves once it is connected. */
  async attach(transport: Transport, caller: Caller = LOCAL_CALLER): Promise<void> {
    this.track(await this.serve(transport, caller), caller);
  }

  /**
   * Serves one client over a stdio-shaped transport in the era its first message opens: a 2025 `initialize`, or a
   * 2026-07-28 request with the `_meta` envelope (the SDK's `serveStdio` decides). Returns how to end it.
   */
  serveEitherEra(transport: Transport): { close(): Promise<void> } {
    return serveStdio(
      (ctx) =>
        this.track(
          createGatewayServer(this.source, this.info, ctx.era === 'modern' ? this.rounds : undefined),
        ),
      { transport, onerror: (error) => this.logger.debug('stdio client error', { error: error.message }) },
    );
  }

  private track(server: Server, caller: Caller = LOCAL_CALLER): Server {
    this.attached.set(server, caller);
    const closed = server.onclose;
    server.onclose = () => {
      this.attached.delete(server);
      closed?.();
    };
    return server;
  }

  /** Open HTTP sessions on `/mcp` (clients on SSE streams and stdio are counted where they are served). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Tells every client which lists changed (aggregate mode, after a catalog change): each hears only of lists in
   * which an item it may see came, went or changed. `changed` names the items, as `[backend, item]`.
   */
  listsChanged(changed: Record<'tools' | 'resources' | 'prompts', [string, string][]>): void {
    for (const [server, { scope }] of this.attached) {
      const sees = (items: [string, string][]) =>
        items.some(([backend, item]) => scope.allows(backend, item));
      if (sees(changed.tools)) void server.sendToolListChanged().catch(() => {});
      if (sees(changed.resources)) void server.sendResourceListChanged().catch(() => {});
      if (sees(changed.prompts)) void server.sendPromptListChanged().catch(() => {});
    }
    // Modern-era listen streams are told alike whatever they may see: the SDK's notifier broadcasts.
    if (changed.tools.length > 0) this.modern.notify.toolsChanged();
    if (changed.resources.length > 0) this.modern.notify.resourcesChanged();
    if (changed.prompts.length > 0) this.modern.notify.promptsChanged();
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    const attached = [...this.attached];
    this.attached.clear();
    this.rounds.close();
    this.sessions.close();
    await Promise.all([this.modern.close(), ...attached.map(([server]) => server.close())]);
  }

  /** A new 2025-era HTTP session with its own server; it serves `tools/call` itself, as the server would. */
  private async open(caller: Caller, used: () => void): Promise<ServerSession> {
    const { scope } = caller;
    const session = new ServerSession(caller, {
      id: this.table.newId(),
      events: this.events,
      used,
      logger: this.logger,
      callTool: (name, args, call) =>
        this.source.tools.call(name, args, {
          signal: call.signal,
          session: call.session,
          scope,
          client: scope.identity,
          progressToken: call.progressToken,
          onNotification: call.onNotification,
          onRequest: call.onRequest,
        }),
    });
    this.track(await this.serve(session, caller), caller);
    return session;
  }

  private async serve(transport: Transport, caller: Caller): Promise<Server> {
    const server = createGatewayServer(this.source, this.info, undefined, caller);
    server.onerror = (error) => this.logger.debug('session error', { error: error.message });
    server.onclose = () => {
      if (transport.sessionId !== undefined) void this.registry.release(transport.sessionId);
    };
    await server.connect(transport);
    return server;
  }
}
