import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { silentLogger } from '@mcp-gateway/core';
import { everythingServer, fixtureBackend } from '@mcp-gateway/examples';
import { Gateway, GatewayConfig } from '../src/index';

// Sessions that end: idle expiry, caps with eviction, release of what a session holds, and bounded buffers, with
// real clients and real backends.

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'abandoner', version: '1' },
  },
};

async function gatewayWith(settings: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-sessions-'));
  const config = GatewayConfig.parse(
    `state_dir: ${join(dir, 'state')}
port: 0
${settings}
backends:
  fixture: { command: "node ${fixtureBackend}" }
  own: { command: "node ${fixtureBackend}", isolation: per-session }
  everything: { command: "node ${everythingServer} stdio" }
`,
    { baseDir: dir },
  );
  const gateway = new Gateway(config, { logger: silentLogger });
  const base = await gateway.start();
  return Object.assign(gateway, { base, [Symbol.asyncDispose]: () => gateway.close() });
}

/** A client that initializes and then vanishes: no GET stream, no DELETE. Returns the session id. */
async function abandon(base: URL, path: string): Promise<string> {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify(INITIALIZE),
  });
  await response.text();
  expect(response.status).toBe(200);
  return response.headers.get('mcp-session-id')!;
}

/** One request on a session: its HTTP status (404 once the session is gone). */
let nextId = 1;
async function use(base: URL, path: string, session: string, method = 'tools/list', params: object = {}) {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  await response.text();
  return response.status;
}

const health = async (base: URL) =>
  (await (await fetch(new URL('/health', base))).json()) as {
    sessions: { open: number; expired: number; evicted: number; refused: number };
    backends: Record<string, { sessions: number }>;
  };
const until = async (check: () => Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('sessions that end', () => {
  it('expire when idle on /mcp and /mcp/{backend}, releasing their own backend process; a busy one lives on', async () => {
    await using gateway = await gatewayWith('session_idle_timeout: 0.6');
    const { base } = gateway;
    const [meta, direct, own] = [
      await abandon(base, '/mcp'),
      await abandon(base, '/mcp/fixture'),
      await abandon(base, '/mcp/own'),
    ];
    expect(
      await use(base, '/mcp/own', own, 'tools/call', { name: 'echo', arguments: { message: 'x' } }),
    ).toBe(200);
    await until(async () => (await health(base)).backends.own!.sessions === 1);
    // A call in flight keeps its session alive past the idle timeout.
    const busy = await abandon(base, '/mcp/fixture');
    const slow = use(base, '/mcp/fixture', busy, 'tools/call', {
      name: 'progress',
      arguments: { steps: 4, ms: 400 },
    });
    await until(async () => (await health(base)).sessions.expired === 3, 10_000);
    expect(await slow).toBe(200);
    expect([
      await use(base, '/mcp', meta),
      await use(base, '/mcp/fixture', direct),
      await use(base, '/mcp/own', own),
    ]).toEqual([404, 404, 404]);
    expect(await use(base, '/mcp/fixture', busy)).toBe(200);
    expect((await health(base)).backends.own!.sessions).toBe(0); // its own process went with it
    // An SDK client that keeps no GET stream (as many do): once idle its session ends; it gets 404, and a new
    // connection goes on.
    const noStream: typeof fetch = async (url, init) =>
      init?.method === 'GET' ? new Response(null, { status: 405 }) : fetch(url, init);
    const client = new Client({ name: 'comeback', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp/fixture', base), { fetch: noStream }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('echo');
    await until(async () => (await health(base)).sessions.open === 0, 10_000);
    const gone = (await client.listTools().catch((e: unknown) => e)) as { data?: { status?: number } };
    expect(gone.data?.status).toBe(404);
    await client.close();
    const again = new Client({ name: 'comeback', version: '1' });
    await again.connect(
      new StreamableHTTPClientTransport(new URL('/mcp/fixture', base), { fetch: noStream }),
    );
    expect((await again.listTools()).tools.map((t) => t.name)).toContain('echo');
    await again.close();
  });

  it('at max_sessions evict the least recently used idle session', async () => {
    await using gateway = await gatewayWith('max_sessions: 3\nsession_idle_timeout: 0');
    const { base } = gateway;
    const first = await abandon(base, '/mcp/fixture');
    const second = await abandon(base, '/mcp');
    const third = await abandon(base, '/mcp/fixture');
    expect(await use(base, '/mcp/fixture', first)).toBe(200); // first is now the most recently used
    await abandon(base, '/mcp/fixture'); // evicts second, the least recently used
    expect([
      await use(base, '/mcp', second),
      await use(base, '/mcp/fixture', first),
      await use(base, '/mcp/fixture', third),
    ]).toEqual([404, 200, 200]);
  });

  it('refuse a new session with 503 and Retry-After when every session is in use', async () => {
    await using gateway = await gatewayWith('max_sessions: 2\nsession_idle_timeout: 0');
    const { base } = gateway;
    const clients = [];
    for (let i = 0; i < 2; i++) {
      const client = new Client({ name: `streamer-${i}`, version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp/fixture', base)));
      clients.push(client);
    }
    // SDK clients open a GET stream after initialize: in use.
    await until(async () => (await health(base)).sessions.open === 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await fetch(new URL('/mcp/fixture', base), {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(INITIALIZE),
    });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'max_sessions',
    );
    const sse = new Client({ name: 'sse', version: '1' });
    expect(
      String(await sse.connect(new SSEClientTransport(new URL('/sse', base))).catch((e: unknown) => e)),
    ).toContain('503');
    expect((await health(base)).sessions).toEqual({ open: 2, expired: 0, evicted: 0, refused: 2 });
    for (const client of clients) await client.close();
  });

  it('cap each identified client at max_sessions_per_client', async () => {
    await using gateway = await gatewayWith(
      'max_sessions_per_client: 2\nsession_idle_timeout: 0\nauth:\n  api_keys:\n    - { name: a, key: "key-a-123" }\n    - { name: b, key: "key-b-456" }',
    );
    const { base } = gateway;
    const open = async (key: string) =>
      (
        await fetch(new URL('/mcp/fixture', base), {
          method: 'POST',
          headers: { ...HEADERS, authorization: `Bearer ${key}` },
          body: JSON.stringify(INITIALIZE),
        })
      ).status;
    expect([
      await open('key-a-123'),
      await open('key-a-123'),
      await open('key-a-123'),
      await open('key-b-456'),
    ]).toEqual([200, 200, 200, 200]);
    const answer = await fetch(new URL('/health', base), { headers: { authorization: 'Bearer key-a-123' } });
    const { sessions } = (await answer.json()) as { sessions: object };
    expect(sessions).toEqual({ open: 3, expired: 0, evicted: 1, refused: 0 }); // a's third evicted a's first
  });

  it('drop the stream of a client that stops reading, and keep its session and everyone else', async () => {
    await using gateway = await gatewayWith('session_idle_timeout: 0');
    const { base } = gateway;
    const session = await abandon(base, '/mcp/fixture');
    const stream = await fetch(new URL('/mcp/fixture', base), {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': session,
        'mcp-protocol-version': '2025-11-25',
      },
    });
    expect(stream.status).toBe(200); // opened, and never read
    const second = () =>
      fetch(new URL('/mcp/fixture', base), {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-11-25',
        },
      });
    const busy = await second();
    await busy.body?.cancel();
    expect(busy.status).toBe(409); // one GET stream at a time, while it is read
    // 16 MB of log messages no call claims go to the GET stream, which nobody reads.
    expect(
      await use(base, '/mcp/fixture', session, 'tools/call', {
        name: 'flood',
        arguments: { count: 250, bytes: 64_000 },
      }),
    ).toBe(200);
    await until(async () => {
      const again = await second();
      await again.body?.cancel();
      return again.status === 200; // the unread stream was dropped, so a new one may open
    });
    expect(
      await use(base, '/mcp/fixture', session, 'tools/call', {
        name: 'echo',
        arguments: { message: 'alive' },
      }),
    ).toBe(200);
    await stream.body?.cancel().catch(() => {});
  });

  it('refuse calls past the per-session bound with 429', async () => {
    await using gateway = await gatewayWith('session_idle_timeout: 0\nrequest_timeout: 5');
    const { base } = gateway;
    const session = await abandon(base, '/mcp/fixture');
    const hanging = Array.from({ length: 64 }, () =>
      use(base, '/mcp/fixture', session, 'tools/call', { name: 'hang', arguments: {} }).catch(() => 0),
    );
    await until(async () => gateway.health().fixture!.in_flight === 64);
    expect(
      await use(base, '/mcp/fixture', session, 'tools/call', {
        name: 'echo',
        arguments: { message: 'one more' },
      }),
    ).toBe(429);
    await gateway.close();
    await Promise.allSettled(hanging);
  });
});
