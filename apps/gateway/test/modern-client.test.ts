import { describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { samplingClient, exampleGatewayForFile } from './helpers';

// A 2026-07-28 (modern-era) client on the same URLs as 2025-era clients, in front of legacy backends.

const example = exampleGatewayForFile('meta');

/** A modern-era SDK client that answers sampling with a fixed text. */
const modernClient = (path: string) =>
  samplingClient(
    new StreamableHTTPClientTransport(new URL(path, example.url)),
    'sampled for the modern client',
    {
      versionNegotiation: { mode: { pin: '2026-07-28' } },
    },
  );

describe('a modern-era client', () => {
  it('discovers, lists and calls through /mcp/{backend}', async () => {
    await using client = await modernClient('/mcp/everything');
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerVersion()?.name).toContain('everything');
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('echo');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'modern' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: modern' }]);
  });

  it('answers a backend sampling request as an input-required round', async () => {
    await using client = await modernClient('/mcp/everything');
    const result = await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'hello', maxTokens: 10 },
    });
    expect(JSON.stringify(result.content)).toContain('sampled for the modern client');
  });

  it('uses the meta-tools on /mcp', async () => {
    await using client = await modernClient('/mcp');
    expect(client.getProtocolEra()).toBe('modern');
    expect((await client.listTools()).tools).toHaveLength(4);
    const result = await client.callTool({
      name: 'gateway_invoke',
      arguments: {
        server: 'everything',
        tool: 'trigger-sampling-request',
        arguments: { prompt: 'hi', maxTokens: 5 },
      },
    });
    expect(JSON.stringify(result.content)).toContain('sampled for the modern client');
  });

  it('gets progress on the stream of its call', async () => {
    await using client = await modernClient('/mcp/everything');
    const progress: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(progress).toEqual([1, 2, 3]);
  });
});

describe('modern-era requests at the HTTP level', () => {
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { sampling: {} },
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  };
  const post = (path: string, body: { method: string; params: { name: string } }, headers = {}) =>
    fetch(new URL(path, example.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': body.method,
        'mcp-name': body.params.name,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const call = (id: number, name: string, args: object, extra: object = {}) => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, arguments: args, _meta: envelope, ...extra },
  });

  it('refuses an Mcp-Method header that names another method: 400, -32020', async () => {
    for (const path of ['/mcp/everything', '/mcp']) {
      const response = await post(path, call(1, 'echo', { message: 'x' }), {
        'mcp-method': 'tools/list',
        'mcp-name': 'echo',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ id: 1, error: { code: -32020 } });
    }
  });

  it('mints a requestState for a sampling round and refuses one it did not mint', async () => {
    const args = { prompt: 'raw', maxTokens: 5 };
    const first = await post('/mcp/everything', call(1, 'trigger-sampling-request', args));
    const { result } = (await first.json()) as {
      result: { resultType: string; requestState: string; inputRequests: Record<string, { method: string }> };
    };
    expect(result.resultType).toBe('input_required');
    const [key, ask] = Object.entries(result.inputRequests)[0]!;
    expect(ask.method).toBe('sampling/createMessage');
    const answer = { model: 'm', role: 'assistant', content: { type: 'text', text: 'raw answer' } };
    const retry = (id: number) =>
      post(
        '/mcp/everything',
        call(id, 'trigger-sampling-request', args, {
          inputResponses: { [key]: answer },
          requestState: result.requestState,
        }),
      );
    expect(JSON.stringify(await (await retry(2)).json())).toContain('raw answer');
    const replay = await retry(3); // the call it named has finished
    expect(await replay.json()).toMatchObject({
      id: 3,
      error: { message: /Unknown or expired requestState/ },
    });
  });

  it('answers a call that needed a capability the client lacks with -32021 and HTTP 400', async () => {
    const body = call(1, 'trigger-sampling-request', { prompt: 'raw', maxTokens: 5 });
    const withoutSampling = { ...envelope, 'io.modelcontextprotocol/clientCapabilities': {} };
    const request = { ...body, params: { ...body.params, _meta: withoutSampling } };
    const response = await post('/mcp/everything', request);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: 1,
      error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } },
    });
  });

  it('answers a method the backend does not implement with 404 and -32601', async () => {
    const unknown = {
      jsonrpc: '2.0',
      id: 1,
      method: 'no/such-method',
      params: { name: 'x', _meta: envelope },
    };
    const response = await post('/mcp/everything', unknown);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ id: 1, error: { code: -32601 } });
  });
});
