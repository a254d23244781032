import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { GatewayError, type Logger } from '@mcp-gateway/core';
import { errorBody } from './errors';

/** What a route keeps per client session: the SDK transport it serves and how to end it. */
export interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  close(): Promise<void>;
}

/**
 * Sessionful Streamable HTTP serving, shared by `/mcp` and `/mcp/{backend}`: one SDK transport per client session,
 * ids random UUIDs (never authentication), 404 for an unknown session, the session ended on DELETE.
 */
export class Sessions<S extends Session> {
  private readonly byId = new Map<string, S>();

  constructor(private readonly logger: Logger) {}

  values(): IterableIterator<S> {
    return this.byId.values();
  }

  /**
   * Serves one request: to the session its `Mcp-Session-Id` names (if `accepts` it), or as the first request of a
   * new session that `open` builds around a fresh transport.
   */
  async handle(
    request: Request,
    open: (transport: WebStandardStreamableHTTPServerTransport) => Promise<S> | S,
    accepts: (session: S) => boolean = () => true,
  ): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const session = this.byId.get(id);
      if (!session || !accepts(session)) {
        const error = new GatewayError(
          'USAGE',
          'Session not found: it ended or belongs to another endpoint. Start a new session with initialize.',
        );
        return Response.json(errorBody(null, error), { status: 404 });
      }
      return session.transport.handleRequest(request);
    }
    // The transport announces the session id during its first request, by which time `open` has built it.
    const built: { session?: S } = {};
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.byId.set(sessionId, built.session!);
        this.logger.debug('session started', { session: sessionId });
      },
      onsessionclosed: (sessionId) => {
        void this.byId.get(sessionId)?.close();
        this.byId.delete(sessionId);
        this.logger.debug('session ended', { session: sessionId });
      },
    });
    const session = (built.session = await open(transport));
    const response = await transport.handleRequest(request);
    if (!transport.sessionId) await session.close(); // not an initialize: the transport already answered
    return response;
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    const all = [...this.byId.values()];
    this.byId.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
