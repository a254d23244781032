import { describe, expect, it } from 'vitest';
import { everythingServer, fixtureBackend, groupMembers } from '@mcp-gateway/examples';
import type { BackendSettings } from '@mcp-gateway/core';
import { Supervisor } from '../src/index';

const everything: BackendSettings = {
  name: 'everything',
  description: 'reference server',
  target: { kind: 'stdio', command: process.execPath, args: [everythingServer], env: {}, cwd: undefined },
  timeouts: { startMs: 10_000, requestMs: 10_000, idleMs: 0 },
  isolation: 'shared',
};

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Supervisor with server-everything over stdio', () => {
  it('starts on first use, counts tools, and leaves no process of the backend group after close', async () => {
    const supervisor = new Supervisor({ backends: { everything } });
    try {
      const connection = await supervisor.acquire('everything');
      expect(
        await connection.request('tools/call', { name: 'get-sum', arguments: { a: 1, b: 2 } }),
      ).toMatchObject({
        content: [{ type: 'text', text: expect.stringContaining('3') }],
      });
      await expect.poll(() => supervisor.health().everything!.tools_cached).toBe(17);
      const pid = supervisor.health().everything!.pid!;
      expect(groupAlive(pid)).toBe(true);
      await supervisor.close();
      expect([groupAlive(pid), supervisor.health().everything!.state]).toEqual([false, 'stopped']);
    } finally {
      await supervisor.close();
    }
  });
});

describe('Supervisor with a fixture that crashes after each call', () => {
  it('restarts it after the backoff, counts restarts, and never leaks a process', async () => {
    const crashing: BackendSettings = {
      ...everything,
      name: 'crashing',
      target: {
        kind: 'stdio',
        command: process.execPath,
        args: [fixtureBackend, '--crash-after', '1'],
        env: {},
        cwd: undefined,
      },
    };
    const supervisor = new Supervisor({
      backends: { crashing },
      backoff: { initialMs: 50, maxRestarts: 10 },
    });
    const pids: number[] = [];
    try {
      for (let round = 1; round <= 3; round++) {
        const connection = await supervisor.acquire('crashing');
        pids.push(supervisor.health().crashing!.pid!);
        expect(
          await connection.request('tools/call', { name: 'echo', arguments: { message: `round ${round}` } }),
        ).toEqual({
          content: [{ type: 'text', text: `round ${round}` }],
        });
        await expect(
          connection.request('tools/call', { name: 'echo', arguments: { message: 'crash' } }),
        ).rejects.toThrow(/closed the connection/);
        expect(supervisor.health().crashing).toMatchObject({ state: 'degraded', restart_count: round });
      }
      expect(new Set(pids).size).toBe(3);
    } finally {
      await supervisor.close();
    }
    expect(pids.flatMap(groupMembers)).toEqual([]);
  });
});

describe('a backend that never answers initialize', () => {
  it('fails its own start at the start timeout while another backend serves meanwhile', async () => {
    const stdio = (args: string[], startMs: number): BackendSettings => ({
      ...everything,
      target: {
        kind: 'stdio',
        command: process.execPath,
        args: [fixtureBackend, ...args],
        env: {},
        cwd: undefined,
      },
      timeouts: { ...everything.timeouts, startMs },
    });
    await using supervisor = new Supervisor({
      backends: {
        silent: { ...stdio(['--never-initialize'], 1500), name: 'silent' },
        good: { ...stdio([], 5000), name: 'good' },
      },
    });
    const silent = supervisor.acquire('silent').catch((e: unknown) => e);
    const good = await supervisor.acquire('good');
    expect(await good.request('tools/call', { name: 'echo', arguments: { message: 'not blocked' } })).toEqual(
      {
        content: [{ type: 'text', text: 'not blocked' }],
      },
    );
    expect(supervisor.health().silent!.state).toBe('starting');
    expect(await silent).toMatchObject({
      code: 'BACKEND_START_TIMEOUT',
      message: 'Backend "silent" did not answer start (initialize) within 1500 ms.',
    });
    expect(supervisor.health()).toMatchObject({ silent: { state: 'degraded' }, good: { state: 'ready' } });
  });
});
