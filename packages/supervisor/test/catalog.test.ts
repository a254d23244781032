import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendCatalog, CatalogSnapshots } from '@mcp-gateway/core';
import { Supervisor } from '../src/index';
import { FakeConnection, settings } from './fake-connection';

const stateDir = () => mkdtempSync(join(tmpdir(), 'mcpgw-state-'));

describe('catalog', () => {
  it('keeps good tools and skips a tool without a name or schema object, keeping schemas as sent', async () => {
    const tools = [
      { name: 'ok', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'gitlab_style', inputSchema: { properties: { id: { type: 'string' } } } }, // no "type": kept as sent
      { name: 'broken', inputSchema: 'not a schema' },
      { inputSchema: { type: 'object' } },
    ];
    await using supervisor = new Supervisor({
      backends: { a: settings('a') },
      connect: async () => new FakeConnection('a', tools),
    });
    const catalog = await supervisor.load('a');
    expect(catalog.tools).toEqual([tools[0], tools[1]]);
    expect(supervisor.health().a!.tools_cached).toBe(2);
  });

  it('persists under the state directory and serves it after a restart without starting the backend', async () => {
    const dir = stateDir();
    {
      await using first = new Supervisor({
        backends: { a: settings('a') },
        connect: async () => new FakeConnection('a'),
        stateDir: dir,
      });
      await first.warm();
      expect(first.get('a')!.tools.map((t) => t.name)).toEqual(['t0', 't1']);
    }
    let started = 0;
    await using second = new Supervisor({
      backends: { a: settings('a') },
      connect: async () => (started++, new FakeConnection('a')),
      stateDir: dir,
    });
    expect((await second.load('a')).tools.map((t) => t.name)).toEqual(['t0', 't1']);
    expect([started, second.health().a!.state, second.health().a!.tools_cached]).toEqual([
      0,
      'configured',
      2,
    ]);
  });

  it('ignores a cache written for a different command', async () => {
    const dir = stateDir();
    {
      await using first = new Supervisor({
        backends: { a: settings('a', 0, 'old') },
        connect: async () => new FakeConnection('a'),
        stateDir: dir,
      });
      await first.warm();
    }
    await using second = new Supervisor({
      backends: { a: settings('a', 0, 'new') },
      connect: async () => new FakeConnection('a'),
      stateDir: dir,
    });
    expect(second.get('a')).toBeUndefined();
  });

  it('refreshes on list_changed and tells listeners', async () => {
    const connection = new FakeConnection('a');
    await using supervisor = new Supervisor({
      backends: { a: settings('a') },
      connect: async () => connection,
    });
    await supervisor.load('a');
    const changed: string[] = [];
    supervisor.onChange((name) => changed.push(name));
    connection.tools = [{ name: 'fresh', inputSchema: { type: 'object' } }];
    connection.emit('notifications/tools/list_changed');
    await expect.poll(() => supervisor.get('a')!.tools.map((t) => t.name)).toEqual(['fresh']);
    expect(changed).toEqual(['a']);
  });

  it('warm() fills every missing catalog and leaves out a backend that fails', async () => {
    await using supervisor = new Supervisor({
      backends: { a: settings('a'), b: settings('b') },
      connect: async (s) => {
        if (s.name === 'b') throw new Error('spawn ENOENT');
        return new FakeConnection(s.name);
      },
    });
    await supervisor.warm();
    expect([supervisor.get('a')?.tools.length, supervisor.get('b')]).toEqual([2, undefined]);
  });

  it("warm() takes another replica's shared snapshot for the same settings instead of starting the backend", async () => {
    const stored = new Map<string, BackendCatalog>();
    const shared: CatalogSnapshots = {
      read: async (backend, fingerprint) => stored.get(`${backend}:${fingerprint}`),
      write: async (backend, fingerprint, catalog) => void stored.set(`${backend}:${fingerprint}`, catalog),
    };
    {
      await using first = new Supervisor({
        backends: { a: settings('a') },
        connect: async () => new FakeConnection('a'),
        sharedCatalog: shared,
      });
      await first.warm();
    }
    expect(stored.size).toBe(1);
    let started = 0;
    const changed: string[] = [];
    await using second = new Supervisor({
      backends: { a: settings('a'), b: settings('b', 0, 'other') },
      connect: async (s) => (started++, new FakeConnection(s.name)),
      sharedCatalog: shared,
    });
    second.onChange((name) => changed.push(name));
    await second.warm();
    // a came from the snapshot (nothing started for it); b had none and was started to be learned.
    expect([second.get('a')!.tools.map((t) => t.name), started, second.health().a!.state]).toEqual([
      ['t0', 't1'],
      1,
      'configured',
    ]);
    expect(changed.sort()).toEqual(['a', 'b']);
  });

  it('warm() starts the backend when the shared snapshots cannot be read, or are for other settings', async () => {
    for (const read of [
      async () => Promise.reject(new Error('Connection is closed.')),
      async () => undefined,
    ]) {
      let started = 0;
      await using supervisor = new Supervisor({
        backends: { a: settings('a') },
        connect: async () => (started++, new FakeConnection('a')),
        sharedCatalog: { read, write: async () => {} },
      });
      await supervisor.warm();
      expect([started, supervisor.get('a')?.tools.length]).toEqual([1, 2]);
    }
  });
});
