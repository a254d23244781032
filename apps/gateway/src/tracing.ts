import type { Logger } from '@mcp-gateway/core';

export interface Tracing {
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Turns OpenTelemetry tracing on when the standard variables ask for it, and registers it for the whole process
 * (W3C trace context, spans carried across `await`). Off unless `OTEL_TRACES_EXPORTER` names an exporter or an
 * OTLP endpoint is set; `OTEL_SDK_DISABLED=true` keeps it off.
 * - `otlp`: OTLP over HTTP (JSON) to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` +
 *   `/v1/traces` (default `http://localhost:4318`), batched (`OTEL_BSP_*`).
 * - `console`: one JSON line a span on stderr (stdout may be the stdio front door's).
 * `OTEL_SERVICE_NAME` (default `mcp-gateway`), `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_TRACES_SAMPLER` apply as usual.
 */
export async function startTracing(
  version: string,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing | undefined> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporters = named.length > 0 ? named.filter((name) => name !== 'none') : endpoint ? ['otlp'] : [];
  if (exporters.length === 0) return undefined;
  // The SDK loads only when tracing is on: a start without it does not pay for reading it.
  const { registerTracing } = await import('./tracing-sdk');
  return registerTracing(exporters, version, logger, env);
}
