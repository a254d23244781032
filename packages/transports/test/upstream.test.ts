import { afterEach, describe, expect, it, vi } from 'vitest';
import { conformanceBackend, everythingServer, groupMembers, memoryServer } from '@mcp-gateway/examples';
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

  describe('with several calls in flight, each backend request reaches the call that asks', () => {
    /** A client named `name` for one call: notes what it is asked in `asked`, answers sampling once `ready`. */
    const client =
      (name: string, asked: string[], ready: () => Promise<unknown> = async () => {}) =>
      async (request: { method: string }) => {
        asked.push(`${name}: ${request.method}`);
        if (request.method === 'roots/list') return { roots: [] };
        await ready();
        return { model: name, role: 'assistant', content: { type: 'text', text: `answer from ${name}` } };
      };
    const sample = (upstream: Upstream, name: string, onRequest: ReturnType<typeof client>) =>
      upstream.request(
        'tools/call',
        { name: 'trigger-sampling-request', arguments: { prompt: name } },
        { onRequest },
      ) as Promise<{ content: unknown }>;
    const sampledBy = (asked: string[]) => asked.filter((a) => a.endsWith('sampling/createMessage')).sort();
    const answerOf = (result: { content: unknown }) =>
      JSON.stringify(result.content).match(/answer from \w+/)?.[0];

    // Bob's call asks first. Then Alice's call goes out and Bob's answer goes back, in either order: the backend
    // may ask for Alice's call while Bob's (older, no longer waiting on its client) is still in flight.
    it.each(['before', 'after'])("when another call's answer goes back just %s it goes out", async (when) => {
      await using upstream = await everything();
      const asked: string[] = [];
      let answerBob = () => {};
      const bobReady = new Promise<void>((resolve) => (answerBob = resolve));
      const bob = sample(
        upstream,
        'bob',
        client('bob', asked, () => bobReady),
      );
      await vi.waitFor(() => expect(sampledBy(asked)).toHaveLength(1));
      if (when === 'before') {
        answerBob();
        await new Promise((resolve) => setImmediate(resolve)); // the answer is written first
      }
      const alice = sample(upstream, 'alice', client('alice', asked));
      if (when === 'after') answerBob();
      const [a, b] = await Promise.all([alice, bob]);
      expect(sampledBy(asked)).toEqual(['alice: sampling/createMessage', 'bob: sampling/createMessage']);
      expect([answerOf(a), answerOf(b)]).toEqual(['answer from alice', 'answer from bob']);
    });

    it('when a long call the backend is busy with is older than the one asking', async () => {
      await using upstream = await everything();
      const asked: string[] = [];
      const long = upstream.request(
        'tools/call',
        { name: 'trigger-long-running-operation', arguments: { duration: 2.5, steps: 1 } },
        { onRequest: client('alice', asked) },
      );
      await new Promise((resolve) => setTimeout(resolve, 1200)); // longer than BUSY_AFTER_MS
      const sampled = await sample(upstream, 'bob', client('bob', asked));
      expect(answerOf(sampled)).toBe('answer from bob');
      expect(sampledBy(asked)).toEqual(['bob: sampling/createMessage']);
      await long;
    });

    it('when a call sends several requests at once while an older call still waits on its client', async () => {
      await using upstream = await Upstream.connect(
        stdio({ command: process.execPath, args: [conformanceBackend, '--stdio'] }),
        { backend: 'conformance', requestTimeoutMs: 10_000 },
      );
      const asked: string[] = [];
      let answerOld = () => {};
      const oldAnswered = new Promise<void>((resolve) => (answerOld = resolve));
      const answers: Record<string, unknown> = {
        'elicitation/create': { action: 'accept', content: { name: 'Alice' } },
        'sampling/createMessage': { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'm' },
        'roots/list': { roots: [] },
      };
      const answering =
        (name: string, ready: () => Promise<unknown>) => async (request: { method: string }) => {
          asked.push(`${name}: ${request.method}`);
          await ready();
          return answers[request.method] as Record<string, unknown>;
        };
      const call = (tool: string, onRequest: ReturnType<typeof answering>) =>
        upstream.request('tools/call', { name: tool, arguments: {} }, { onRequest });
      // The old call asks for a name and is not answered while the new one runs.
      const old = call(
        'test_input_required_result_elicitation',
        answering('old', () => oldAnswered),
      );
      await vi.waitFor(() => expect(asked).toEqual(['old: elicitation/create']));
      // The new call asks for a name, a sample and roots at once; the backend writes them apart.
      const all = () => vi.waitFor(() => expect(asked).toHaveLength(4));
      const result = await call('test_input_required_result_multiple_inputs', answering('new', all));
      expect(asked.slice(1).sort()).toEqual([
        'new: elicitation/create',
        'new: roots/list',
        'new: sampling/createMessage',
      ]);
      expect(JSON.stringify(result)).toContain('Alice | Paris | 0');
      answerOld();
      await old;
    });

    it("when the backend asks roots/list on its own, which holds no call's place", async () => {
      await using upstream = await everything();
      // server-everything syncs roots 350 ms after initialize; from then on it asks again on roots/list_changed.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const asked: string[] = [];
      const bothAsked = () => vi.waitFor(() => expect(sampledBy(asked)).toHaveLength(2));
      void upstream.notify('notifications/roots/list_changed');
      const [a, b] = await Promise.all([
        sample(upstream, 'alice', client('alice', asked, bothAsked)),
        sample(upstream, 'bob', client('bob', asked, bothAsked)),
      ]);
      expect(asked).toContain('alice: roots/list');
      expect(sampledBy(asked)).toEqual(['alice: sampling/createMessage', 'bob: sampling/createMessage']);
      expect([answerOf(a), answerOf(b)]).toEqual(['answer from alice', 'answer from bob']);
    });
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
