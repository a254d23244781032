import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Server, createMcpHandler } from '@modelcontextprotocol/server';
import { serveFetch } from '@mcp-gateway/examples';
import { silentLogger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from '../src/index';
import { connectClient } from './helpers';

describe('a 2025-era client in front of a modern-only (2026-07-28) HTTP backend', () => {
  it('lists and calls tools through /mcp/{backend}', async () => {
    const handler = createMcpHandler(
      () => {
        const server = new Server({ name: 'modern-only', version: '2.0.0' }, { capabilities: { tools: {} } });
        server.setRequestHandler('tools/list', async () => ({
          tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
        }));
        server.setRequestHandler('tools/call', async (request) => ({
          content: [{ type: 'text', text: `modern says ${String(request.params.arguments?.message)}` }],
        }));
        return server;
      },
      { legacy: 'reject' },
    );
    await using backend = await serveFetch(handler.fetch);
    const config = new GatewayConfig(
      {
        port: 0,
        state_dir: mkdtempSync(join(tmpdir(), 'mcpgw-modern-')),
        backends: { modern: { http_url: new URL('/mcp', backend.origin).href } },
      },
      { env: {} },
    );
    await using gateway = new Gateway(config, { logger: silentLogger });
    const base = await gateway.start();
    await using client = await connectClient(new URL('/mcp/modern', base));
    expect(client.getServerVersion()).toEqual({ name: 'modern-only', version: '2.0.0' });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    // The backend's per-result _meta (modern-era serverInfo) passes through untouched, like everything else.
    expect(await client.callTool({ name: 'echo', arguments: { message: 'hello' } })).toEqual({
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'modern-only', version: '2.0.0' } },
      content: [{ type: 'text', text: 'modern says hello' }],
    });
  });
});
