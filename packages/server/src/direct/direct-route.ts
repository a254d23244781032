import { backendNotFound, type BackendRegistry, type Logger } from '@mcp-gateway/core';
import { errorBody } from '../internal/errors';
import { Sessions } from '../internal/sessions';
import { DirectSession } from './direct-session';

/** Serves `/mcp/{backend}`: one session per client, each bridged to the shared backend by a {@link DirectSession}. */
export class DirectRoute {
  private readonly sessions: Sessions<DirectSession>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: BackendRegistry,
    private readonly logger: Logger,
  ) {
    this.sessions = new Sessions(logger);
    this.unsubscribe = registry.onEvent((backend, notification) => {
      for (const session of this.sessions.values())
        if (session.backend === backend) session.broadcast(notification);
    });
  }

  async handle(backend: string, request: Request): Promise<Response> {
    if (!this.registry.has(backend)) {
      const known = this.registry.list().map((b) => b.name);
      return Response.json(errorBody(null, backendNotFound(backend, known)), { status: 404 });
    }
    return this.sessions.handle(
      request,
      (transport) => new DirectSession(backend, transport, this.registry, this.logger.child({ backend })),
      (session) => session.backend === backend,
    );
  }

  /** Ends every session. Idempotent. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.sessions.close();
  }
}
