import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { JsonRpcMessage } from '@mcp-gateway/core';
import type { Caller } from './caller';

/**
 * The tracer, looked up on each use rather than kept from module load: a provider registered later (by the app)
 * through another copy of the API (ESM beside CJS) would never reach a tracer kept from before.
 */
const tracer = () => trace.getTracer('@mcp-gateway/server');

/** What a traced client request is: the endpoint it came to, its era, and the backend of `/mcp/{backend}`. */
export interface RequestTarget {
  route: string;
  era: 'legacy' | 'modern';
  backend?: string;
}

/**
 * Serves one client POST inside a server span (OpenTelemetry; a no-op unless the app registered a tracer
 * provider). The parent is the client's W3C `traceparent`: the HTTP header, else the first message's `_meta`.
 * Backend calls made while serving it become its children. A streamed (SSE) answer ends the span when it ends.
 */
export async function traced(
  request: Request,
  messages: JsonRpcMessage[],
  target: RequestTarget,
  caller: Caller,
  serve: () => Promise<Response>,
): Promise<Response> {
  const first = messages[0] as { method?: string; params?: Record<string, unknown> };
  const method = messages.length > 1 ? 'batch' : (first.method ?? 'response');
  const span = tracer().startSpan(
    spanName(method, first.params),
    { kind: SpanKind.SERVER },
    parentOf(request, first.params),
  );
  if (!span.isRecording()) return serve();
  const session = request.headers.get('mcp-session-id');
  const version = request.headers.get('mcp-protocol-version');
  span.setAttributes({
    'mcp.method.name': method,
    'mcp.era': target.era,
    'http.request.method': request.method,
    'http.route': target.route,
    ...(target.backend ? { 'mcp.backend': target.backend } : {}),
    ...(method === 'tools/call' && typeof first.params?.name === 'string'
      ? { 'gen_ai.tool.name': first.params.name }
      : {}),
    ...(session ? { 'mcp.session.id': session } : {}),
    ...(version ? { 'mcp.protocol.version': version } : {}),
    ...(caller.scope.identity ? { 'mcp.client': caller.scope.identity.name } : {}),
  });
  try {
    const response = await context.with(trace.setSpan(context.active(), span), serve);
    span.setAttribute('http.response.status_code', response.status);
    const outcome = response.status >= 400 ? 'error' : 'ok';
    span.setAttribute('mcp.outcome', outcome);
    if (outcome === 'error')
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
    if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      span.end();
      return response;
    }
    return new Response(endingWith(response.body, span), response);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute('mcp.outcome', 'error');
    span.end();
    throw error;
  }
}

/** `tools/call get_weather`, `resources/read`: the MCP semantic conventions' span name. */
export function spanName(method: string, params: Record<string, unknown> | undefined): string {
  const target = method === 'tools/call' || method === 'prompts/get' ? params?.name : undefined;
  return typeof target === 'string' ? `${method} ${target}` : method;
}

/** The client's trace context: the `traceparent` header, else `_meta.traceparent` of the request. */
function parentOf(request: Request, params: Record<string, unknown> | undefined): Context {
  const traceparent = request.headers.get('traceparent');
  if (traceparent) {
    const tracestate = request.headers.get('tracestate');
    return propagation.extract(ROOT_CONTEXT, tracestate ? { traceparent, tracestate } : { traceparent });
  }
  const meta = params?._meta as Record<string, unknown> | undefined;
  return typeof meta?.traceparent === 'string' ? propagation.extract(ROOT_CONTEXT, meta) : ROOT_CONTEXT;
}

/** The same stream, ending `span` when it finishes or the client goes away. */
function endingWith(body: ReadableStream<Uint8Array>, span: Span): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        span.end();
        controller.close();
      } else controller.enqueue(value);
    },
    cancel(reason) {
      span.end();
      return reader.cancel(reason);
    },
  });
}
