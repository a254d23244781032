import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { GatewayError, type BackendRegistry, type Logger } from '@mcp-gateway/core';
import { errorBody } from '../internal/errors';
import { DirectSession } from './direct-session';

/**
 * Serves `/mcp/{backend}`: one SDK Streamable HTTP transport per client session (session ids are random UUIDs,
 * never authentication), each bridged to the shared backend by a {@link DirectSession}.
 */
export class DirectRoute {
  private readonly sessions = new Map<string, DirectSession>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: BackendRegistry,
    private readonly logger: Logger,
  ) {
    this.unsubscribe = registry.onEvent((backend, notification) => {
      for (const session of this.sessions.values())
        if (session.backend === backend) session.broadcast(notification);
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async handle(backend: string, request: Request): Promise<Response> {
    if (!this.registry.has(backend)) {
      return Response.json(
        errorBody(
          null,
          new GatewayError(
            'BACKEND_NOT_FOUND',
            `No backend named "${backend}". Configured backends: ${
              this.registry
                .list()
                .map((b) => b.name)
                .join(', ') || '(none)'
            }.`,
          ),
        ),
        { status: 404 },
      );
    }
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session || session.backend !== backend) {
        return Response.json(
          errorBody(
            null,
            new GatewayError(
              'USAGE',
              `Session not found: it ended or belongs to another endpoint. Start a new session with initialize.`,
            ),
          ),
          { status: 404 },
        );
      }
      return session.transport.handleRequest(request);
    }
    return this.startSession(backend, request);
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    this.unsubscribe();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close()));
  }

  private async startSession(backend: string, request: Request): Promise<Response> {
    const logger = this.logger.child({ backend });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
        logger.debug('session started', { session: id });
      },
      onsessionclosed: (id) => {
        void this.sessions.get(id)?.close();
        this.sessions.delete(id);
        logger.debug('session ended', { session: id });
      },
    });
    const session = new DirectSession(backend, transport, this.registry, logger);
    const response = await transport.handleRequest(request);
    if (!transport.sessionId) await transport.close(); // not an initialize: the transport already answered 400
    return response;
  }
}
