import {
  GatewayError,
  errorMessage,
  silentLogger,
  type BackendConnection,
  type BackendEventListener,
  type BackendHealth,
  type BackendRegistry,
  type BackendSettings,
  type BackendSummary,
  type LiveConnection,
  type Logger,
} from '@mcp-gateway/core';
import { connectBackend } from '@mcp-gateway/transports';
import { defaultBackoff, type BackoffPolicy } from './backoff';
import { ManagedBackend, type Connector } from './managed-backend';

export interface SupervisorOptions {
  backends: Record<string, BackendSettings>;
  logger?: Logger;
  /** Defaults to `connectBackend` from `@mcp-gateway/transports`. */
  connect?: Connector;
  backoff?: Partial<BackoffPolicy>;
}

/**
 * Owns every backend of a gateway and hands out live connections: the `BackendRegistry` that `server` and `meta`
 * run on.
 *
 * @example await using supervisor = new Supervisor({ backends: config.backends })
 */
export class Supervisor implements BackendRegistry {
  private readonly backends = new Map<string, ManagedBackend>();
  private readonly settings: Record<string, BackendSettings>;
  private readonly listeners = new Set<BackendEventListener>();
  private readonly toolCounts = new Map<string, number>();
  private readonly logger: Logger;

  constructor(options: SupervisorOptions) {
    this.logger = options.logger ?? silentLogger;
    this.settings = options.backends;
    const connect: Connector =
      options.connect ?? ((settings, logger) => connectBackend(settings, { logger }));
    const backoff = { ...defaultBackoff, ...options.backoff };
    for (const [name, settings] of Object.entries(options.backends)) {
      const logger = this.logger.child({ backend: name });
      this.backends.set(
        name,
        new ManagedBackend({
          settings,
          connect,
          logger,
          backoff,
          onNotification: (notification) => {
            if (notification.method === 'notifications/tools/list_changed')
              void this.countTools(name, undefined);
            for (const listener of this.listeners) listener(name, notification);
          },
          onStarted: (connection) => void this.countTools(name, connection),
        }),
      );
    }
  }

  list(): BackendSummary[] {
    return [...this.backends.values()].map((b) => ({
      name: b.name,
      description: this.settings[b.name]!.description,
      state: b.currentState,
    }));
  }

  has(name: string): boolean {
    return this.backends.has(name);
  }

  async acquire(name: string): Promise<BackendConnection> {
    const backend = this.backends.get(name);
    if (!backend) {
      const known = [...this.backends.keys()].join(', ') || '(none configured)';
      throw new GatewayError(
        'BACKEND_NOT_FOUND',
        `No backend named "${name}". Configured backends: ${known}.`,
      );
    }
    const connection = await backend.acquire();
    return {
      backend: name,
      initializeResult: connection.initializeResult,
      request: (method, params, options) =>
        connection.request(method, params, options).finally(() => backend.touch()),
      notify: (method, params) => connection.notify(method, params),
    };
  }

  health(): Record<string, BackendHealth> {
    return Object.fromEntries(
      [...this.backends.values()].map((b) => [b.name, b.health(this.toolCounts.get(b.name) ?? 0)]),
    );
  }

  onEvent(listener: BackendEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every backend and its processes. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.backends.values()].map((b) => b.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async countTools(
    name: string,
    connection: LiveConnection | BackendConnection | undefined,
  ): Promise<void> {
    try {
      const conn = connection ?? (await this.acquire(name));
      let cursor: unknown;
      let count = 0;
      do {
        const page = (await conn.request('tools/list', cursor ? { cursor } : {})) as {
          tools?: unknown[];
          nextCursor?: unknown;
        };
        count += page.tools?.length ?? 0;
        cursor = page.nextCursor;
      } while (cursor);
      this.toolCounts.set(name, count);
    } catch (error) {
      this.logger.warn('could not list tools', { backend: name, error: errorMessage(error) });
    }
  }
}
