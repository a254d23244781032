import { Hono } from 'hono';
import type { Transport } from '@modelcontextprotocol/server';
import {
  silentLogger,
  type BackendRegistry,
  type Catalog,
  type EventStore,
  type GatewayMode,
  type Logger,
} from '@mcp-gateway/core';
import { AggregateResources, AggregateTools, MetaTools } from '@mcp-gateway/meta';
import { DirectRoute } from './direct/direct-route';
import { GatewayRoute } from './gateway/gateway-route';
import type { ToolSource } from './gateway/mcp-server';
import { healthReport, type ConfigStatus } from './health';
import { hostGuard } from './internal/host-guard';
import { DEFAULT_MAX_BODY_BYTES } from './internal/http';
import { errorBody } from './internal/errors';
import { SseRoute } from './legacy/sse-route';
import { MemoryEventStore } from './memory-event-store';
import { Metrics } from './metrics';

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
   * Defaults to localhost names; pass `undefined` entries off with `allowedHosts: null` when bound publicly.
   */
  allowedHosts?: string[] | null;
  /** The largest POST body accepted, in bytes (413 beyond); 4 MiB by default. */
  maxBodyBytes?: number;
  /**
   * Keeps what legacy sessions' SSE streams carry, so that a client that lost one resumes it with `Last-Event-ID`.
   * A {@link MemoryEventStore} by default; pass a shared one to resume on another replica, or `null` for none.
   */
  eventStore?: EventStore | null;
  /** Which configuration runs, for `/health` (the app that reloads it keeps this). */
  configStatus?: () => ConfigStatus;
}

export interface GatewayApp {
  app: Hono;
  /**
   * Serves `/mcp`'s gateway (meta or aggregate) to one client over a stdio-shaped SDK transport, in the era (2025
   * or 2026-07-28) the client opens with.
   */
  serveEitherEra(transport: Transport): { close(): Promise<void> };
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
  const direct = new DirectRoute(options.registry, logger, maxBodyBytes, events);
  const source: ToolSource =
    options.mode === 'aggregate'
      ? { mode: 'aggregate', tools: new AggregateTools(options), resources: new AggregateResources(options) }
      : { mode: 'meta', tools: new MetaTools(options) };
  const gateway = new GatewayRoute(source, options.serverInfo ?? { name: 'mcp-gateway', version: '0.0.0' }, {
    logger,
    maxBodyBytes,
    registry: options.registry,
    events,
  });
  const sse = new SseRoute(maxBodyBytes, logger);
  let lists = source.mode === 'aggregate' ? listsOf(source.resources) : undefined;
  const unsubscribe = options.catalog.onChange((backend) => {
    if (!options.registry.has(backend)) direct.removed(backend); // a reload took it out of the config
    if (source.mode !== 'aggregate') return;
    const next = listsOf(source.resources);
    gateway.listsChanged({
      tools: source.tools.rebuild(),
      resources: next.resources !== lists?.resources,
      prompts: next.prompts !== lists?.prompts,
    });
    lists = next;
  });
  const metrics = new Metrics(options.registry);
  const app = new Hono();
  if (options.allowedHosts !== null) app.use('*', hostGuard(options.allowedHosts));
  app.use('*', metrics.count);
  app.get('/health', (c) => c.json(healthReport(options.registry, options.configStatus?.())));
  app.get('/metrics', (c) =>
    c.text(
      metrics.render({ '/mcp': gateway.sessionCount, ...direct.sessionCounts(), '/sse': sse.size }),
      200,
      {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      },
    ),
  );
  app.all('/mcp', (c) => gateway.handle(c.req.raw, nodeBody(c.env)));
  app.all('/mcp/:backend', (c) => direct.handle(c.req.param('backend'), c.req.raw, nodeBody(c.env)));
  // The 2024-11-05 HTTP+SSE transport, for clients that speak nothing newer.
  app.get('/sse', (c) => sse.open(c.req.raw, (transport) => gateway.attach(transport)));
  app.get('/sse/:backend', async (c) => {
    const backend = c.req.param('backend');
    try {
      return await sse.open(c.req.raw, (transport) => direct.attach(backend, transport));
    } catch (error) {
      return Response.json(errorBody(null, error), { status: options.registry.has(backend) ? 502 : 404 });
    }
  });
  app.post('/messages', (c) => sse.post(c.req.raw, nodeBody(c.env)));
  return {
    app,
    serveEitherEra: (transport) => gateway.serveEitherEra(transport),
    close: async () => {
      unsubscribe();
      if (source.mode === 'meta') source.tools.close();
      await Promise.all([sse.close(), direct.close(), gateway.close()]);
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

/** Serialized resource and prompt lists, to tell whether a catalog change changed what clients see. */
function listsOf(resources: AggregateResources) {
  return {
    resources: JSON.stringify([resources.resources(), resources.resourceTemplates()]),
    prompts: JSON.stringify(resources.prompts()),
  };
}
