import { describe, expect, it } from 'vitest';
import { everythingServer } from '@mcp-gateway/examples';
import type { BackendSettings } from '@mcp-gateway/core';
import { Supervisor } from '../src/index';

const everything: BackendSettings = {
  name: 'everything',
  description: 'reference server',
  target: { kind: 'stdio', command: process.execPath, args: [everythingServer], env: {}, cwd: undefined },
  timeouts: { startMs: 10_000, requestMs: 10_000, idleMs: 0 },
  isolation: 'shared',
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Supervisor with server-everything over stdio', () => {
  it('starts on first use, counts tools, and leaves no process after close', async () => {
    const supervisor = new Supervisor({ backends: { everything } });
    const pidsBefore = new Set((await import('node:fs')).readdirSync('/proc').filter((e) => /^\d+$/.test(e)));
    const connection = await supervisor.acquire('everything');
    expect(
      await connection.request('tools/call', { name: 'get-sum', arguments: { a: 1, b: 2 } }),
    ).toMatchObject({
      content: [{ type: 'text', text: expect.stringContaining('3') }],
    });
    await expect.poll(() => supervisor.health().everything!.tools_cached).toBe(17);
    const started = (await import('node:fs'))
      .readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e) && !pidsBefore.has(e))
      .map(Number);
    await supervisor.close();
    expect(started.filter(alive)).toEqual([]);
    expect(supervisor.health().everything!.state).toBe('stopped');
  });
});
