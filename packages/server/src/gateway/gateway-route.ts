import type {
  Server,
  Transport,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { BackendRegistry, EventStore, Logger } from '@mcp-gateway/core';
import { Sessions } from '../internal/sessions';
import { ModernEndpoint } from '../modern/endpoint';
import { InputRounds } from '../modern/input-rounds';
import { createGatewayServer, type GatewayServerInfo, type ToolSource } from './mcp-server';

interface GatewaySession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  close(): Promise<void>;
}

/** Serves `/mcp`: one SDK server per legacy client session or modern-era request, over the meta or aggregate tools. */
export class GatewayRoute {
  private readonly sessions: Sessions<GatewaySession>;
  /** Clients served over other transports (SSE streams, the stdio front door), to tell about list changes. */
  private readonly attached = new Set<Server>();
  private readonly modern: ModernEndpoint;
  private readonly rounds = new InputRounds();

  private readonly logger: Logger;
  private readonly registry: BackendRegistry;

  constructor(
    private readonly source: ToolSource,
    private readonly info: GatewayServerInfo,
    options: {
      logger: Logger;
      maxBodyBytes: number;
      /** Told when a client session ends, to close the backend connections it had of its own. */
      registry: BackendRegistry;
      events?: EventStore;
    },
  ) {
    const { logger, maxBodyBytes } = options;
    this.logger = logger;
    this.registry = options.registry;
    this.modern = new ModernEndpoint(
      () => createGatewayServer(source, info, this.rounds),
      maxBodyBytes,
      logger,
    );
    this.sessions = new Sessions(logger, maxBodyBytes, this.modern, options.events);
  }

  /** `body`: the request body as a Node stream, when the server has one (faster than the web stream). */
  handle(request: Request, body?: AsyncIterable<Uint8Array>): Promise<Response> {
    return this.sessions.handle(
      request,
      async (transport) => {
        const server = await this.serve(transport);
        return { transport, server, close: () => server.close() };
      },
      body,
    );
  }

  /** Serves one client over any SDK transport, beside the HTTP sessions; resolves once it is connected. */
  async attach(transport: Transport): Promise<void> {
    this.track(await this.serve(transport));
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

  private track(server: Server): Server {
    this.attached.add(server);
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

  /** Tells every session which lists changed (aggregate mode, after a catalog change). */
  listsChanged(changed: { tools: boolean; resources: boolean; prompts: boolean }): void {
    const servers = [...[...this.sessions.values()].map((s) => s.server), ...this.attached];
    for (const server of servers) {
      if (changed.tools) void server.sendToolListChanged().catch(() => {});
      if (changed.resources) void server.sendResourceListChanged().catch(() => {});
      if (changed.prompts) void server.sendPromptListChanged().catch(() => {});
    }
    if (changed.tools) this.modern.notify.toolsChanged();
    if (changed.resources) this.modern.notify.resourcesChanged();
    if (changed.prompts) this.modern.notify.promptsChanged();
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    const attached = [...this.attached];
    this.attached.clear();
    this.rounds.close();
    await Promise.all([
      this.sessions.close(),
      this.modern.close(),
      ...attached.map((server) => server.close()),
    ]);
  }

  private async serve(transport: Transport): Promise<Server> {
    const server = createGatewayServer(this.source, this.info);
    server.onerror = (error) => this.logger.debug('session error', { error: error.message });
    server.onclose = () => {
      if (transport.sessionId !== undefined) void this.registry.release(transport.sessionId);
    };
    await server.connect(transport);
    return server;
  }
}
