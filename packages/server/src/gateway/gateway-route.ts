import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport, type Server } from '@modelcontextprotocol/server';
import { GatewayError, type Logger } from '@mcp-gateway/core';
import { errorBody } from '../internal/errors';
import { createGatewayServer, type GatewayServerInfo, type ToolSource } from './mcp-server';

/** Serves `/mcp`: one SDK server and Streamable HTTP session per client, over the meta or aggregate tools. */
export class GatewayRoute {
  private readonly sessions = new Map<
    string,
    { transport: WebStandardStreamableHTTPServerTransport; server: Server }
  >();

  constructor(
    private readonly source: ToolSource,
    private readonly info: GatewayServerInfo,
    private readonly logger: Logger,
  ) {}

  async handle(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) {
        const error = new GatewayError(
          'USAGE',
          'Session not found: it ended. Start a new session with initialize.',
        );
        return Response.json(errorBody(null, error), { status: 404 });
      }
      return session.transport.handleRequest(request);
    }
    const server = createGatewayServer(this.source, this.info);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, { transport, server }),
      onsessionclosed: (id) => void this.sessions.delete(id),
    });
    server.onerror = (error) => this.logger.debug('session error', { error: error.message });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    if (!transport.sessionId) await server.close();
    return response;
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
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(({ server }) => server.close()));
  }
}
