import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { GatewayError, type Logger } from '@mcp-gateway/core';
import type { MetaTools } from '@mcp-gateway/meta';
import { errorBody } from '../internal/errors';
import { createMetaServer, type GatewayServerInfo } from './mcp-server';

/** Serves `/mcp` in meta mode: one SDK server and Streamable HTTP session per client. */
export class MetaRoute {
  private readonly sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

  constructor(
    private readonly meta: MetaTools,
    private readonly info: GatewayServerInfo,
    private readonly logger: Logger,
  ) {}

  async handle(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const transport = this.sessions.get(sessionId);
      if (!transport) {
        return Response.json(
          errorBody(
            null,
            new GatewayError('USAGE', 'Session not found: it ended. Start a new session with initialize.'),
          ),
          { status: 404 },
        );
      }
      return transport.handleRequest(request);
    }
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, transport),
      onsessionclosed: (id) => void this.sessions.delete(id),
    });
    const server = createMetaServer(this.meta, this.info);
    server.onerror = (error) => this.logger.debug('meta session error', { error: error.message });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    if (!transport.sessionId) await server.close();
    return response;
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((t) => t.close()));
  }
}
