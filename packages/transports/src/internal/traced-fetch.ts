import { context, propagation, trace } from '@opentelemetry/api';

/**
 * `fetch` that sends the active trace context (the backend call's span) as W3C `traceparent`/`tracestate` headers,
 * for HTTP backends. Without a recording span it is plain `fetch`.
 */
export const tracedFetch: typeof fetch = (input, init) => {
  const active = context.active();
  if (!trace.getSpan(active)?.isRecording()) return fetch(input, init);
  const headers = new Headers(init?.headers);
  propagation.inject(active, headers, {
    set: (carrier, key, value) => carrier.set(key, value),
  });
  return fetch(input, { ...init, headers });
};
