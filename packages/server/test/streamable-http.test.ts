import { describe, expect, it } from 'vitest';
import { GatewayError } from '@mcp-gateway/core';
import { modernRequest } from '@mcp-gateway/examples';
import { MemoryEventStore, createGatewayApp } from '../src/index';
import { FakeRegistry } from './fake-registry';

// The gateway's own Streamable HTTP on /mcp/{backend}, at the HTTP level (the SDK client tests are in app.test.ts).

const HEADERS = {
  host: 'localhost',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function session(maxBodyBytes?: number, registry = new FakeRegistry()) {
  const gateway = createGatewayApp({ registry, catalog: registry, maxBodyBytes });
  return { ...(await open(gateway)), registry, gateway };
}

/** A new client session on the gateway's /mcp/fake, with a `send` that carries its session id. */
async function open(gateway: ReturnType<typeof createGatewayApp>) {
  const init = await gateway.app.request('/mcp/fake', {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  const id = init.headers.get('mcp-session-id')!;
  const send = (body: unknown, headers: Record<string, string> = {}, method = 'POST') =>
    gateway.app.request('/mcp/fake', {
      method,
      headers: { ...HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25', ...headers },
      body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
    });
  return { init, send };
}

const echo = (id: number, meta?: object) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: `hi ${id}` }, ...(meta ? { _meta: meta } : {}) },
});

/** The JSON-RPC messages of an SSE body. */
async function events(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
}

describe('Streamable HTTP on /mcp/{backend}', () => {
  it('answers initialize as JSON with a random session id', async () => {
    const { init } = await session();
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toBe('application/json');
    expect(init.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await init.json()).toMatchObject({ id: 0, result: { serverInfo: { name: 'fake-server' } } });
  });

  it('asks for the backend on behalf of the session, and releases the session on DELETE', async () => {
    const { send, init, registry } = await session();
    const id = init.headers.get('mcp-session-id')!;
    await send(echo(1));
    expect(registry.acquiredFor).toEqual([id, id]);
    expect((await send(undefined, {}, 'DELETE')).status).toBe(200);
    expect(registry.released).toEqual([id]);
    expect((await send(echo(2))).status).toBe(404);
  });

  it('answers a call with plain JSON when nothing streams', async () => {
    const { send } = await session();
    const response = await send(echo(1));
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ id: 1, result: { content: [{ text: 'hi 1' }] } });
  });

  it('streams the answer as SSE when the call asks for progress, progress first', async () => {
    const { send } = await session();
    const response = await send(echo(2, { progressToken: 'p' }));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await events(response)).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken: 'p', progress: 1, total: 1 },
      },
      expect.objectContaining({
        id: 2,
        result: expect.objectContaining({ structuredContent: { text: 'hi 2' } }),
      }),
    ]);
  });

  it('answers a batch with an array, and a batch of notifications with 202', async () => {
    const { send } = await session();
    const response = await send([echo(3), echo(4)]);
    expect(((await response.json()) as { id: number }[]).map((r) => r.id).sort()).toEqual([3, 4]);
    const notes = await send([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(notes.status).toBe(202);
  });

  it.each([
    ['broken JSON', '{"jsonrpc": "2.0", "id": 1,', 400, -32700],
    ['a number', '42', 400, -32600],
    ['an empty batch', '[]', 400, -32600],
    ['a wrong jsonrpc version', '{"jsonrpc": "1.0", "id": 1, "method": "ping"}', 400, -32600],
    ['a null id', '{"jsonrpc": "2.0", "id": null, "method": "ping"}', 400, -32600],
    ['array params', '{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]}', 400, -32600],
    ['a response with result and error', '{"jsonrpc":"2.0","id":1,"result":{},"error":{}}', 400, -32600],
  ])('refuses %s with a precise JSON-RPC error, and the next call works', async (_, body, status, code) => {
    const { send } = await session();
    const response = await send(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code } });
    expect((await send(echo(5))).status).toBe(200);
  });

  it.each([
    ['a body over the limit', { 'content-length': '2000' }, 'x'.repeat(2000), 413],
    ['a body of unknown length over the limit', {}, JSON.stringify(echo(6)).padEnd(2000), 413],
    ['a text/plain body', { 'content-type': 'text/plain' }, JSON.stringify(echo(6)), 415],
    ['an Accept without text/event-stream', { accept: 'application/json' }, JSON.stringify(echo(6)), 406],
    [
      'an unsupported protocol version',
      { 'mcp-protocol-version': '1999-01-01' },
      JSON.stringify(echo(6)),
      400,
    ],
    ['no session id', { 'mcp-session-id': '' }, JSON.stringify(echo(6)), 400],
  ])('refuses %s with HTTP %i', async (_, headers, body, status) => {
    const { send } = await session(1000);
    const response = await send(body, headers);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/\w+/);
  });

  it('refuses other methods with 405 and an Allow header', async () => {
    const { send } = await session();
    const response = await send(undefined, {}, 'PUT');
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, POST, DELETE']);
  });

  it('delivers backend notifications on the GET stream, one stream per session', async () => {
    const { send, registry, gateway } = await session();
    const stream = await send(undefined, {}, 'GET');
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    expect((await send(undefined, {}, 'GET')).status).toBe(409);
    for (const listener of registry.listeners)
      listener('fake', { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    gateway.close();
    expect(await events(stream)).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }]);
  });
});

describe('resource subscriptions on a shared backend', () => {
  it('passes subscriptions on (the registry counts them) and sends resources/updated only to subscribers', async () => {
    const { gateway, registry, send: alice } = await session();
    const { send: bob } = await open(gateway);
    const subscribe = (id: number, method = 'resources/subscribe') => ({
      jsonrpc: '2.0',
      id,
      method,
      params: { uri: 'test://x' },
    });
    expect((await alice(subscribe(1))).status).toBe(200);
    expect((await bob(subscribe(2))).status).toBe(200);
    const [aliceStream, bobStream] = [await alice(undefined, {}, 'GET'), await bob(undefined, {}, 'GET')];
    const updated = (uri: string) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/resources/updated',
      params: { uri },
    });
    await alice(subscribe(3, 'resources/unsubscribe'));
    for (const listener of registry.listeners) {
      listener('fake', updated('test://x'));
      listener('fake', updated('test://y'));
    }
    await bob(subscribe(4, 'resources/unsubscribe'));
    expect(registry.received).toEqual([
      'resources/subscribe test://x',
      'resources/subscribe test://x',
      'resources/unsubscribe test://x',
      'resources/unsubscribe test://x',
    ]);
    gateway.close();
    expect(await events(aliceStream)).toEqual([]);
    expect(await events(bobStream)).toEqual([updated('test://x')]);
  });

  it('answers a modern-era request for a backend that cannot start with its precise error', async () => {
    const registry = new FakeRegistry();
    registry.startError = new GatewayError(
      'BACKEND_START_FAILED',
      'Backend "fake" failed to start: exit code 3.',
    );
    const gateway = createGatewayApp({ registry, catalog: registry });
    const { headers, body } = modernRequest('tools/list', {}, { id: 7 });
    const response = await gateway.app.request('/mcp/fake', {
      method: 'POST',
      headers: { ...headers, host: 'localhost' },
      body,
    });
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32000,
        message: 'Backend "fake" failed to start: exit code 3.',
        data: { code: 'BACKEND_START_FAILED' },
      },
    });
  });

  it('gives a modern-era client log messages only when its request asks, at or above its level', async () => {
    const registry = new FakeRegistry();
    const gateway = createGatewayApp({ registry, catalog: registry });
    const logs = async (logLevel?: string) => {
      const { headers, body: request } = modernRequest(
        'tools/call',
        { name: 'echo', arguments: { text: 'hi', log: true } },
        { meta: logLevel ? { 'io.modelcontextprotocol/logLevel': logLevel } : {} },
      );
      const response = await gateway.app.request('/mcp/fake', {
        method: 'POST',
        headers: { ...headers, host: 'localhost' },
        body: request,
      });
      const body = response.headers.get('content-type')?.includes('event-stream')
        ? await events(response)
        : [await response.json()];
      expect(body.at(-1)).toMatchObject({ id: 1, result: { content: [{ text: 'hi' }] } });
      return body.filter((m) => (m as { method?: string }).method === 'notifications/message');
    };
    expect(await logs()).toEqual([]);
    expect(await logs('error')).toEqual([]);
    expect(await logs('debug')).toMatchObject([{ params: { level: 'info', data: 'echoing hi' } }]);
  });
});

describe('a shared event store across replicas', () => {
  it('replays, on another replica, the stored events of a session it does not hold, after the one named', async () => {
    const store = new MemoryEventStore();
    const first = createGatewayApp({
      registry: new FakeRegistry(),
      catalog: new FakeRegistry(),
      eventStore: store,
      replica: 'r1',
    });
    const other = new FakeRegistry();
    const second = createGatewayApp({ registry: other, catalog: other, eventStore: store, replica: 'r2' });
    const { init, send } = await open(first);
    const session = init.headers.get('mcp-session-id')!;
    expect(session).toMatch(/^r1\./);
    const streamed = await (await send(echo(2, { progressToken: 'p' }))).text();
    const ids = [...streamed.matchAll(/^id: (.*)$/gm)].map((m) => m[1]!);
    expect(ids).toHaveLength(2); // the progress notification, then the result
    const get = (headers: Record<string, string>) =>
      second.app.request('/mcp/fake', {
        headers: {
          ...HEADERS,
          accept: 'text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...headers,
        },
      });
    const resumed = await get({ 'mcp-session-id': session, 'last-event-id': ids[0]! });
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('mcp-gateway-replica')).toBe('r2');
    expect(await events(resumed)).toEqual([expect.objectContaining({ id: 2, result: expect.anything() })]);
    // Another session id naming that event finds nothing; so does a POST to the session, which r2 does not hold.
    expect((await get({ 'mcp-session-id': 'r1.someone-else', 'last-event-id': ids[0]! })).status).toBe(404);
    const post = await second.app.request('/mcp/fake', {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify(echo(3)),
    });
    expect(post.status).toBe(404);
    await Promise.all([first.close(), second.close()]);
  });
});
