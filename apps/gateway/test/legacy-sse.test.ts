import { describe, expect, it } from 'vitest';
import { SSEClientTransport } from '@modelcontextprotocol/client';
import { samplingClient, exampleGatewayForFile } from './helpers';

// A client that only speaks the 2024-11-05 HTTP+SSE transport, on the gateway's /sse and /sse/{backend}.

const example = exampleGatewayForFile('meta');

const sseClient = (path: string) =>
  samplingClient(new SSEClientTransport(new URL(path, example.url)), 'sampled over SSE');

describe('the 2024-11-05 HTTP+SSE transport', () => {
  it('serves the meta-tools on /sse', async () => {
    await using client = await sseClient('/sse');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('gateway_invoke');
    const result = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'echo', arguments: { message: 'old' } },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: old' }]);
    const metrics = await (await fetch(new URL('/metrics', example.url))).text();
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
    const post = await fetch(new URL('/messages?sessionId=nope', example.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(post.status).toBe(404);
    expect(await post.json()).toMatchObject({ error: { message: /no open SSE stream/ } });
    const get = await fetch(new URL('/sse/nope', example.url), { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ error: { data: { code: 'BACKEND_NOT_FOUND' } } });
  });
});
