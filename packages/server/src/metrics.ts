import type { MiddlewareHandler } from 'hono';
import { OPEN_SCOPE, type BackendRegistry, type BackendState, type ClientScope } from '@mcp-gateway/core';

const STATES: BackendState[] = ['configured', 'starting', 'ready', 'degraded', 'hibernated', 'stopped'];

/** Counts HTTP requests by route and status, and renders everything `/metrics` reports. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly refusals = new Map<string, number>();
  private limited = 0;
  private readonly started = Date.now();

  constructor(
    private readonly registry: BackendRegistry,
    /** This replica's key, when it runs in a fleet: `mcp_gateway_replica_info` names it. */
    private readonly replica?: string,
  ) {}

  /** Hono middleware that counts each request once its response is known. */
  readonly count: MiddlewareHandler = async (c, next) => {
    await next();
    const route = this.route(c.req.path);
    const key = `route="${escape(route)}",method="${c.req.method}",status="${c.res.status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  };

  /** Counts a request refused for its credentials, by reason (`missing`, `invalid_token`, ...). */
  authRefused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  /** Counts a request refused by the rate limit. */
  rateLimited(): void {
    this.limited++;
  }

  /**
   * The Prometheus text exposition (version 0.0.4). `sessions`: open client sessions by route. `scope`: the
   * reader's; backends it may not see are left out of every series.
   */
  render(
    sessions: Record<string, number>,
    scope: ClientScope = OPEN_SCOPE,
    ended: { expired: number; evicted: number; refused: number } = { expired: 0, evicted: 0, refused: 0 },
  ): string {
    const visible = (backend: string) => scope.seesBackend(backend);
    const health = Object.fromEntries(
      Object.entries(this.registry.health()).filter(([name]) => visible(name)),
    );
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    };
    const backends = Object.entries(health);
    if (this.replica)
      metric('mcp_gateway_replica_info', 'gauge', 'Which replica of a fleet answered: 1, labelled.', [
        [`replica="${escape(this.replica)}"`, 1],
      ]);
    metric(
      'mcp_gateway_backend_state',
      'gauge',
      'Backend state: 1 for the state it is in.',
      backends.flatMap(([name, h]) =>
        STATES.map((state): [string, number] => [
          `backend="${escape(name)}",state="${state}"`,
          h.state === state ? 1 : 0,
        ]),
      ),
    );
    metric(
      'mcp_gateway_backend_restarts_total',
      'counter',
      'Restarts after a crash or failed start.',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.restart_count]),
    );
    metric(
      'mcp_gateway_backend_tools',
      'gauge',
      'Tools in the backend catalog.',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.tools_cached]),
    );
    metric(
      'mcp_gateway_backend_session_connections',
      'gauge',
      'Client sessions running a connection of their own to the backend (isolation: per-session).',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.sessions]),
    );
    metric(
      'mcp_gateway_backend_calls_in_flight',
      'gauge',
      'Calls to the backend in flight now.',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.in_flight]),
    );
    metric(
      'mcp_gateway_backend_calls_queued',
      'gauge',
      'Calls waiting for a place under max_concurrency.',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.queued]),
    );
    metric(
      'mcp_gateway_backend_calls_rejected_total',
      'counter',
      'Calls refused because max_queue calls were already waiting.',
      backends.map(([name, h]) => [`backend="${escape(name)}"`, h.rejected]),
    );
    const ownRoute = (route: string) => !route.startsWith('/mcp/') || visible(route.slice(5));
    metric(
      'mcp_gateway_sessions',
      'gauge',
      'Open client sessions by endpoint.',
      Object.entries(sessions)
        .filter(([route]) => ownRoute(route))
        .map(([route, n]) => [`route="${escape(route)}"`, n]),
    );
    metric(
      'mcp_gateway_sessions_expired_total',
      'counter',
      'Sessions ended after session_idle_timeout unused.',
      [['', ended.expired]],
    );
    metric(
      'mcp_gateway_sessions_evicted_total',
      'counter',
      'Idle sessions ended to make room at max_sessions (or a client cap).',
      [['', ended.evicted]],
    );
    metric(
      'mcp_gateway_sessions_refused_total',
      'counter',
      'New sessions refused (503): every slot in use.',
      [['', ended.refused]],
    );
    metric(
      'mcp_gateway_http_requests_total',
      'counter',
      'HTTP requests by route, method and status.',
      [...this.requests].filter(([labels]) => ownRoute(/route="([^"]*)"/.exec(labels)![1]!)),
    );
    metric(
      'mcp_gateway_auth_refusals_total',
      'counter',
      'Requests refused for their credentials, by reason.',
      [...this.refusals].map(([reason, n]) => [`reason="${escape(reason)}"`, n]),
    );
    metric('mcp_gateway_rate_limited_total', 'counter', "Requests refused by their client's rate limit.", [
      ['', this.limited],
    ]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory of the gateway process.', [
      ['', process.memoryUsage.rss()],
    ]);
    metric('process_uptime_seconds', 'gauge', 'Seconds since the gateway app was created.', [
      ['', Math.round((Date.now() - this.started) / 1000)],
    ]);
    return `${lines.join('\n')}\n`;
  }

  /** The route label: a path the gateway serves, with unknown backends folded into one value. */
  private route(path: string): string {
    if (path === '/mcp' || path === '/health' || path === '/metrics') return path;
    if (path === '/ui' || path.startsWith('/ui/')) return '/ui';
    const backend = /^\/mcp\/([^/]+)$/.exec(path)?.[1];
    if (backend) return this.registry.has(backend) ? path : '/mcp/{unknown}';
    return 'other';
  }
}

/** A Prometheus label value: backslash, quote and newline escaped. */
function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
