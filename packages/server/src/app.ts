import { Hono, type Context } from 'hono';
import type { Transport } from '@modelcontextprotocol/server';
import {
  GatewayError,
  silentLogger,
  type BackendRegistry,
  type Catalog,
  type EventStore,
  type GatewayMode,
  type LogFields,
  type Logger,
  type ReplicaBus,
  type TextEmbedder,
} from '@mcp-gateway/core';
import { createConsole, type ActivityRing } from '@mcp-gateway/console';
import { AggregateResources, AggregateTools, MetaTools } from '@mcp-gateway/meta';
import { DirectRoute } from './direct/direct-route';
import { GatewayRoute } from './gateway/gateway-route';
import type { ToolSource } from './gateway/mcp-server';
import { catalogCoverage, healthReport, type ConfigStatus } from './health';
import { LOCAL_CALLER, type Caller } from './internal/caller';
import { HostPolicy, hostGuard } from './internal/host-guard';
import { limitedTransport } from './internal/limited-transport';
import { SessionTable, type SessionLimits } from './internal/session-table';
import { DEFAULT_MAX_BODY_BYTES } from './internal/http';
import { errorBody } from './internal/errors';
import { SseRoute } from './legacy/sse-route';
import { MemoryEventStore } from './memory-event-store';
import { InputRounds } from './modern/input-rounds';
import { Metrics } from './metrics';
import { HttpSecurity, type GatewaySecurity } from './security';

export interface GatewayAppOptions {
  registry: BackendRegistry;
  catalog: Catalog;
  /** `meta` (default): the four meta-tools on `/mcp`; `aggregate`: every backend tool, namespaced. */
  mode?: GatewayMode;
  /** Reported to clients of `/mcp` as the server's name and version. */
  serverInfo?: { name: string; version: string };
  logger?: Logger;
  /**
   * Host names accepted in the `Host` header (DNS-rebinding protection), and the hosts of acceptable `Origin`s.
   * Defaults to localhost names; `null` turns the check off (for embedders that check elsewhere).
   */
  allowedHosts?: string[] | null;
  /** `Origin`s accepted beyond those of the allowed hosts. */
  allowedOrigins?: string[];
  /** Authentication, access rules and rate limits; none: every request is the trusted local caller. */
  security?: GatewaySecurity;
  /** The largest POST body accepted, in bytes (413 beyond); 4 MiB by default. */
  maxBodyBytes?: number;
  /**
   * Keeps what legacy sessions' SSE streams carry, so that a client that lost one resumes it with `Last-Event-ID`.
   * A {@link MemoryEventStore} by default; pass a shared one to resume on another replica, or `null` for none.
   */
  eventStore?: EventStore | null;
  /** Which configuration runs, for `/health` (the app that reloads it keeps this). */
  configStatus?: () => ConfigStatus;
  /** Idle expiry and caps of legacy sessions over every endpoint (30 minutes, 10,000, 1,000 per client). */
  sessionLimits?: SessionLimits;
  /** How long meta-mode search and listing wait for backends still being learned (5 s). */
  catalogWaitMs?: number;
  /**
   * This replica's key behind a load balancer: it leads every legacy session id (`r1.<uuid>`, for the balancer to
   * route by), is in `/health`, in an `mcp-gateway-replica` header on every response, and in `/metrics`.
   */
  replica?: string;
  /**
   * Messages between the replicas (with `replica`): a modern-era client's input-required retry that lands on a
   * replica other than the one holding its call is handed to that one. Without it such a retry is refused as unknown.
   */
  bus?: ReplicaBus;
  /** The semantic arm of meta-mode search; lexical only without it. */
  embedder?: TextEmbedder;
  /**
   * The web console at `/ui` (and `/` redirecting there): none without this. With authentication on, it is for
   * clients with the `admin` role; the app decides whether to serve it without (on loopback binds only).
   */
  console?: {
    activity: ActivityRing;
    /** The reload action; none: the console offers no reload. */
    reload?: () => Promise<void>;
    /** Every console action (sign-in, sign-out, reload), for the audit log. */
    audit?: (action: string, fields: LogFields) => void;
  };
}

export interface GatewayApp {
  app: Hono;
  /**
   * Serves `/mcp`'s gateway (meta or aggregate) to one client over a stdio-shaped SDK transport, in the era (2025
   * or 2026-07-28) the client opens with.
   */
  serveEitherEra(transport: Transport): { close(): Promise<void> };
  /**
   * Takes new security settings (a config reload): keys, rules and limits apply from the next request on, in
   * sessions opened before too.
   */
  reconfigure(
    next: Pick<GatewayAppOptions, 'security' | 'allowedHosts' | 'allowedOrigins' | 'sessionLimits'>,
  ): void;
  /** Ends every client session. Idempotent. */
  close(): Promise<void>;
}

/**
 * The gateway's HTTP surface as a Hono app: `/mcp` (meta or aggregate), `/mcp/{backend}`, the 2024-11-05 SSE
 * transport (`/sse`, `/sse/{backend}`, `/messages`), `/health` and `/metrics`. It binds no socket; the caller serves `app.fetch` (see `apps/gateway`), or calls it in process in
 * tests.
 *
 * @example const { app } = createGatewayApp({ registry: supervisor, catalog: supervisor })
 */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const logger = options.logger ?? silentLogger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const events = options.eventStore === null ? undefined : (options.eventStore ?? new MemoryEventStore());
  const table = new SessionTable(options.sessionLimits, Date.now, options.replica);
  const { replica, bus } = options;
  const rounds = new InputRounds(replica && bus ? { replica, bus } : undefined);
  const direct = new DirectRoute(
    options.registry,
    options.catalog,
    logger,
    maxBodyBytes,
    table,
    rounds,
    events,
  );
  const source: ToolSource =
    options.mode === 'aggregate'
      ? { mode: 'aggregate', tools: new AggregateTools(options), resources: new AggregateResources(options) }
      : { mode: 'meta', tools: new MetaTools(options) };
  const gateway = new GatewayRoute(source, options.serverInfo ?? { name: 'mcp-gateway', version: '0.0.0' }, {
    logger,
    maxBodyBytes,
    registry: options.registry,
    table,
    rounds,
    events,
  });
  const sse = new SseRoute(maxBodyBytes, logger, table);
  const unsubscribe = options.catalog.onChange((backend) => {
    if (!options.registry.has(backend)) direct.removed(backend); // a reload took it out of the config
    if (source.mode !== 'aggregate') return;
    gateway.listsChanged({ tools: source.tools.rebuild(), ...source.resources.changes() });
  });
  const metrics = new Metrics(options.registry, options.replica);
  const security = new HttpSecurity(options.security ?? {}, metrics, logger);
  const app = new Hono();
  const hosts = new HostPolicy(options.allowedHosts ?? undefined, options.allowedOrigins);
  if (options.allowedHosts !== null) app.use('*', hostGuard(hosts));
  app.use('*', metrics.count);
  if (replica)
    app.use('*', async (c, next) => {
      await next();
      c.res.headers.set('mcp-gateway-replica', replica);
    });
  /** A route that runs for an authenticated caller within its rate limit; `path` names the resource it is for. */
  const guarded =
    (path: (c: Context) => string, handler: (c: Context, caller: Caller) => Promise<Response>) =>
    async (c: Context) => {
      const caller = await security.caller(c, path(c));
      return caller instanceof Response ? caller : handler(c, caller);
    };
  const mcp = () => '/mcp';
  const backendOf = (c: Context) => c.req.param('backend') ?? '';
  app.get('/.well-known/oauth-protected-resource/*', (c) => metadata(c));
  app.get('/.well-known/oauth-protected-resource', (c) => metadata(c));
  function metadata(c: Context) {
    const document = security.metadata(c);
    return document ? c.json(document) : c.json(errorBody(null, new GatewayError('USAGE', 'Not Found')), 404);
  }
  // Without credentials (when authentication is on) `/health` says only whether the gateway is healthy.
  app.get('/health', async (c) => {
    const report = healthReport(options.registry, options.configStatus?.(), {
      open: table.size,
      ...table.counts,
    });
    const caller = await security.optionalCaller(c);
    const who = replica ? { replica } : {};
    if (!caller) return c.json({ status: report.status, ...who });
    const backends = Object.entries(report.backends).filter(([name]) => caller.scope.seesBackend(name));
    const catalog = catalogCoverage(
      options.catalog,
      backends.map(([name]) => name),
    );
    return c.json({ ...report, ...who, backends: Object.fromEntries(backends), catalog });
  });
  const renderMetrics = (c: Context, caller: Caller) =>
    Promise.resolve(
      c.text(
        metrics.render(
          { '/mcp': gateway.sessionCount, ...direct.sessionCounts(), '/sse': sse.size },
          caller.scope,
          table.counts,
        ),
        200,
        { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      ),
    );
  app.get(
    '/metrics',
    security.metricsArePublic ? (c) => renderMetrics(c, LOCAL_CALLER) : guarded(mcp, renderMetrics),
  );
  app.all(
    '/mcp',
    guarded(mcp, (c, caller) => gateway.handle(c.req.raw, nodeBody(c.env), caller)),
  );
  app.all(
    '/mcp/:backend',
    guarded(
      (c) => `/mcp/${backendOf(c)}`,
      (c, caller) => direct.handle(backendOf(c), c.req.raw, nodeBody(c.env), caller),
    ),
  );
  // The 2024-11-05 HTTP+SSE transport, for clients that speak nothing newer.
  app.get(
    '/sse',
    guarded(mcp, (c, caller) =>
      sse.open(c.req.raw, (transport) => gateway.attach(transport, caller), caller),
    ),
  );
  app.get(
    '/sse/:backend',
    guarded(mcp, async (c, caller) => {
      const backend = backendOf(c);
      try {
        return await sse.open(c.req.raw, (transport) => direct.attach(backend, transport, caller), caller);
      } catch (error) {
        const missing = !options.registry.has(backend) || !caller.scope.seesBackend(backend);
        return Response.json(errorBody(null, error), { status: missing ? 404 : 502 });
      }
    }),
  );
  app.post(
    '/messages',
    guarded(mcp, (c, caller) => sse.post(c.req.raw, nodeBody(c.env), caller)),
  );
  const ui = options.console && mountConsole(app, options, options.console, source, security);
  return {
    app,
    serveEitherEra: (transport) =>
      gateway.serveEitherEra(
        limitedTransport(
          transport,
          () => security.rateLimiter,
          () => metrics.rateLimited(),
        ),
      ),
    reconfigure: (next) => {
      security.update(next.security ?? {});
      hosts.update(next.allowedHosts ?? undefined, next.allowedOrigins);
      if (next.sessionLimits) table.update(next.sessionLimits);
    },
    close: async () => {
      unsubscribe();
      table.close();
      ui?.close();
      if (source.mode === 'meta') source.tools.close();
      await Promise.all([sse.close(), direct.close(), gateway.close()]);
    },
  };
}

/** Serves the console on `app`; its search is meta mode's own (a separate index in aggregate mode). */
function mountConsole(
  app: Hono,
  options: GatewayAppOptions,
  settings: NonNullable<GatewayAppOptions['console']>,
  source: ToolSource,
  security: HttpSecurity,
): { close(): void } {
  let index: MetaTools | undefined;
  const search = () => (source.mode === 'meta' ? source.tools : (index ??= new MetaTools(options)));
  const started = new Date().toISOString();
  const ui = createConsole({
    registry: options.registry,
    catalog: options.catalog,
    search: (query, limit) => search().explainSearch(query, limit),
    activity: settings.activity,
    config: () => options.configStatus?.() ?? { generation: 1, loaded_at: started, last_error: null },
    ...(settings.reload ? { reload: settings.reload } : {}),
    ...(settings.audit ? { audit: settings.audit } : {}),
    authenticator: () =>
      security.enabled
        ? (request, authorization) => security.identify(request.url, authorization)
        : undefined,
  });
  app.route('/', ui.app);
  app.get('/', (c) => c.redirect('/ui'));
  return {
    close: () => {
      ui.close();
      index?.close();
    },
  };
}

/**
 * The raw Node request when @hono/node-server serves the app (it passes `{ incoming }` as the env): reading the
 * body from it directly skips building a web Request and stream for every POST.
 */
function nodeBody(env: unknown): AsyncIterable<Uint8Array> | undefined {
  const incoming = (env as { incoming?: object } | undefined)?.incoming;
  return incoming && Symbol.asyncIterator in incoming ? (incoming as AsyncIterable<Uint8Array>) : undefined;
}
