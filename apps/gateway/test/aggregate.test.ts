import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index';
import { connectClient, startExampleGateway } from './helpers';

describe('aggregate mode on /mcp (--no-meta-mcp, example config)', () => {
  let gateway: Gateway;
  let url: URL;

  beforeAll(async () => {
    ({ gateway, url } = await startExampleGateway('aggregate'));
  });
  afterAll(() => gateway.close());

  it('lists every backend tool namespaced, the same bytes on every call', async () => {
    await using client = await connectClient(url);
    const first = await client.listTools();
    const names = first.tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['everything__echo', 'memory__create_entities', 'filesystem__read_text_file']),
    );
    expect(names.every((n) => n.length <= 64 && /^(everything|memory|filesystem)__/.test(n))).toBe(true);
    expect(JSON.stringify((await client.listTools()).tools)).toBe(JSON.stringify(first.tools));
  });

  it('calls a namespaced tool on its backend and returns its result unchanged', async () => {
    await using client = await connectClient(url);
    expect(await client.callTool({ name: 'everything__echo', arguments: { message: 'aggregated' } })).toEqual(
      {
        content: [{ type: 'text', text: 'Echo: aggregated' }],
      },
    );
  });

  it('aggregates resources with reversible gateway:// URIs, and reads them through the gateway', async () => {
    await using client = await connectClient(url);
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => /^gateway:\/\/(everything|memory|filesystem)\//.test(r.uri))).toBe(true);
    const first = resources.find((r) => r.uri.startsWith('gateway://everything/'))!;
    const read = await client.readResource({ uri: first.uri });
    expect(read.contents[0]).toMatchObject({ uri: first.uri });
    const { resourceTemplates } = await client.listResourceTemplates();
    // Namespaced without encoding, so a template's {variables} still expand on the client.
    const everythingTemplates = resourceTemplates.filter((t) =>
      t.uriTemplate.startsWith('gateway://everything/'),
    );
    expect(everythingTemplates.length).toBeGreaterThan(0);
    expect(everythingTemplates.every((t) => /\{[a-zA-Z]+\}/.test(t.uriTemplate))).toBe(true);
    await expect(client.readResource({ uri: 'gateway://nope/x' })).rejects.toMatchObject({ code: -32602 });
  });

  it('aggregates prompts as backend__prompt and gets them from their backend', async () => {
    await using client = await connectClient(url);
    const { prompts } = await client.listPrompts();
    const simple = prompts.find(
      (p) => p.name.startsWith('everything__') && !(p.arguments ?? []).some((a) => a.required),
    )!;
    expect(simple).toBeDefined();
    const got = await client.getPrompt({ name: simple.name });
    expect(got.messages.length).toBeGreaterThan(0);
  });

  it('answers an unknown tool with a JSON-RPC error and keeps serving', async () => {
    await using client = await connectClient(url);
    await expect(client.callTool({ name: 'everything__nope', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('No tool named "everything__nope"'),
    });
    expect((await client.listTools()).tools.length).toBeGreaterThan(30);
  });
});
