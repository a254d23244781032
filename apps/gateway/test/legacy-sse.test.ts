import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSEClientTransport } from '@modelcontextprotocol/client';
import type { Gateway } from '../src/index';
import { samplingClient, startExampleGateway } from './helpers';

// A client that only speaks the 2024-11-05 HTTP+SSE transport, on the gateway's /sse and /sse/{backend}.

let gateway: Gateway;
let base: URL;

beforeAll(async () => {
  ({ gateway, url: base } = await startExampleGateway('meta'));
}, 60_000);
afterAll(() => gateway?.close());

const sseClient = (path: string) =>
  samplingClient(new SSEClientTransport(new URL(path, base)), 'sampled over SSE');

describe('the 2024-11-05 HTTP+SSE transport', () => {
  it('serves the meta-tools on /sse', async () => {
    await using client = await sseClient('/sse');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('gateway_invoke');
    const result = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'echo', arguments: { message: 'old' } },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: old' }]);
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    expect(metrics).toContain('mcp_gateway_sessions{route="/sse"} 1');
  });

  it('passes one backend through on /sse/{backend}, sampling included', async () => {
    await using client = await sseClient('/sse/everything');
    expect(client.getServerVersion()?.name).toContain('everything');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    const result = await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'hi', maxTokens: 5 },
    });
    expect(JSON.stringify(result.content)).toContain('sampled over SSE');
  });

  it('refuses an unknown stream and an unknown backend', async () => {
    const post = await fetch(new URL('/messages?sessionId=nope', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: { message: /no open SSE stream/ } });
    const get = await fetch(new URL('/sse/nope', base), { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error: { data: { code: 'BACKEND_NOT_FOUND' } } });
  });
});
