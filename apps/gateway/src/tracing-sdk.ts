import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '@mcp-gateway/core';
import type { Tracing } from './tracing';

/** Registers the SDK with these exporters for the whole process (see `startTracing`). */
export function registerTracing(
  exporters: string[],
  version: string,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Tracing | undefined {
  const processors: SpanProcessor[] = [];
  for (const name of exporters) {
    if (name === 'otlp') processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
    else if (name === 'console') processors.push(new SimpleSpanProcessor(new StderrSpanExporter()));
    else
      logger.warn('unknown trace exporter; ignored', { exporter: name, known: ['otlp', 'console', 'none'] });
  }
  if (processors.length === 0) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (exporters.includes('otlp') && protocol && protocol !== 'http/json')
    logger.warn('traces are sent as OTLP over HTTP with JSON bodies (http/json)', { requested: protocol });
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const resource = resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME || 'mcp-gateway',
    'service.version': version,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  logger.info('tracing on', {
    exporters,
    ...(exporters.includes('otlp')
      ? { endpoint: withoutCredentials(endpoint || 'http://localhost:4318') }
      : {}),
  });
  return { shutdown: () => provider.shutdown() };
}

/** The endpoint for the log: a user and password in the URL stay out of it. */
function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return '(not a URL)';
  }
}

/** Spans as JSON lines on stderr, for a look without a collector. */
class StderrSpanExporter implements SpanExporter {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      const line = {
        span: span.name,
        kind: SpanKind[span.kind],
        trace_id: traceId,
        span_id: spanId,
        parent_span_id: span.parentSpanContext?.spanId ?? null,
        duration_ms: Math.round((span.duration[0] * 1e3 + span.duration[1] / 1e6) * 1000) / 1000,
        status: span.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
        attributes: span.attributes,
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
