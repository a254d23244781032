import type { Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { Logger } from '@mcp-gateway/core';
import { Sessions } from '../internal/sessions';
import { createGatewayServer, type GatewayServerInfo, type ToolSource } from './mcp-server';

interface GatewaySession {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  close(): Promise<void>;
}

/** Serves `/mcp`: one SDK server per client session, over the meta or aggregate tools. */
export class GatewayRoute {
  private readonly sessions: Sessions<GatewaySession>;

  constructor(
    private readonly source: ToolSource,
    private readonly info: GatewayServerInfo,
    private readonly logger: Logger,
  ) {
    this.sessions = new Sessions(logger);
  }

  handle(request: Request): Promise<Response> {
    return this.sessions.handle(request, async (transport) => {
      const server = createGatewayServer(this.source, this.info);
      server.onerror = (error) => this.logger.debug('session error', { error: error.message });
      await server.connect(transport);
      return { transport, server, close: () => server.close() };
    });
  }

  /** Tells every session which lists changed (aggregate mode, after a catalog change). */
  listsChanged(changed: { tools: boolean; resources: boolean; prompts: boolean }): void {
    for (const { server } of this.sessions.values()) {
      if (changed.tools) void server.sendToolListChanged().catch(() => {});
      if (changed.resources) void server.sendResourceListChanged().catch(() => {});
      if (changed.prompts) void server.sendPromptListChanged().catch(() => {});
    }
  }

  /** Ends every session. Idempotent. */
  close(): Promise<void> {
    return this.sessions.close();
  }
}
