import type { BackendHealth, BackendRegistry } from '@mcp-gateway/core';

export interface HealthReport {
  /** `healthy`: no backend degraded; `degraded`: some are; `unhealthy`: every configured backend is. */
  status: 'healthy' | 'degraded' | 'unhealthy';
  backends: Record<string, BackendHealth>;
}

/** The `/health` body, in the original README's shape plus state, last error and uptime. */
export function healthReport(registry: BackendRegistry): HealthReport {
  const backends = registry.health();
  const all = Object.values(backends);
  const degraded = all.filter((b) => b.state === 'degraded').length;
  const status = degraded === 0 ? 'healthy' : degraded === all.length ? 'unhealthy' : 'degraded';
  return { status, backends };
}
