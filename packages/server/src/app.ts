import { Hono } from 'hono';
import { silentLogger, type BackendRegistry, type Catalog, type Logger } from '@mcp-gateway/core';
import { MetaTools } from '@mcp-gateway/meta';
import { DirectRoute } from './direct/direct-route';
import { MetaRoute } from './gateway/meta-route';
import { healthReport } from './health';
import { hostGuard } from './internal/host-guard';

export interface GatewayAppOptions {
  registry: BackendRegistry;
  catalog: Catalog;
  /** Reported to clients of `/mcp` as the server's name and version. */
  serverInfo?: { name: string; version: string };
  logger?: Logger;
  /**
   * Host names accepted in the `Host` header (DNS-rebinding protection), and the hosts of acceptable `Origin`s.
   * Defaults to localhost names; pass `undefined` entries off with `allowedHosts: null` when bound publicly.
   */
  allowedHosts?: string[] | null;
}

export interface GatewayApp {
  app: Hono;
  /** Ends every client session. Idempotent. */
  close(): Promise<void>;
}

/**
 * The gateway's HTTP surface as a Hono app: `/mcp/{backend}` and `/health`. It binds no socket; the caller serves
 * `app.fetch` (see `apps/gateway`), or calls it in process in tests.
 *
 * @example const { app } = createGatewayApp({ registry: supervisor })
 */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const logger = options.logger ?? silentLogger;
  const direct = new DirectRoute(options.registry, logger);
  const meta = new MetaTools({ registry: options.registry, catalog: options.catalog });
  const metaRoute = new MetaRoute(
    meta,
    options.serverInfo ?? { name: 'mcp-gateway', version: '0.0.0' },
    logger,
  );
  const app = new Hono();
  if (options.allowedHosts !== null) app.use('*', hostGuard(options.allowedHosts));
  app.get('/health', (c) => c.json(healthReport(options.registry)));
  app.all('/mcp', (c) => metaRoute.handle(c.req.raw));
  app.all('/mcp/:backend', (c) => direct.handle(c.req.param('backend'), c.req.raw));
  return {
    app,
    close: async () => {
      meta.close();
      await Promise.all([metaRoute.close(), direct.close()]);
    },
  };
}
