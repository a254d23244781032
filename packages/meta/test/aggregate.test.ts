import { describe, expect, it } from 'vitest';
import type { BackendCatalog, BackendConnection, BackendRegistry, Catalog } from '@mcp-gateway/core';
import { AggregateTools, MAX_TOOL_NAME, namespacedName } from '../src/index';

const tool = (name: string) => ({ name, inputSchema: { type: 'object' } });

/** Fakes of core's BackendRegistry and Catalog over fixed data; `acquire` echoes what it was asked. */
function sources(catalogs: Record<string, BackendCatalog['tools'] | undefined>) {
  const calls: unknown[] = [];
  const registry: BackendRegistry = {
    list: () => Object.keys(catalogs).map((name) => ({ name, description: '', state: 'ready' })),
    has: (name) => name in catalogs,
    release: async () => {},
    acquire: async (backend) =>
      ({
        backend,
        initializeResult: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          serverInfo: { name: backend, version: '1' },
        },
        request: async (method: string, params: unknown) => (
          calls.push({ backend, method, params }),
          { content: [] }
        ),
        notify: async () => {},
      }) as BackendConnection,
    health: () => ({}),
    onEvent: () => () => {},
  };
  const catalog: Catalog = {
    get: (backend) => {
      const tools = catalogs[backend];
      return tools && { backend, tools, resources: [], resourceTemplates: [], prompts: [], updatedAt: '' };
    },
    load: async () => {
      throw new Error('unused');
    },
    onChange: () => () => {},
    pending: () => [],
    settle: async () => {},
  };
  return { registry, catalog, calls };
}

describe('namespacedName', () => {
  it('is backend__tool when it fits, and a stable, unique, 64-character form when it does not', () => {
    expect(namespacedName('github', 'create_issue')).toBe('github__create_issue');
    const long = 'x'.repeat(70);
    const a = namespacedName('backend', `${long}_a`);
    const b = namespacedName('backend', `${long}_b`);
    expect([a.length, b.length, a === b, a === namespacedName('backend', `${long}_a`)]).toEqual([
      MAX_TOOL_NAME,
      MAX_TOOL_NAME,
      false,
      true,
    ]);
  });
});

describe('AggregateTools', () => {
  it('lists every cached tool in configuration order, leaving out backends without a catalog', () => {
    const { registry, catalog } = sources({
      b: [tool('one'), tool('two')],
      down: undefined,
      a: [tool('three')],
    });
    expect(new AggregateTools({ registry, catalog }).list().map((t) => t.name)).toEqual([
      'b__one',
      'b__two',
      'a__three',
    ]);
  });

  it('keeps the list byte-stable while nothing changes and reports changes', () => {
    const data: Record<string, BackendCatalog['tools'] | undefined> = { a: [tool('one')] };
    const { registry, catalog } = sources(data);
    const aggregate = new AggregateTools({ registry, catalog });
    const first = JSON.stringify(aggregate.list());
    expect([aggregate.rebuild(), JSON.stringify(aggregate.list()) === first]).toEqual([[], true]);
    data.a = [{ ...tool('one'), description: 'changed' }, tool('new')];
    expect([aggregate.rebuild(), aggregate.list().map((t) => t.name)]).toEqual([
      [
        ['a', 'one'],
        ['a', 'new'],
      ],
      ['a__one', 'a__new'],
    ]);
    data.a = [tool('new')];
    expect(aggregate.rebuild()).toEqual([['a', 'one']]);
  });

  it('routes a namespaced call to its backend under the original name, and refuses unknown names', async () => {
    const { registry, catalog, calls } = sources({ a: [tool('x'.repeat(70))] });
    const aggregate = new AggregateTools({ registry, catalog });
    const [listed] = aggregate.list();
    await aggregate.call(listed!.name, { q: 1 }, { progressToken: 7 });
    expect(calls).toEqual([
      {
        backend: 'a',
        method: 'tools/call',
        params: { name: 'x'.repeat(70), arguments: { q: 1 }, _meta: { progressToken: 7 } },
      },
    ]);
    await expect(aggregate.call('a__nope', {})).rejects.toThrow('No tool named "a__nope"');
  });
});

describe('namespaced resource URIs', () => {
  it('round-trip, keep template variables, and refuse anything else', async () => {
    const { namespacedUri, parseNamespacedUri } = await import('../src/index');
    const uri = namespacedUri('everything', 'test://static/resource/{id}');
    expect(uri).toBe('gateway://everything/test://static/resource/{id}');
    expect(parseNamespacedUri(uri.replace('{id}', '7'))).toEqual({
      backend: 'everything',
      uri: 'test://static/resource/7',
    });
    expect([parseNamespacedUri('file:///etc/passwd'), parseNamespacedUri('gateway://../x')]).toEqual([
      undefined,
      undefined,
    ]);
  });
});
