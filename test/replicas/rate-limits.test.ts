import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  debianProgram,
  fixtureBackend,
  freePort,
  modernRequest,
  startRedis as startRedisAt,
  stopGroup as stop,
  waitFor,
} from '@mcp-gateway/examples';
import { startReplica, within } from './replica';

/** Two replicas (real CLI processes, one config file with `rate_limit`) sharing their buckets in a real redis-server. */
const dir = mkdtempSync(join(tmpdir(), 'mcpgw-limits-'));
let redis: ChildProcess;
let redisBin: string;
let redisPort: number;

const startRedis = () => startRedisAt(redisBin, redisPort);

describe('two replicas sharing rate-limit buckets in Redis', () => {
  const ports: number[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    redisBin = await debianProgram('redis-server', 'redis-server');
    redisPort = await freePort();
    redis = startRedis();
    const config = join(dir, 'limited.yaml');
    // One token every 20 s, four at most: the test's few seconds refill none.
    writeFileSync(
      config,
      `state_dir: ${JSON.stringify(join(dir, 'limited-state'))}\nredis: { url: "redis://127.0.0.1:${redisPort}", prefix: "limits:" }\nrate_limit: { rate: 0.05, burst: 4 }\nbackends:\n  fixture:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(fixtureBackend)}]\n`,
    );
    for (const name of ['l1', 'l2']) {
      const port = await freePort();
      ports.push(port);
      children.push(startReplica(name, port, config));
    }
    for (const port of ports)
      await waitFor(
        'a replica',
        async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
        60_000,
      );
  }, 120_000);

  afterAll(async () => {
    for (const child of [...children, redis]) if (child) await stop(child);
  });

  /** A modern-era call straight to replica `i`: its HTTP status, and Retry-After on a 429. */
  const call = async (i: number) => {
    const response = await fetch(`http://127.0.0.1:${ports[i]}/mcp/fixture`, {
      method: 'POST',
      ...modernRequest('tools/call', { name: 'echo', arguments: { message: 'limited' } }),
    });
    await response.text();
    return response.status === 429 ? `429 after ${response.headers.get('retry-after')} s` : response.status;
  };
  const alternating = async (count: number) => {
    const statuses = [];
    for (let i = 0; i < count; i++) statuses.push(await call(i % 2));
    return statuses;
  };

  it("counts a client's requests on every replica in one bucket; each counts its own while Redis is away", async () => {
    expect(await alternating(6)).toEqual([200, 200, 200, 200, '429 after 20 s', '429 after 20 s']);

    await stop(redis);
    // Each replica falls back to its own bucket (full): more gets through meanwhile, never an error.
    expect(await alternating(10)).toEqual([...Array(8).fill(200), '429 after 20 s', '429 after 20 s']);

    redis = startRedis(); // empty: the shared bucket is full again
    // Both local buckets are spent, so a 200 from a replica shows it takes from Redis again.
    for (const i of [0, 1])
      await waitFor(`replica ${i} back on the shared bucket`, async () =>
        (await call(i)) === 200 ? true : undefined,
      );
    expect(await alternating(4)).toEqual([200, 200, '429 after 20 s', '429 after 20 s']);
  });

  it('answers from its own bucket, without waiting, while Redis hangs', async () => {
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      // Both local buckets were spent while Redis was away, and the seconds since refilled less than a token.
      expect(await within(10_000, alternating(4))).toEqual(
        Array(4).fill(expect.stringMatching(/^429 after \d+ s$/)),
      );
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
  });
});
