import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import {
  GatewayError,
  errorMessage,
  type CallRecord,
  type GatewaySettings,
  type LogFields,
  type Logger,
  type RateBuckets,
  type TextEmbedder,
} from '@mcp-gateway/core';
import { AccessPolicy, Authenticator, RateLimiter, auditFields } from '@mcp-gateway/auth';
import { ActivityRing } from '@mcp-gateway/console';
import { DEFAULT_TABLE, StaticEmbedder } from '@mcp-gateway/embeddings';
import {
  RedisCatalogSnapshots,
  RedisEventStore,
  RedisRateBuckets,
  RedisReplicaBus,
} from '@mcp-gateway/redis';
import { Supervisor, type ReconfigureResult } from '@mcp-gateway/supervisor';
import {
  createGatewayApp,
  type ConfigStatus,
  type GatewayApp,
  type GatewaySecurity,
} from '@mcp-gateway/server';
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
  redis: 'redis',
} as const satisfies Partial<Record<keyof GatewaySettings, string>>;

export interface GatewayOptions {
  logger?: Logger;
  /** Reads the configuration again, for {@link Gateway.reload} without an argument (SIGHUP, `--watch`). */
  load?: () => GatewaySettings;
  /**
   * Listen on a non-loopback address without authentication (the CLI's `--allow-unauthenticated`), for a
   * gateway behind something else that authenticates. Without it such a start is refused.
   */
  allowUnauthenticated?: boolean;
  /** This replica's key behind a load balancer (`--replica`): it leads session ids and is in `/health`. */
  replica?: string;
}

/**
 * The whole gateway: supervisor, HTTP app and socket. `start()` listens; `run()` also stops on SIGINT/SIGTERM.
 *
 * @example const gateway = new Gateway(GatewayConfig.fromYaml('servers.yaml')); await gateway.run();
 */
export class Gateway {
  readonly logger: Logger;
  /** One line per tool call, resource read and prompt get, whatever the log level (when audit is on). */
  private readonly auditLog: Logger;
  private readonly supervisor: Supervisor;
  private readonly http: GatewayApp;
  /** The shared event store, when `redis` is configured. */
  private readonly events: RedisEventStore | undefined;
  /** Messages between replicas, when `redis` is configured and this one has a name. */
  private readonly bus: RedisReplicaBus | undefined;
  /** Rate-limit buckets every replica takes from, when `redis` is configured. */
  private readonly buckets: RedisRateBuckets | undefined;
  /** Catalogs every replica learned, when `redis` is configured. */
  private readonly catalogs: RedisCatalogSnapshots | undefined;
  /** The recent calls the console shows. */
  private readonly activity = new ActivityRing();
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
    this.auditLog = (options.logger ?? createStderrLogger({ level: 'info' })).child({ log: 'audit' });
    // A replica that starts afresh takes the tools the others learned instead of starting every backend.
    this.catalogs = config.redis
      ? RedisCatalogSnapshots.connect(config.redis.url, { prefix: config.redis.prefix })
      : undefined;
    this.supervisor = new Supervisor({
      backends: config.backends,
      logger: this.logger,
      stateDir: config.stateDir,
      onCall: (call) => {
        this.activity.record(call);
        this.audit(call);
      },
      ...(config.catalog ? { warmConcurrency: config.catalog.warmConcurrency } : {}),
      ...(this.catalogs ? { sharedCatalog: this.catalogs } : {}),
    });
    const embedder = config.catalog?.semantic === false ? undefined : this.embedder();
    // Replicas share their stream events through Redis; without it they stay in this process's memory.
    this.events = config.redis
      ? RedisEventStore.connect(config.redis.url, {
          prefix: config.redis.prefix,
          ttlSeconds: config.redis.eventTtlS,
        })
      : undefined;
    // A modern-era input-required retry that lands on another replica is handed back to this one through it.
    this.bus =
      config.redis && options.replica
        ? RedisReplicaBus.connect(config.redis.url, { replica: options.replica, prefix: config.redis.prefix })
        : undefined;
    this.buckets = config.redis
      ? RedisRateBuckets.connect(config.redis.url, { prefix: config.redis.prefix })
      : undefined;
    this.http = createGatewayApp({
      registry: this.supervisor,
      catalog: this.supervisor,
      mode: config.mode,
      logger: this.logger,
      allowedHosts: allowedHostsFor(config),
      allowedOrigins: config.allowedOrigins,
      security: securityFor(config, this.buckets),
      ...(config.sessions ? { sessionLimits: config.sessions } : {}),
      ...(config.catalog ? { catalogWaitMs: config.catalog.waitMs } : {}),
      ...(embedder ? { embedder } : {}),
      serverInfo: { name: 'mcp-gateway', version: packageJson.version },
      ...(this.events ? { eventStore: this.events } : {}),
      ...(options.replica ? { replica: options.replica } : {}),
      ...(this.bus ? { bus: this.bus } : {}),
      configStatus: () => ({ ...this.status }),
      ...(consoleServed(config)
        ? {
            console: {
              activity: this.activity,
              ...(options.load ? { reload: async () => void (await this.reload()) } : {}),
              audit: (action: string, fields: LogFields) =>
                this.auditLog.info('audit', { action, ...fields }),
            },
          }
        : {}),
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
      if (JSON.stringify(config[key]) === JSON.stringify(this.running[key])) continue;
      // The Redis URL may hold a password: its change is named, not shown.
      this.logger.warn(
        `restart required to change ${name}`,
        key === 'redis' ? {} : { running: this.running[key], configured: config[key] },
      );
      Object.assign(kept, { [key]: this.running[key] });
    }
    if (!config.auth && !isLoopback(this.running.host) && !this.options.allowUnauthenticated)
      throw new GatewayError('USAGE', publicBindRefusal(this.running.host, 'the reloaded configuration'));
    const changes = await this.supervisor.reconfigure(config.backends);
    this.running = { ...config, ...kept };
    this.http.reconfigure({
      security: securityFor(this.running, this.buckets),
      allowedHosts: allowedHostsFor(this.running),
      allowedOrigins: this.running.allowedOrigins,
      ...(this.running.sessions ? { sessionLimits: this.running.sessions } : {}),
    });
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

  /**
   * The static word table for search by meaning, read with the first search; when it is missing (a broken
   * install), search by words alone, said once in the log.
   */
  private embedder(): TextEmbedder | undefined {
    if (existsSync(DEFAULT_TABLE)) return StaticEmbedder.lazy();
    this.logger.warn('search by meaning is off: its word table is missing', {
      table: fileURLToPath(DEFAULT_TABLE),
    });
    return undefined;
  }

  /** Every backend's health, as `/health` reports it. */
  health() {
    return this.supervisor.health();
  }

  /** The Hono app, for in-process requests (`gateway.app.request('/health')`). */
  get app() {
    return this.http.app;
  }

  /**
   * Listens on the configured host and port; resolves with the URL it serves. A non-loopback address without
   * authentication is refused (`USAGE`) unless `allowUnauthenticated` says so.
   */
  async start(): Promise<URL> {
    const { host, auth, publicUrl } = this.config;
    if (!isLoopback(host) && !auth && !this.options.allowUnauthenticated)
      throw new GatewayError('USAGE', publicBindRefusal(host, 'this configuration'));
    if (auth?.oauth && !publicUrl && !isLoopback(host))
      this.logger.warn(
        'oauth without public_url: token audiences and resource metadata follow the URL each request was sent to; set public_url',
      );
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
    const url = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
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
      await this.events?.close();
      await this.bus?.close();
      await this.buckets?.close();
      await this.catalogs?.close();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Writes the audit line of a finished tool call, resource read or prompt get, when audit is on. */
  private audit(call: CallRecord): void {
    const { audit } = this.running;
    const fields = audit?.enabled ? auditFields(call, audit.arguments) : undefined;
    if (fields) this.auditLog.info('audit', fields);
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

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

function isLoopback(host: string): boolean {
  return LOOPBACK.includes(host) || host.startsWith('127.');
}

/**
 * Whether to serve the web console: unless `console: false`, with authentication (admins only), or without it on
 * a loopback bind (a public bind without authentication gets none).
 */
function consoleServed(config: GatewaySettings): boolean {
  return config.console !== false && (config.auth !== undefined || isLoopback(config.host));
}

function publicBindRefusal(host: string, what: string): string {
  return `Refusing to listen on ${host} without authentication: ${what} lets anyone who can reach the port call every tool. Configure auth (api_keys or oauth; see "Security" in the README), bind 127.0.0.1, or pass --allow-unauthenticated when something in front of the gateway authenticates.`;
}

/**
 * The Host names accepted (DNS-rebinding protection, always on): the loopback names, the bound address unless it
 * is a wildcard, the host of \`public_url\`, and \`allowed_hosts\`.
 */
function allowedHostsFor(config: GatewaySettings): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
  const { host } = config;
  if (!['0.0.0.0', '::', ''].includes(host)) hosts.add(host.includes(':') ? `[${host}]` : host);
  if (config.publicUrl) hosts.add(new URL(config.publicUrl).hostname);
  for (const extra of config.allowedHosts ?? []) hosts.add(extra);
  return [...hosts];
}

/** What the app needs to authenticate, authorize and rate-limit, built from the configuration. */
function securityFor(config: GatewaySettings, sharedBuckets?: RateBuckets): GatewaySecurity {
  const { auth } = config;
  return {
    ...(auth ? { authenticator: new Authenticator(auth) } : {}),
    access: new AccessPolicy(config.access ?? []),
    ...(config.rateLimit ? { rateLimiter: new RateLimiter(config.rateLimit) } : {}),
    ...(sharedBuckets ? { sharedBuckets } : {}),
    ...(auth?.oauth ? { oauth: auth.oauth } : {}),
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    publicMetrics: auth?.publicMetrics ?? false,
  };
}
