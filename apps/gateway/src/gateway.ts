import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { GatewayError, errorMessage, type GatewaySettings, type Logger } from '@mcp-gateway/core';
import { Supervisor, type ReconfigureResult } from '@mcp-gateway/supervisor';
import { createGatewayApp, type ConfigStatus, type GatewayApp } from '@mcp-gateway/server';
import packageJson from '../package.json' with { type: 'json' };
import { createStderrLogger } from './logger';
import { watchFile } from './watch';

const SHUTDOWN_GRACE_MS = 2000;

/** Settings a running gateway cannot change, by config key: a reload that changes them logs "restart required". */
const RESTART_REQUIRED = {
  host: 'host',
  port: 'port',
  mode: 'mode',
  stateDir: 'state_dir',
  logLevel: 'log_level',
} as const satisfies Partial<Record<keyof GatewaySettings, string>>;

export interface GatewayOptions {
  logger?: Logger;
  /** Reads the configuration again, for {@link Gateway.reload} without an argument (SIGHUP, `--watch`). */
  load?: () => GatewaySettings;
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
  private running: GatewaySettings;
  private readonly status: ConfigStatus = {
    generation: 1,
    loaded_at: new Date().toISOString(),
    last_error: null,
  };
  /** Reloads run one after another, in the order asked. */
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(
    config: GatewaySettings,
    private readonly options: GatewayOptions = {},
  ) {
    this.running = config;
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
      configStatus: () => ({ ...this.status }),
    });
  }

  /** The configuration the gateway runs now (after any reloads). */
  get config(): GatewaySettings {
    return this.running;
  }

  /**
   * Applies a new configuration (SIGHUP, `--watch`; without an argument, from the `load` option): backends are
   * added, removed, restarted or kept as {@link Supervisor.reconfigure} says, so unchanged backends keep their
   * processes and sessions. Settings that need a restart are logged and not applied. An invalid configuration
   * changes nothing: its problems are logged as `check` prints them, and `/health` shows them under
   * `config.last_error`. Resolves with what changed, or undefined when nothing was applied.
   */
  reload(next?: GatewaySettings): Promise<ReconfigureResult | undefined> {
    const run = this.reloading.then(() => this.apply(next)).catch((error: unknown) => this.refused(error));
    this.reloading = run;
    return run;
  }

  /** A reload that could not be applied: said in the log and in `/health`; the running configuration stays. */
  private refused(error: unknown): undefined {
    this.status.last_error = errorMessage(error);
    this.logger.error(errorMessage(error), { reload: 'refused; the running configuration stays' });
    return undefined;
  }

  private async apply(next: GatewaySettings | undefined): Promise<ReconfigureResult | undefined> {
    if (!next && !this.options.load)
      throw new GatewayError('USAGE', 'This gateway was given no way to read its configuration again.');
    const config = next ?? this.options.load!();
    const kept: Partial<GatewaySettings> = {};
    for (const [key, name] of Object.entries(RESTART_REQUIRED) as [keyof typeof RESTART_REQUIRED, string][]) {
      if (config[key] === this.running[key]) continue;
      this.logger.warn(`restart required to change ${name}`, {
        running: this.running[key],
        configured: config[key],
      });
      Object.assign(kept, { [key]: this.running[key] });
    }
    const changes = await this.supervisor.reconfigure(config.backends);
    this.running = { ...config, ...kept };
    Object.assign(this.status, {
      generation: this.status.generation + 1,
      loaded_at: new Date().toISOString(),
      last_error: null,
    });
    this.logNames();
    const { added, removed, changed } = changes;
    this.logger.info('configuration reloaded', {
      generation: this.status.generation,
      added,
      removed,
      changed,
    });
    void this.supervisor.warm(); // learn the tools of added and changed backends
    return changes;
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
    this.logNames();
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
    this.logNames();
    void this.supervisor.warm();
    await closed;
    await serving.close();
  }

  /**
   * Starts (on the socket, or on stdio with `stdio`), reloads on SIGHUP (and when the `watch` file changes), then
   * waits for SIGINT, SIGTERM or stdin's end, and shuts down.
   */
  async run(options: { stdio?: boolean; watch?: string } = {}): Promise<void> {
    const hangup = () => {
      this.logger.info('reloading the configuration', { signal: 'SIGHUP' });
      void this.reload();
    };
    process.on('SIGHUP', hangup);
    const unwatch = options.watch ? watchFile(options.watch, () => void this.reload()) : () => {};
    try {
      if (options.stdio) await Promise.race([this.serveStdio(), signalled(this.logger)]);
      else await this.start().then(() => signalled(this.logger));
    } finally {
      process.off('SIGHUP', hangup);
      unwatch();
    }
    await this.close();
  }

  /** Says which backends got their names from free-text `mcpServers` keys ("Brave Search" → brave-search). */
  private logNames(): void {
    const renamed = this.config.renamed ?? {};
    if (Object.keys(renamed).length > 0)
      this.logger.info('backend names derived from mcpServers keys', { renamed });
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
