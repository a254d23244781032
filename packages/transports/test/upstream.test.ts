import { afterEach, describe, expect, it, vi } from 'vitest';
import { everythingServer, groupMembers, memoryServer } from '@mcp-gateway/examples';
import { JsonRpcError, isGatewayError, type JsonRpcNotification } from '@mcp-gateway/core';
import { StdioTransport, Upstream } from '../src/index';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every backend process group a test started; after each test, none may have a live member. */
const started: StdioTransport[] = [];
afterEach(() => {
  const leaked = started.splice(0).flatMap((t) => groupMembers(t.pid!));
  expect(leaked).toEqual([]);
});

function stdio(options: ConstructorParameters<typeof StdioTransport>[0]) {
  const transport = new StdioTransport(options);
  started.push(transport);
  return transport;
}

function everything() {
  return Upstream.connect(stdio({ command: process.execPath, args: [everythingServer] }), {
    backend: 'everything',
    requestTimeoutMs: 10_000,
  });
}

describe('Upstream over stdio (server-everything)', () => {
  it('initializes and passes tools/list and tools/call results through as sent', async () => {
    await using upstream = await everything();
    expect(upstream.initializeResult.serverInfo.name).toBe('mcp-servers/everything');
    const { tools } = (await upstream.request('tools/list', {})) as { tools: { name: string }[] };
    expect(tools.map((t) => t.name)).toContain('echo');
    expect(await upstream.request('tools/call', { name: 'echo', arguments: { message: 'hi' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: hi' }],
    });
  });

  it('maps progress tokens both ways and keeps the caller token', async () => {
    await using upstream = await everything();
    const progress: JsonRpcNotification[] = [];
    const result = await upstream.request(
      'tools/call',
      {
        name: 'trigger-long-running-operation',
        arguments: { duration: 0.2, steps: 2 },
        _meta: { progressToken: 'client-token-7' },
      },
      { onNotification: (n) => progress.push(n) },
    );
    expect(result.content).toBeDefined();
    expect(progress.map((n) => [n.method, n.params?.progressToken, n.params?.progress])).toEqual([
      ['notifications/progress', 'client-token-7', 1],
      ['notifications/progress', 'client-token-7', 2],
    ]);
  });

  it("relays the backend's sampling request to the caller in flight and returns the tool result", async () => {
    await using upstream = await everything();
    const asked: string[] = [];
    const result = (await upstream.request(
      'tools/call',
      { name: 'trigger-sampling-request', arguments: { prompt: 'Say hi', maxTokens: 5 } },
      {
        timeoutMs: 300,
        onRequest: async (request) => {
          asked.push(request.method);
          if (request.method === 'roots/list') return { roots: [] }; // server-everything asks for roots too
          await new Promise((resolve) => setTimeout(resolve, 500)); // longer than the timeout: paused meanwhile
          return {
            model: 'test-model',
            role: 'assistant',
            content: { type: 'text', text: 'hi from the client' },
          };
        },
      },
    )) as { content: { text: string }[] };
    expect(asked).toContain('sampling/createMessage');
    expect(JSON.stringify(result.content)).toContain('hi from the client');
  });

  // Bob's call asks first. Then Alice's call goes out and Bob's answer goes back, in either order: the backend may
  // ask for Alice's call while Bob's (older, no longer waiting on its client) is still in flight.
  it.each(['before', 'after'])(
    "relays a sampling request to the call that asks when another call's answer goes back just %s it",
    async (when) => {
      await using upstream = await everything();
      const sampled: string[] = [];
      const sampler =
        (name: string, answered: Promise<void> = Promise.resolve()) =>
        async (request: { method: string; params?: Record<string, unknown> }) => {
          if (request.method === 'roots/list') return { roots: [] };
          const [message] = request.params!.messages as { content: { text: string } }[];
          sampled.push(`${name}: ${message!.content.text}`);
          await answered;
          return { model: name, role: 'assistant', content: { type: 'text', text: `answer from ${name}` } };
        };
      const sample = (name: string, onRequest: ReturnType<typeof sampler>) =>
        upstream.request(
          'tools/call',
          { name: 'trigger-sampling-request', arguments: { prompt: name } },
          { onRequest },
        ) as Promise<{ content: unknown }>;

      let answerBob = () => {};
      const bob = sample('bob', sampler('bob', new Promise((resolve) => (answerBob = resolve))));
      await vi.waitFor(() => expect(sampled).toHaveLength(1));
      if (when === 'before') {
        answerBob();
        await new Promise((resolve) => setImmediate(resolve)); // the answer is written first
      }
      const alice = sample('alice', sampler('alice'));
      if (when === 'after') answerBob();
      const [a, b] = await Promise.all([alice, bob]);
      expect(sampled.sort()).toEqual([
        'alice: Resource trigger-sampling-request context: alice',
        'bob: Resource trigger-sampling-request context: bob',
      ]);
      expect(JSON.stringify(a.content)).toContain('answer from alice');
      expect(JSON.stringify(b.content)).toContain('answer from bob');
    },
  );

  it('relays a sampling request to the call that just went out, not to a long call the backend is busy with', async () => {
    await using upstream = await everything();
    const asked: string[] = [];
    const onRequest = (name: string) => async (request: { method: string }) => {
      if (request.method === 'roots/list') return { roots: [] };
      asked.push(name);
      return { model: name, role: 'assistant', content: { type: 'text', text: `answer from ${name}` } };
    };
    const long = upstream.request(
      'tools/call',
      { name: 'trigger-long-running-operation', arguments: { duration: 3, steps: 1 } },
      { onRequest: onRequest('alice') },
    );
    // Longer than BUSY_AFTER_MS after the backend's last request for Alice's call: server-everything asks for
    // roots/list soon after it starts, and Alice's call answers it.
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const sampled = (await upstream.request(
      'tools/call',
      { name: 'trigger-sampling-request', arguments: { prompt: 'bob' } },
      { onRequest: onRequest('bob') },
    )) as { content: unknown };
    expect(JSON.stringify(sampled.content)).toContain('answer from bob');
    expect(asked).toEqual(['bob']);
    await long;
  });

  it("relays roots/list through a call without holding that call's place for its own requests", async () => {
    await using upstream = await everything();
    // server-everything syncs roots 350 ms after initialize; from then on it asks again on roots/list_changed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const asked: string[] = [];
    const onRequest = (name: string) => async (request: { method: string }) => {
      asked.push(`${name}: ${request.method}`);
      if (request.method === 'roots/list') return { roots: [] };
      await vi.waitFor(() => expect(asked.filter((a) => a.endsWith('createMessage'))).toHaveLength(2));
      return { model: name, role: 'assistant', content: { type: 'text', text: `answer from ${name}` } };
    };
    const sample = (name: string) =>
      upstream.request(
        'tools/call',
        { name: 'trigger-sampling-request', arguments: { prompt: name } },
        { onRequest: onRequest(name) },
      ) as Promise<{ content: unknown }>;
    void upstream.notify('notifications/roots/list_changed');
    const [a, b] = await Promise.all([sample('alice'), sample('bob')]);
    expect(asked.filter((a) => a.endsWith('createMessage')).sort()).toEqual([
      'alice: sampling/createMessage',
      'bob: sampling/createMessage',
    ]);
    expect(asked).toContain('alice: roots/list');
    expect(JSON.stringify(a.content)).toContain('answer from alice');
    expect(JSON.stringify(b.content)).toContain('answer from bob');
  });

  it('returns backend errors as JsonRpcError, unchanged', async () => {
    await using upstream = await everything();
    const error = await upstream.request('no/such/method', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(-32601);
  });

  it('cancels upstream when the caller aborts, and the connection stays usable', async () => {
    await using upstream = await everything();
    const controller = new AbortController();
    const call = upstream.request(
      'tools/call',
      { name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await call.catch((e: unknown) => e);
    expect(isGatewayError(error, 'REQUEST_CANCELLED')).toBe(true);
    expect(await upstream.request('tools/call', { name: 'echo', arguments: { message: 'after' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: after' }],
    });
  });

  it('keeps state across calls on one process (server-memory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-memory-'));
    await using upstream = await Upstream.connect(
      stdio({
        command: process.execPath,
        args: [memoryServer],
        env: { MEMORY_FILE_PATH: join(dir, 'memory.jsonl') },
      }),
      { backend: 'memory' },
    );
    await upstream.request('tools/call', {
      name: 'create_entities',
      arguments: {
        entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }],
      },
    });
    const read = (await upstream.request('tools/call', { name: 'read_graph', arguments: {} })) as {
      structuredContent?: unknown;
      content: { text: string }[];
    };
    expect(read.content[0]!.text).toContain('wrote the first program');
  });
});
