import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index';
import { connectClient, startExampleGateway } from './helpers';

type Text = {
  content: { type: string; text: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
};

describe('meta mode on /mcp (example config, real backends)', () => {
  let gateway: Gateway;
  let url: URL;

  beforeAll(async () => {
    ({ gateway, url } = await startExampleGateway('meta'));
  });
  afterAll(() => gateway.close());

  it('lists exactly the four meta-tools', async () => {
    await using client = await connectClient(url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'gateway_list_servers',
      'gateway_list_tools',
      'gateway_search_tools',
      'gateway_invoke',
    ]);
    expect(client.getInstructions()).toContain('gateway_search_tools');
  });

  it('lists servers with their state and tool counts', async () => {
    await using client = await connectClient(url);
    const result = (await client.callTool({ name: 'gateway_list_servers', arguments: {} })) as Text;
    expect(result.structuredContent).toEqual({
      servers: [
        {
          name: 'everything',
          description: expect.stringContaining('MCP reference server'),
          state: 'ready',
          tools: 17,
        },
        { name: 'memory', description: expect.stringContaining('Knowledge-graph'), state: 'ready', tools: 9 },
        {
          name: 'filesystem',
          description: expect.stringContaining('examples/scratch'),
          state: 'ready',
          tools: expect.any(Number),
        },
      ],
    });
  });

  it('finds the right tool by search, then invokes it and returns the backend result unchanged', async () => {
    await using client = await connectClient(url);
    const found = (await client.callTool({
      name: 'gateway_search_tools',
      arguments: { query: 'add two numbers', limit: 3 },
    })) as Text;
    const results = (
      found.structuredContent as { results: { server: string; name: string; required: string[] }[] }
    ).results;
    expect(results[0]).toMatchObject({ server: 'everything', name: 'get-sum', required: ['a', 'b'] });
    const invoked = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'get-sum', arguments: { a: 20, b: 22 } },
    });
    expect(invoked).toEqual({ content: [{ type: 'text', text: 'The sum of 20 and 22 is 42.' }] });
  });

  it('finds memory and file tools by what they do', async () => {
    await using client = await connectClient(url);
    const search = async (query: string) =>
      ((await client.callTool({ name: 'gateway_search_tools', arguments: { query, limit: 3 } })) as Text)
        .structuredContent as {
        results: { server: string; name: string }[];
      };
    expect((await search('create entities in the knowledge graph')).results[0]).toMatchObject({
      server: 'memory',
      name: 'create_entities',
    });
    expect((await search('read a file')).results[0]).toMatchObject({ server: 'filesystem' });
    // By meaning (the static word table): a person is an entity of the graph, though no word says so.
    expect((await search('erase a person from the graph')).results[0]).toMatchObject({
      server: 'memory',
      name: 'delete_entities',
    });
  });

  it('takes the forms agents write: select:, +required words, a server named in the query', async () => {
    await using client = await connectClient(url);
    const search = async (query: string, limit = 5) => {
      const result = (await client.callTool({
        name: 'gateway_search_tools',
        arguments: { query, limit },
      })) as Text;
      return {
        text: result.content[0]!.text,
        names: (result.structuredContent as { results: { server: string; name: string }[] }).results.map(
          (r) => `${r.server}/${r.name}`,
        ),
      };
    };
    expect((await search('select:memory/create_entities, get-sum,no_such_tool')).names).toEqual([
      'memory/create_entities',
      'everything/get-sum',
    ]);
    expect((await search('select:memory/create_entities,no_such_tool')).text).toContain(
      'No tool named: no_such_tool.',
    );
    // Every result has the required word; without the mark, other tools rank too.
    const required = await search('+directory list', 10);
    expect(required.names.length).toBeGreaterThan(0);
    expect(required.names.every((n) => n.startsWith('filesystem/'))).toBe(true);
    expect((await search('list', 10)).names.some((n) => !n.startsWith('filesystem/'))).toBe(true);
    // Naming a server keeps the search on it.
    const named = await search('memory search', 5);
    expect(named.names.every((n) => n.startsWith('memory/'))).toBe(true);
    expect(named.names[0]).toBe('memory/search_nodes');
  });

  it('validates arguments against the tool schema and says which one failed', async () => {
    await using client = await connectClient(url);
    const result = (await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'get-sum', arguments: { a: 'x' } },
    })) as Text;
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(
      /^Invalid arguments for everything\/get-sum: arguments must have required property 'b'; arguments\.a must be number\. Expected input schema: \{/,
    );
  });

  it('answers unknown servers and tools with a readable error result and keeps serving', async () => {
    await using client = await connectClient(url);
    const noServer = (await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'nope', tool: 'x' },
    })) as Text;
    expect(noServer).toEqual({
      content: [{ type: 'text', text: 'No server named "nope". Servers: everything, memory, filesystem.' }],
      isError: true,
    });
    const noTool = (await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'ehco' },
    })) as Text;
    expect(noTool.isError).toBe(true);
    expect(noTool.content[0]!.text).toMatch(
      /^Server "everything" has no tool "ehco"\. Closest: everything\/echo[,.]/,
    );
    // A tool asked of the wrong server points to the server that has it.
    const elsewhere = (await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'create_entities' },
    })) as Text;
    expect(elsewhere.content[0]!.text).toContain('Closest: memory/create_entities');
    const ok = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'echo', arguments: { message: 'still here' } },
    });
    expect(ok).toEqual({ content: [{ type: 'text', text: 'Echo: still here' }] });
  });

  it('forwards progress from the backend to the client through gateway_invoke', async () => {
    await using client = await connectClient(url);
    const progress: unknown[] = [];
    await client.callTool(
      {
        name: 'gateway_invoke',
        arguments: {
          server: 'everything',
          tool: 'trigger-long-running-operation',
          arguments: { duration: 0.2, steps: 2 },
        },
      },
      { onprogress: (p) => progress.push(p) },
    );
    expect(progress).toEqual([
      { progress: 1, total: 2 },
      { progress: 2, total: 2 },
    ]);
  });
});
