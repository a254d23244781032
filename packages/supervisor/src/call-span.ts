import { SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { CallRecord } from '@mcp-gateway/core';

/** Looked up on each use: a provider registered later through another copy of the API still applies. */
const tracer = () => trace.getTracer('@mcp-gateway/supervisor');

/**
 * One call to a backend as an OpenTelemetry client span, child of the client request being served (a no-op unless
 * the app registered a tracer provider). While it runs, the span is the active context, so that HTTP transports
 * put its `traceparent` on the request; `params` get it in `_meta` for every backend.
 */
export class CallSpan {
  private readonly span: Span;

  constructor(
    backend: string,
    method: string,
    params: Record<string, unknown> | undefined,
    session?: string,
  ) {
    const tool = method === 'tools/call' || method === 'prompts/get' ? params?.name : undefined;
    this.span = tracer().startSpan(typeof tool === 'string' ? `${method} ${tool}` : method, {
      kind: SpanKind.CLIENT,
    });
    if (!this.span.isRecording()) return;
    this.span.setAttributes({
      'mcp.method.name': method,
      'mcp.backend': backend,
      ...(typeof tool === 'string' && method === 'tools/call' ? { 'gen_ai.tool.name': tool } : {}),
      ...(session !== undefined ? { 'mcp.session.id': session } : {}),
    });
  }

  get recording(): boolean {
    return this.span.isRecording();
  }

  /** `params` with this span's trace context added to `_meta` (the client's own `_meta` keys stay). */
  propagate(params: Record<string, unknown> | undefined): Record<string, unknown> {
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), this.span), carrier);
    return { ...params, _meta: { ...(params?._meta as object | undefined), ...carrier } };
  }

  /** Runs `work` with this span active. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return context.with(trace.setSpan(context.active(), this.span), work);
  }

  /** Ends the span with the call's outcome: ok, a tool error (`isError`), or the error's code. */
  end(result: CallRecord['result'], error?: CallRecord['error']): void {
    const outcome = error ? 'error' : result?.isError === true ? 'tool_error' : 'ok';
    this.span.setAttribute('mcp.outcome', outcome);
    if (error) {
      this.span.setAttribute('error.type', String(error.code));
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.span.end();
  }
}
