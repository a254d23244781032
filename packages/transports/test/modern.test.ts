import { describe, expect, it } from 'vitest';
import { Server, createMcpHandler } from '@modelcontextprotocol/server';
import { serveFetch, startEverythingHttp } from '@mcp-gateway/examples';
import { JsonRpcError, type BackendSettings, type JsonRpcNotification } from '@mcp-gateway/core';
import { connectBackend, type EraVerdicts } from '../src/index';
import { ModernUpstream } from '../src/modern-upstream';

/** A backend that speaks only the 2026-07-28 era: `initialize` is refused. */
async function startModernBackend() {
  const handler = createMcpHandler(
    () => {
      const server = new Server(
        { name: 'modern-only', version: '2.0.0' },
        { capabilities: { tools: {} }, instructions: 'Modern.' },
      );
      server.setRequestHandler('tools/list', async () => ({
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
      }));
      server.setRequestHandler('tools/call', async (request, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        if (token !== undefined)
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 1, total: 1 },
          });
        if (request.params.name !== 'echo') throw new Error(`Unknown tool: ${request.params.name}`);
        return {
          content: [{ type: 'text', text: String(request.params.arguments?.message) }],
          structuredContent: { kept: true },
        };
      });
      return server;
    },
    { legacy: 'reject' },
  );
  const headers: (string | null)[] = [];
  const server = await serveFetch((request) => {
    headers.push(request.headers.get('x-api-key'));
    return handler.fetch(request);
  });
  return {
    url: new URL('/mcp', server.origin),
    headers,
    close: server.close,
    [Symbol.asyncDispose]: server.close,
  };
}

const settings = (url: URL): BackendSettings => ({
  name: 'remote',
  description: '',
  target: { kind: 'http', url: url.href, headers: { 'x-api-key': 'configured-secret' } },
  timeouts: { startMs: 5000, requestMs: 5000, idleMs: 0 },
  isolation: 'shared',
});

describe('protocol era probe for HTTP backends', () => {
  it('serves a modern-only (2026-07-28) backend and remembers the verdict', async () => {
    await using backend = await startModernBackend();
    const eras: EraVerdicts = new Map();
    await using upstream = await connectBackend(settings(backend.url), { eras });
    expect(upstream).toBeInstanceOf(ModernUpstream);
    expect(eras.get(backend.url.href)).toBe('modern');
    expect(upstream.initializeResult).toMatchObject({
      protocolVersion: '2026-07-28',
      serverInfo: { name: 'modern-only', version: '2.0.0' },
      instructions: 'Modern.',
    });
    const progress: JsonRpcNotification[] = [];
    const result = await upstream.request(
      'tools/call',
      { name: 'echo', arguments: { message: 'modern' }, _meta: { progressToken: 'client-token' } },
      { onNotification: (n) => progress.push(n) },
    );
    expect(result).toMatchObject({
      content: [{ type: 'text', text: 'modern' }],
      structuredContent: { kept: true },
    });
    expect(progress.map((n) => n.params?.progressToken)).toEqual(['client-token']);
    expect(new Set(backend.headers)).toEqual(new Set(['configured-secret'])); // on every request
  });

  it("passes a modern backend's errors through as JSON-RPC errors", async () => {
    await using backend = await startModernBackend();
    await using upstream = await connectBackend(settings(backend.url));
    const error = await upstream.request('no/such/method', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
  });

  it('keeps a legacy (2025) backend on the session era and records that', async () => {
    await using backend = await startEverythingHttp('streamableHttp');
    const eras: EraVerdicts = new Map();
    await using upstream = await connectBackend(settings(backend.url), { eras });
    expect([eras.get(backend.url.href), upstream.initializeResult.protocolVersion]).toEqual([
      'legacy',
      '2025-11-25',
    ]);
    expect(await upstream.request('tools/call', { name: 'echo', arguments: { message: 'legacy' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: legacy' }],
    });
  });
});
