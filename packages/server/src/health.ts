import type { BackendHealth, BackendRegistry } from '@mcp-gateway/core';

/** Which configuration the gateway runs: reloads count up `generation`; a reload that failed leaves its error. */
export interface ConfigStatus {
  generation: number;
  /** ISO time the running configuration was loaded. */
  loaded_at: string;
  /** Why the last reload was refused (the running configuration stayed), or null. */
  last_error: string | null;
}

export interface HealthReport {
  /** `healthy`: no backend degraded; `degraded`: some are; `unhealthy`: every configured backend is. */
  status: 'healthy' | 'degraded' | 'unhealthy';
  backends: Record<string, BackendHealth>;
  config?: ConfigStatus;
}

/** The `/health` body, in the original README's shape plus state, last error and uptime, and the config's status. */
export function healthReport(registry: BackendRegistry, config?: ConfigStatus): HealthReport {
  const backends = registry.health();
  const all = Object.values(backends);
  const degraded = all.filter((b) => b.state === 'degraded').length;
  const status = degraded === 0 ? 'healthy' : degraded === all.length ? 'unhealthy' : 'degraded';
  return { status, backends, ...(config ? { config } : {}) };
}
