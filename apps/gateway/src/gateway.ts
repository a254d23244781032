import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { GatewayError, type GatewaySettings, type Logger } from '@mcp-gateway/core';
import { Supervisor } from '@mcp-gateway/supervisor';
import { createGatewayApp, type GatewayApp } from '@mcp-gateway/server';
import packageJson from '../package.json' with { type: 'json' };
import { createStderrLogger } from './logger';

const SHUTDOWN_GRACE_MS = 2000;

export interface GatewayOptions {
  logger?: Logger;
}

/**
 * The whole gateway: supervisor, HTTP app and socket. `start()` listens; `run()` also stops on SIGINT/SIGTERM.
 *
 * @example const gateway = new Gateway(GatewayConfig.fromYaml('servers.yaml')); await gateway.run();
 */
export class Gateway {
  readonly logger: Logger;
  private readonly supervisor: Supervisor;
  private readonly http: GatewayApp;
  private server: ServerType | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: GatewaySettings,
    options: GatewayOptions = {},
  ) {
    this.logger = options.logger ?? createStderrLogger({ level: config.logLevel });
    this.supervisor = new Supervisor({
      backends: config.backends,
      logger: this.logger,
      stateDir: config.stateDir,
    });
    this.http = createGatewayApp({
      registry: this.supervisor,
      catalog: this.supervisor,
      mode: config.mode,
      logger: this.logger,
      allowedHosts: allowedHostsFor(config.host),
      serverInfo: { name: 'mcp-gateway', version: packageJson.version },
    });
  }

  /** Every backend's health, as `/health` reports it. */
  health() {
    return this.supervisor.health();
  }

  /** The Hono app, for in-process requests (`gateway.app.request('/health')`). */
  get app() {
    return this.http.app;
  }

  /** Listens on the configured host and port; resolves with the URL it serves. */
  async start(): Promise<URL> {
    const server = serve({ fetch: this.http.app.fetch, hostname: this.config.host, port: this.config.port });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (error: NodeJS.ErrnoException) => {
        const hint =
          error.code === 'EADDRINUSE' ? ' Another process uses that port; pick one with --port.' : '';
        reject(
          new GatewayError(
            'BACKEND_ERROR',
            `Cannot listen on ${this.config.host}:${this.config.port}: ${error.message}.${hint}`,
            { cause: error },
          ),
        );
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host;
    const url = new URL(`http://${host}:${port}/`);
    const backends = Object.keys(this.config.backends);
    this.logger.info(`MCP Gateway listening on ${url.origin}`, { mode: this.config.mode, backends });
    // First run: start each backend without a cached catalog once, so search knows its tools.
    void this.supervisor.warm();
    return url;
  }

  /**
   * The stdio front door: serves `/mcp`'s gateway (meta or aggregate) on stdin/stdout instead of a socket, for
   * clients that only spawn processes, in either protocol era. Logs stay on stderr. Resolves when the client closes
   * stdin.
   */
  async serveStdio(): Promise<void> {
    const closed = new Promise<void>((resolve) => process.stdin.once('end', resolve));
    const serving = this.http.serveEitherEra(new StdioServerTransport());
    this.logger.info('MCP Gateway serving on stdio', {
      mode: this.config.mode,
      backends: Object.keys(this.config.backends),
    });
    void this.supervisor.warm();
    await closed;
    await serving.close();
  }

  /** Starts (on the socket, or on stdio with `stdio`), then waits for SIGINT, SIGTERM or stdin's end, and shuts down. */
  async run(options: { stdio?: boolean } = {}): Promise<void> {
    if (options.stdio) {
      await Promise.race([this.serveStdio(), signalled(this.logger)]);
      return this.close();
    }
    await this.start();
    await signalled(this.logger);
    await this.close();
  }

  /** Stops taking requests, ends sessions, stops every backend and its processes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      if (server) {
        // Stop accepting, give in-flight requests a bounded grace, then cut what is left (e.g. idle SSE streams).
        const http = server as ServerType & {
          closeIdleConnections?: () => void;
          closeAllConnections?: () => void;
        };
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        http.closeIdleConnections?.();
        const grace = setTimeout(() => http.closeAllConnections?.(), SHUTDOWN_GRACE_MS);
        grace.unref();
        await closed;
        clearTimeout(grace);
      }
      await this.http.close();
      await this.supervisor.close();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function signalled(logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info('shutting down', { signal });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** DNS-rebinding protection applies when bound to loopback; a public bind is the operator's choice of exposure. */
function allowedHostsFor(host: string): string[] | null {
  return ['127.0.0.1', 'localhost', '::1'].includes(host) ? ['localhost', '127.0.0.1', '[::1]', '::1'] : null;
}
