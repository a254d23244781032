import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, GatewayConfig } from '../src/index';
import { silentLogger } from '@mcp-gateway/core';
import { connectClient, exampleConfig } from './helpers';

/** The parts of the answers the tasks test reads: initialize, CreateTaskResult, tasks/get, tasks/list, a result. */
interface TaskResult {
  capabilities?: { tasks?: object };
  task?: { taskId: string; status: string };
  tasks?: { taskId: string }[];
  status?: string;
  content?: unknown;
}

describe('Gateway on the example config (real backends from npm, real socket)', () => {
  let gateway: Gateway;
  let base: URL;

  beforeAll(async () => {
    gateway = new Gateway(GatewayConfig.fromYaml(exampleConfig).withOverrides({ port: 0 }), {
      logger: silentLogger,
    });
    base = await gateway.start();
  });
  afterAll(() => gateway.close());

  it('lists tools and calls echo through /mcp/everything with the SDK client', async () => {
    await using client = await connectClient(new URL('/mcp/everything', base));
    expect(client.getServerVersion()?.name).toBe('mcp-servers/everything');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']),
    );
    expect(await client.callTool({ name: 'echo', arguments: { message: 'through the gateway' } })).toEqual({
      content: [{ type: 'text', text: 'Echo: through the gateway' }],
    });
  });

  it('serves several backends side by side, each in its own sessions', async () => {
    await using memory = await connectClient(new URL('/mcp/memory', base));
    await using files = await connectClient(new URL('/mcp/filesystem', base));
    expect((await memory.listTools()).tools.map((t) => t.name)).toContain('create_entities');
    const allowed = await files.callTool({ name: 'list_allowed_directories', arguments: {} });
    expect(JSON.stringify(allowed)).toContain('scratch');
  });

  it('passes tasks through: a task-augmented call, tasks/get, tasks/list and tasks/result', async () => {
    const url = new URL('/mcp/everything', base);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    let id = 0;
    const rpc = async (method: string, params: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      });
      headers['mcp-session-id'] ??= response.headers.get('mcp-session-id')!;
      // Plain JSON, or SSE when the backend says something first (task status): the answer carries our id.
      const text = await response.text();
      const messages = text.startsWith('{')
        ? [JSON.parse(text)]
        : [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
      return messages.find((m) => m.id === id) as { result: TaskResult };
    };
    const init = await rpc('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'tasks', version: '1' },
    });
    expect(init.result.capabilities!.tasks).toBeDefined(); // the backend's own capabilities, as it declared them
    headers['mcp-protocol-version'] = '2025-11-25';

    const created = await rpc('tools/call', {
      name: 'simulate-research-query',
      arguments: { topic: 'gateways' },
      task: { ttl: 60_000 },
    });
    const { taskId, status } = created.result.task!;
    expect(status).toBe('working');
    expect((await rpc('tasks/get', { taskId })).result).toMatchObject({ taskId, status: 'working' });
    const listed = (await rpc('tasks/list', {})).result.tasks!;
    expect(listed.map((t) => t.taskId)).toContain(taskId);
    const result = await rpc('tasks/result', { taskId }); // waits for the task to finish (about 4 s)
    expect(JSON.stringify(result.result.content)).toContain('Research Report: gateways');
    expect((await rpc('tasks/get', { taskId })).result.status).toBe('completed');
  }, 20_000);

  it('reports backends in /health with the README shape', async () => {
    const response = await fetch(new URL('/health', base));
    const body = (await response.json()) as {
      status: string;
      backends: Record<string, Record<string, unknown>>;
    };
    expect(response.status).toBe(200);
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.backends)).toEqual(['everything', 'memory', 'filesystem']);
    expect(body.backends.everything).toEqual({
      running: true,
      restart_count: 0,
      tools_cached: 17,
      state: 'ready',
      last_error: null,
      uptime_s: expect.any(Number),
      pid: expect.any(Number),
      sessions: 0,
      in_flight: 0,
      queued: 0,
      rejected: 0,
      transport: 'stdio',
      protocol_version: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('answers an unknown backend with 404 and a JSON-RPC error naming the configured ones', async () => {
    const response = await fetch(new URL('/mcp/nope', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32602,
        message: 'No backend named "nope". Configured backends: everything, memory, filesystem.',
        data: { code: 'BACKEND_NOT_FOUND' },
      },
    });
  });

  it('answers an unknown session with 404 and keeps serving', async () => {
    const response = await fetch(new URL('/mcp/everything', base), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': 'forged',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
    await using client = await connectClient(new URL('/mcp/everything', base));
    expect((await client.listTools()).tools.length).toBe(17);
  });

  it('refuses a foreign Origin even with a valid Host', async () => {
    const response = await fetch(new URL('/health', base), { headers: { origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
  });
});
