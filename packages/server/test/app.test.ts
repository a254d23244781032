import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createGatewayApp } from '../src/index';
import { FAKE_HEALTH, FakeRegistry } from './fake-registry';

function setup() {
  const registry = new FakeRegistry();
  const gateway = createGatewayApp({ registry, catalog: registry });
  const fetch = async (url: string | URL | Request, init?: RequestInit) =>
    gateway.app.request(url instanceof Request ? url : String(url), init);
  return { registry, gateway, fetch };
}

async function connect(fetch: ReturnType<typeof setup>['fetch'], capabilities = {}) {
  const client = new Client({ name: 'test', version: '1' }, { capabilities });
  await client.connect(new StreamableHTTPClientTransport(new URL('http://localhost/mcp/fake'), { fetch }));
  return client;
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: {
    host: 'localhost',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...headers,
  },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('/mcp/{backend} in process', () => {
  it("answers initialize with the backend's serverInfo, capabilities and instructions", async () => {
    const { fetch, gateway } = setup();
    const client = await connect(fetch);
    expect([client.getServerVersion(), client.getServerCapabilities(), client.getInstructions()]).toEqual([
      { name: 'fake-server', version: '9.9.9' },
      { tools: { listChanged: true }, logging: {} },
      'Use the tools.',
    ]);
    await client.close();
    await gateway.close();
  });

  it('passes results through untouched, with progress under the client token', async () => {
    const { fetch, gateway } = setup();
    const client = await connect(fetch);
    const progress: unknown[] = [];
    const result = await client.callTool(
      { name: 'echo', arguments: { text: 'hi' } },
      { onprogress: (p) => progress.push(p) },
    );
    expect(result).toEqual({
      content: [{ type: 'text', text: 'hi' }],
      structuredContent: { text: 'hi' },
      _meta: { kept: true },
    });
    expect(progress).toEqual([{ progress: 1, total: 1 }]);
    await client.close();
    await gateway.close();
  });

  it('relays a backend sampling request to the client that caused it, and only to it', async () => {
    const { fetch, gateway } = setup();
    const asker = await connect(fetch, { sampling: {} });
    const bystander = await connect(fetch, { sampling: {} });
    const seen: string[] = [];
    asker.setRequestHandler('sampling/createMessage', async () => {
      seen.push('asker');
      return { model: 'm', role: 'assistant', content: { type: 'text', text: 'forty-two' } };
    });
    bystander.setRequestHandler('sampling/createMessage', async () => {
      seen.push('bystander');
      return { model: 'm', role: 'assistant', content: { type: 'text', text: 'wrong client' } };
    });
    const result = await asker.callTool({ name: 'ask', arguments: { question: 'meaning?' } });
    expect(result.content).toEqual([
      { type: 'text', text: 'client said: {"type":"text","text":"forty-two"}' },
    ]);
    expect(seen).toEqual(['asker']);
    await Promise.all([asker.close(), bystander.close()]);
    await gateway.close();
  });

  it("returns the backend's JSON-RPC errors unchanged", async () => {
    const { fetch, gateway } = setup();
    const client = await connect(fetch);
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Unknown tool: nope'),
    });
    await client.close();
    await gateway.close();
  });

  it('rejects malformed JSON with a parse error, and the next request works', async () => {
    const { gateway } = setup();
    const bad = await gateway.app.request('/mcp/fake', post('{"jsonrpc": "2.0", "id": 1, "method": '));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    const good = await gateway.app.request(
      '/mcp/fake',
      post({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    );
    expect(good.status).toBe(200);
    expect(good.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    await gateway.close();
  });

  it.each(['/mcp', '/mcp/fake'])('ends a session on DELETE at %s; the old id then gets 404', async (path) => {
    const { fetch, gateway } = setup();
    const transport = new StreamableHTTPClientTransport(new URL(`http://localhost${path}`), { fetch });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const stale = await gateway.app.request(
      path,
      post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId }),
    );
    expect(stale.status).toBe(404);
    await client.close();
    await gateway.close();
  });

  it('refuses requests that are not initialize without a session', async () => {
    const { gateway } = setup();
    const response = await gateway.app.request(
      '/mcp/fake',
      post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    );
    expect(response.status).toBe(400);
    await gateway.close();
  });
});

describe('edge checks and /health', () => {
  it('serves /health from the registry', async () => {
    const { gateway } = setup();
    const response = await gateway.app.request('/health', { headers: { host: 'localhost' } });
    expect(await response.json()).toEqual({
      status: 'healthy',
      backends: { fake: FAKE_HEALTH },
      sessions: { open: 0, expired: 0, evicted: 0, refused: 0 },
      catalog: { backends: 1, known: 1, pending: [] },
    });
  });

  it('serves Prometheus metrics: backend state, sessions, requests by route with unknown backends folded', async () => {
    const { gateway, fetch } = setup();
    const client = await connect(fetch);
    await gateway.app.request('/mcp/nope-1', post({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    await gateway.app.request('/mcp/nope-2', post({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    const response = await gateway.app.request('/metrics', { headers: { host: 'localhost' } });
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('mcp_gateway_backend_state{backend="fake",state="ready"} 1');
    expect(text).toContain('mcp_gateway_backend_state{backend="fake",state="degraded"} 0');
    expect(text).toContain('mcp_gateway_sessions{route="/mcp/fake"} 1');
    expect(text).toContain(
      'mcp_gateway_http_requests_total{route="/mcp/{unknown}",method="POST",status="404"} 2',
    );
    expect(text).toMatch(
      /mcp_gateway_http_requests_total\{route="\/mcp\/fake",method="POST",status="200"\} \d+/,
    );
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    await client.close();
    await gateway.close();
  });

  it.each([
    ['http://evil.example/health', {}, 403],
    ['http://localhost:39400/health', { origin: 'http://evil.example' }, 403],
    ['http://localhost:39400/health', { origin: 'null' }, 403],
    ['http://localhost:39400/health', { origin: 'http://localhost:3000' }, 200],
    ['http://127.0.0.1:39400/health', {}, 200],
    ['http://[::1]:39400/health', {}, 200],
  ])('%s with %j → %i', async (url, headers, status) => {
    const { gateway } = setup();
    expect((await gateway.app.request(url, { headers })).status).toBe(status);
  });
});
