import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../src/index';
import { FakeConnection, settings } from './fake-connection';

describe('Supervisor.reconfigure (a config reload)', () => {
  it('keeps unchanged backends running, restarts changed ones, stops removed ones and adds new ones', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'mcpgw-reload-'));
    const connections: FakeConnection[] = [];
    const connect = async (s: { name: string }) =>
      connections[connections.push(new FakeConnection(s.name)) - 1]!;
    await using supervisor = new Supervisor({
      backends: { keep: settings('keep'), change: settings('change'), drop: settings('drop') },
      connect,
      stateDir,
    });
    await supervisor.warm();
    const [keep, change, drop] = connections;
    const own = await supervisor.acquire('drop', 'session-1'); // shared isolation: the shared connection
    expect(own.session).toBeUndefined();
    const heard: string[] = [];
    supervisor.onChange((backend) => heard.push(backend));

    const result = await supervisor.reconfigure({
      add: settings('add'),
      keep: { ...settings('keep'), description: 'a new description' },
      change: settings('change', 0, 'another command'),
    });

    expect(result).toEqual({ added: ['add'], removed: ['drop'], changed: ['change'], unchanged: ['keep'] });
    expect([keep!.isClosed, change!.isClosed, drop!.isClosed]).toEqual([false, true, true]);
    expect(supervisor.list()).toEqual([
      { name: 'add', description: 'add backend', state: 'configured' },
      { name: 'keep', description: 'a new description', state: 'ready' },
      { name: 'change', description: 'change backend', state: 'configured' },
    ]);
    expect([
      supervisor.has('drop'),
      supervisor.get('drop'),
      existsSync(join(stateDir, 'catalog/drop.json')),
    ]).toEqual([false, undefined, false]);
    expect(supervisor.get('keep')!.tools).toHaveLength(2);
    expect(supervisor.get('change')).toBeUndefined(); // reached differently now: learned again on start
    expect(heard.sort()).toEqual(['add', 'change', 'drop']);
    expect(await supervisor.acquire('keep')).toMatchObject({ backend: 'keep' });
    expect(connections).toHaveLength(3); // the kept connection served it; nothing new started
    await supervisor.acquire('change');
    expect(connections.at(-1)!.backend).toBe('change');
  });

  it('closes the per-session connections of a removed backend', async () => {
    const connections: FakeConnection[] = [];
    const connect = async (s: { name: string }) =>
      connections[connections.push(new FakeConnection(s.name)) - 1]!;
    const perSession = { ...settings('p'), isolation: 'per-session' as const };
    await using supervisor = new Supervisor({ backends: { p: perSession, q: settings('q') }, connect });
    expect((await supervisor.acquire('p', 'session-1')).session).toBe('session-1');
    await supervisor.reconfigure({ q: settings('q') });
    expect(connections.map((c) => [c.backend, c.isClosed])).toEqual([['p', true]]);
    expect(supervisor.health()).toEqual({ q: expect.objectContaining({ state: 'configured', sessions: 0 }) });
  });
});
