import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Server, createMcpHandler } from '@modelcontextprotocol/server';
import { fixtureBackend, serveFetch, type LoopbackServer } from '@mcp-gateway/examples';
import { silentLogger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from '../src/index';
import { createStderrLogger } from '../src/logger';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const traceparent = `00-${TRACE}-${CLIENT_SPAN}-01`;

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
/** What the HTTP backend received with each tools/call: the traceparent header and the `_meta`. */
const seen: { header: string | null; meta: Record<string, unknown> | undefined }[] = [];
let backend: LoopbackServer;
let gateway: Gateway;
let base: URL;

beforeAll(async () => {
  provider.register();
  const handler = createMcpHandler(
    () => {
      const server = new Server({ name: 'recorder', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/list', async () => ({
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
      }));
      server.setRequestHandler('tools/call', async (request) => {
        seen.at(-1)!.meta = request.params._meta as Record<string, unknown>;
        const fail = request.params.arguments?.fail === true;
        return { content: [{ type: 'text', text: fail ? 'failed as asked' : 'recorded' }], isError: fail };
      });
      return server;
    },
    { legacy: 'reject' },
  );
  backend = await serveFetch(async (request) => {
    if (request.method === 'POST' && request.headers.get('mcp-method') === 'tools/call')
      seen.push({ header: request.headers.get('traceparent'), meta: undefined });
    return handler.fetch(request);
  });
  const config = new GatewayConfig(
    {
      port: 0,
      state_dir: mkdtempSync(join(tmpdir(), 'mcpgw-tracing-')),
      backends: {
        recorder: { http_url: new URL('/mcp', backend.origin).href },
        fixture: { command: process.execPath, args: [fixtureBackend] },
      },
    },
    { env: {} },
  );
  gateway = new Gateway(config, { logger: silentLogger });
  base = await gateway.start();
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await backend?.close();
  await provider.shutdown();
});

/** A 2025-era SDK client whose requests carry the client's own `traceparent` header. */
async function tracedClient(url: URL): Promise<Client> {
  const client = new Client({ name: 'traced', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { traceparent } } }));
  return client;
}

const spansNamed = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
const id = (span: ReadableSpan) => span.spanContext().spanId;

describe('OpenTelemetry traces across the hop', () => {
  it('one gateway_invoke on /mcp: the client span → the server span → the backend call, passed on to the HTTP backend', async () => {
    exporter.reset();
    const client = await tracedClient(new URL('/mcp', base));
    const result = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'recorder', tool: 'echo', arguments: {} },
    });
    expect(result.isError).toBeFalsy();
    await client.close();

    const [server] = spansNamed('tools/call gateway_invoke');
    expect(server).toBeDefined();
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(TRACE);
    expect(server!.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(server!.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'gateway_invoke',
      'mcp.era': 'legacy',
      'http.route': '/mcp',
      'mcp.outcome': 'ok',
    });
    expect(server!.attributes['mcp.session.id']).toEqual(expect.any(String));

    const [call] = spansNamed('tools/call echo');
    expect(call).toBeDefined();
    expect(call!.kind).toBe(SpanKind.CLIENT);
    expect(call!.spanContext().traceId).toBe(TRACE);
    expect(call!.parentSpanContext?.spanId).toBe(id(server!));
    expect(call!.attributes).toMatchObject({
      'mcp.backend': 'recorder',
      'gen_ai.tool.name': 'echo',
      'mcp.outcome': 'ok',
    });

    const passed = `00-${TRACE}-${id(call!)}-01`;
    expect(seen.at(-1)).toEqual({ header: passed, meta: expect.objectContaining({ traceparent: passed }) });
  });

  it('one tools/call on /mcp/{backend} with the context in _meta reaches a stdio backend in its _meta', async () => {
    exporter.reset();
    const client = new Client({ name: 'traced-meta', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/fixture', base)));
    const result = await client.callTool({ name: 'meta', arguments: {}, _meta: { traceparent } });
    await client.close();

    const [server] = spansNamed('tools/call meta').filter((span) => span.kind === SpanKind.SERVER);
    const [call] = spansNamed('tools/call meta').filter((span) => span.kind === SpanKind.CLIENT);
    expect(server?.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(server!.attributes).toMatchObject({ 'mcp.backend': 'fixture', 'http.route': '/mcp/{backend}' });
    expect(call?.parentSpanContext?.spanId).toBe(id(server!));
    expect(call!.spanContext().traceId).toBe(TRACE);

    const received = JSON.parse((result.content as { text: string }[])[0]!.text) as Record<string, unknown>;
    expect(received.traceparent).toBe(`00-${TRACE}-${id(call!)}-01`);
  });

  it("a tool error is the backend call span's outcome", async () => {
    exporter.reset();
    const client = await tracedClient(new URL('/mcp/recorder', base));
    const result = await client.callTool({ name: 'echo', arguments: { fail: true } });
    await client.close();
    expect(result.isError).toBe(true);
    const [call] = spansNamed('tools/call echo').filter((span) => span.kind === SpanKind.CLIENT);
    expect(call?.attributes['mcp.outcome']).toBe('tool_error');
    expect(call?.spanContext().traceId).toBe(TRACE);
  });

  it('a log line written while a traced request is served carries its trace id', () => {
    const lines: string[] = [];
    const logger = createStderrLogger({ level: 'info', format: 'json', write: (line) => lines.push(line) });
    trace.getTracer('test').startActiveSpan('request', (span) => {
      logger.info('inside');
      span.end();
      logger.info('outside? no: still inside the callback, but the span has ended');
    });
    logger.info('after');
    const parsed = lines.map((line) => JSON.parse(line) as { trace_id?: string });
    expect(parsed[0]!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(parsed[1]!.trace_id).toBeUndefined();
    expect(parsed[2]!.trace_id).toBeUndefined();
  });
});
