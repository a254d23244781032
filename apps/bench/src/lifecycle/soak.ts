import { performance } from 'node:perf_hooks';
import type { BackendSettings } from '@mcp-gateway/core';
import { fixtureBackend, groupMembers } from '@mcp-gateway/examples';
import { Supervisor } from '@mcp-gateway/supervisor';

export interface SoakFigures {
  cycles: number;
  seconds: number;
  restartCount: number;
  leakedProcesses: number;
  /** Heap after GC (or RSS when GC is not exposed), early in the run and at its end, in MB. */
  memoryEarlyMb: number;
  memoryEndMb: number;
  memoryMeasure: 'heap after gc' | 'rss';
}

/**
 * Crash/restart cycles of a fixture backend that dies on every second call, under a real supervisor, bounded by
 * `cycles` and `maxSeconds`. Counts processes left alive by process group, and watches the gateway's memory.
 */
export async function soak(cycles: number, maxSeconds: number): Promise<SoakFigures> {
  const crashing: BackendSettings = {
    name: 'crashing',
    description: '',
    target: {
      kind: 'stdio',
      command: process.execPath,
      args: [fixtureBackend, '--crash-after', '1'],
      env: {},
      cwd: undefined,
    },
    timeouts: { startMs: 10_000, requestMs: 10_000, idleMs: 0 },
    isolation: 'shared',
  };
  const supervisor = new Supervisor({
    backends: { crashing },
    backoff: { initialMs: 1, maxMs: 5, maxRestarts: Number.MAX_SAFE_INTEGER },
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  const memory = () => {
    gc?.();
    return (
      Math.round(((gc ? process.memoryUsage().heapUsed : process.memoryUsage().rss) / 2 ** 20) * 10) / 10
    );
  };
  const pgids = new Set<number>();
  const start = performance.now();
  let memoryEarly = 0;
  let done = 0;
  try {
    for (; done < cycles && performance.now() - start < maxSeconds * 1000; done++) {
      const connection = await supervisor.acquire('crashing');
      pgids.add(supervisor.health().crashing!.pid!);
      await connection.request('tools/call', { name: 'echo', arguments: { message: 'ok' } });
      await connection
        .request('tools/call', { name: 'echo', arguments: { message: 'crash' } })
        .catch(() => {});
      if (done === Math.min(50, Math.floor(cycles / 10))) memoryEarly = memory();
    }
  } finally {
    await supervisor.close();
  }
  const restartCount = supervisor.health().crashing!.restart_count;
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the last exits land
  return {
    cycles: done,
    seconds: Math.round((performance.now() - start) / 100) / 10,
    restartCount,
    leakedProcesses: [...pgids].flatMap(groupMembers).length,
    memoryEarlyMb: memoryEarly,
    memoryEndMb: memory(),
    memoryMeasure: gc ? 'heap after gc' : 'rss',
  };
}
