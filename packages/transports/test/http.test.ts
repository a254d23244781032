import { describe, expect, it } from 'vitest';
import { startEverythingHttp } from '@mcp-gateway/examples';
import type { BackendSettings } from '@mcp-gateway/core';
import { connectBackend } from '../src/index';

const settings = (kind: 'http' | 'sse' | 'auto', url: URL): BackendSettings => ({
  name: 'everything',
  description: '',
  target: { kind, url: url.href, headers: { 'x-gateway-test': 'yes' } },
  timeouts: { startMs: 10_000, requestMs: 10_000, idleMs: 0 },
  isolation: 'shared',
});

describe('HTTP backends (server-everything in its own HTTP modes, on 127.0.0.1)', () => {
  it('Streamable HTTP: initializes, lists and calls', async () => {
    await using server = await startEverythingHttp('streamableHttp');
    await using upstream = await connectBackend(settings('http', server.url));
    expect(upstream.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
    expect(
      await upstream.request('tools/call', { name: 'echo', arguments: { message: 'over http' } }),
    ).toEqual({
      content: [{ type: 'text', text: 'Echo: over http' }],
    });
  });

  it('legacy SSE: initializes, lists and calls', async () => {
    await using server = await startEverythingHttp('sse');
    await using upstream = await connectBackend(settings('sse', server.url));
    const { tools } = (await upstream.request('tools/list', {})) as { tools: unknown[] };
    expect(tools.length).toBeGreaterThan(10);
    expect(
      await upstream.request('tools/call', { name: 'echo', arguments: { message: 'over sse' } }),
    ).toEqual({
      content: [{ type: 'text', text: 'Echo: over sse' }],
    });
  });

  it('auto: falls back to legacy SSE when Streamable HTTP is refused', async () => {
    await using server = await startEverythingHttp('sse');
    await using upstream = await connectBackend(settings('auto', server.url));
    expect(
      await upstream.request('tools/call', { name: 'echo', arguments: { message: 'fallback' } }),
    ).toEqual({
      content: [{ type: 'text', text: 'Echo: fallback' }],
    });
  });
});
