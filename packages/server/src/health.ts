import type { BackendHealth, BackendRegistry, Catalog } from '@mcp-gateway/core';

/** Which configuration the gateway runs: reloads count up `generation`; a reload that failed leaves its error. */
export interface ConfigStatus {
  generation: number;
  /** ISO time the running configuration was loaded. */
  loaded_at: string;
  /** Why the last reload was refused (the running configuration stayed), or null. */
  last_error: string | null;
}

/** Legacy client sessions over every endpoint: open now, and ended by the gateway since it started. */
export interface SessionTotals {
  open: number;
  /** Idle past `session_idle_timeout`. */
  expired: number;
  /** Made room for a new session at `max_sessions` (or a client's cap). */
  evicted: number;
  /** New sessions refused (503) because every slot was in use. */
  refused: number;
}

export interface HealthReport {
  /** `healthy`: no backend degraded; `degraded`: some are; `unhealthy`: every configured backend is. */
  status: 'healthy' | 'degraded' | 'unhealthy';
  backends: Record<string, BackendHealth>;
  sessions?: SessionTotals;
  config?: ConfigStatus;
  catalog?: CatalogCoverage;
}

/** How much of the catalog is known: backends whose tools are cached, and those still being learned. */
export interface CatalogCoverage {
  backends: number;
  known: number;
  pending: string[];
}

/** The coverage of `backends` (the ones a caller sees) in `catalog`. */
export function catalogCoverage(catalog: Catalog, backends: string[]): CatalogCoverage {
  const pending = new Set(catalog.pending());
  return {
    backends: backends.length,
    known: backends.filter((name) => catalog.get(name) !== undefined).length,
    pending: backends.filter((name) => pending.has(name)),
  };
}

/** The `/health` body, in the original README's shape plus state, last error and uptime, and the config's status. */
export function healthReport(
  registry: BackendRegistry,
  config?: ConfigStatus,
  sessions?: SessionTotals,
): HealthReport {
  const backends = registry.health();
  const all = Object.values(backends);
  const degraded = all.filter((b) => b.state === 'degraded').length;
  const status = degraded === 0 ? 'healthy' : degraded === all.length ? 'unhealthy' : 'degraded';
  return { status, backends, ...(sessions ? { sessions } : {}), ...(config ? { config } : {}) };
}
