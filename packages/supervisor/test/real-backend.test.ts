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
