import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  debianProgram,
  fixtureBackend,
  freePort,
  nginxSite,
  rawLegacySession,
  startNginx,
  startRedis,
  stopGroup,
  waitFor,
} from '@mcp-gateway/examples';
import { HttpClient } from '../latency/http-client';

const gatewayBin = fileURLToPath(new URL('../../../gateway/dist/bin.js', import.meta.url));
const CONCURRENCY = 32;

export interface FleetFigures {
  repetitions: number;
  callsPerRun: number;
  concurrency: number;
  /** `echo` calls per second, 32 clients at once: straight to one replica, and through nginx to one and to three. */
  throughput: { era: 'modern' | 'legacy'; direct: number; nginxOne: number; nginxThree: number }[];
  /** A legacy session's streamed calls (every answer an SSE event, stored), one gateway, by event store. */
  eventStore: { store: 'in memory' | 'Redis'; p50Ms: number; callsPerS: number }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const echo = { name: 'echo', arguments: { message: 'ping' } };

/**
 * Gateway replicas behind real nginx (`deploy/nginx` as shipped) sharing a real redis-server: calls per second
 * through nginx with one replica and with three, in the same run and interleaved, beside one replica without
 * nginx; and what the Redis event store costs a streamed call against the in-memory one. Every process here shares
 * this machine's cores with the others and with the clients, so the ratio says what a fleet gains on one machine.
 */
export async function fleetBench(quick: boolean): Promise<FleetFigures> {
  const repetitions = quick ? 1 : 3;
  const calls = quick ? 300 : 3000;
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-fleet-'));
  const [nginxBin, redisBin] = [
    await debianProgram('nginx', 'nginx'),
    await debianProgram('redis-server', 'redis-server'),
  ];
  const children: ChildProcess[] = [];
  const started = <T extends ChildProcess>(child: T) => (children.push(child), child);
  try {
    const redisPort = await freePort();
    started(startRedis(redisBin, redisPort));
    const redis = `redis: { url: "redis://127.0.0.1:${redisPort}" }\n`;
    const ports = [await freePort(), await freePort(), await freePort()] as [number, number, number];
    const fleetConfig = config(dir, 'fleet', redis);
    ports.forEach((port, i) => started(gateway(fleetConfig, port, `r${i + 1}`)));
    const [three, one] = [await freePort(), await freePort()];
    for (const [name, front, upstreams] of [
      ['three', three, ports],
      ['one', one, [ports[0], ports[0], ports[0]]],
    ] as const) {
      const home = join(dir, `nginx-${name}`);
      mkdirSync(home);
      started(startNginx(nginxBin, home, nginxSite(front, upstreams as [number, number, number])));
    }
    const [memoryPort, redisStorePort] = [await freePort(), await freePort()];
    started(gateway(config(dir, 'memory', ''), memoryPort));
    started(gateway(config(dir, 'redis', redis), redisStorePort));
    for (const port of [...ports, three, one, memoryPort, redisStorePort])
      await waitFor(
        'a gateway or nginx',
        async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
        60_000,
      );
    await storesEvents(redisStorePort);

    const url = (port: number) => new URL(`http://127.0.0.1:${port}/mcp/fixture`);
    const runs = {
      modern: { direct: [] as number[], nginxOne: [] as number[], nginxThree: [] as number[] },
      legacy: { direct: [] as number[], nginxOne: [] as number[], nginxThree: [] as number[] },
    };
    const stores = {
      memory: { p50: [] as number[], tput: [] as number[] },
      redis: { p50: [] as number[], tput: [] as number[] },
    };
    for (let rep = 0; rep <= repetitions; rep++) {
      const measured = rep > 0; // the first pass warms every path up
      for (const era of ['modern', 'legacy'] as const)
        for (const [where, port] of [
          ['direct', ports[0]],
          ['nginxOne', one],
          ['nginxThree', three],
        ] as const) {
          const open = () =>
            era === 'modern' ? Promise.resolve(HttpClient.modern(url(port))) : HttpClient.connect(url(port));
          const rate = await throughput(open, calls);
          if (measured) runs[era][where].push(rate);
        }
      for (const [store, port] of [
        ['memory', memoryPort],
        ['redis', redisStorePort],
      ] as const) {
        const open = () => HttpClient.connect(url(port));
        const p50 = await sequentialP50(await open(), quick ? 200 : 1000);
        const rate = await throughput(open, calls, true);
        if (!measured) continue;
        stores[store].p50.push(p50);
        stores[store].tput.push(rate);
      }
      console.error(`bench: replicas: ${measured ? `repetition ${rep} of ${repetitions}` : 'warmed up'}`);
    }
    return {
      repetitions,
      callsPerRun: calls,
      concurrency: CONCURRENCY,
      throughput: (['modern', 'legacy'] as const).map((era) => ({
        era,
        direct: Math.round(median(runs[era].direct)),
        nginxOne: Math.round(median(runs[era].nginxOne)),
        nginxThree: Math.round(median(runs[era].nginxThree)),
      })),
      eventStore: [
        {
          store: 'in memory',
          p50Ms: Number(median(stores.memory.p50).toFixed(3)),
          callsPerS: Math.round(median(stores.memory.tput)),
        },
        {
          store: 'Redis',
          p50Ms: Number(median(stores.redis.p50).toFixed(3)),
          callsPerS: Math.round(median(stores.redis.tput)),
        },
      ],
    };
  } finally {
    for (const child of children.reverse()) await stopGroup(child);
  }
}

/** A config file with the fixture backend (each gateway runs its own over stdio). */
function config(dir: string, name: string, extra: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `state_dir: ${JSON.stringify(join(dir, `${name}-state`))}\nlog_level: warn\n${extra}backends:\n  fixture:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(fixtureBackend)}]\n`,
  );
  return path;
}

/** The bundled CLI, as a replica when `replica` is given. */
function gateway(config: string, port: number, replica?: string): ChildProcess {
  const args = [
    gatewayBin,
    '--config',
    config,
    '--port',
    String(port),
    ...(replica ? ['--replica', replica] : []),
  ];
  return spawn(process.execPath, args, { stdio: 'ignore', detached: true });
}

/** Calls per second of `calls` echo calls from 32 clients at once, each its own session (or modern client). */
async function throughput(open: () => Promise<HttpClient>, calls: number, streamed = false): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, open));
  let next = 0;
  let token = 0;
  const start = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next++ < calls)
        await client.call('tools/call', streamed ? { ...echo, _meta: { progressToken: ++token } } : echo);
    }),
  );
  const rate = calls / ((performance.now() - start) / 1000);
  await Promise.all(clients.map((client) => client.close()));
  return rate;
}

/** The median time of `calls` streamed echo calls one after another on one session. */
async function sequentialP50(client: HttpClient, calls: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await client.call('tools/call', { ...echo, _meta: { progressToken: i } });
    times.push(performance.now() - start);
  }
  await client.close();
  return median(times);
}

/** Checks that a streamed call's events get ids (they are stored): else the Redis figure would measure nothing. */
async function storesEvents(port: number): Promise<void> {
  const { post } = await rawLegacySession(`http://127.0.0.1:${port}/mcp/fixture`);
  const call = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { ...echo, _meta: { progressToken: 1 } },
  };
  const body = await (await post(call)).text();
  if (!/^id: ./m.test(body))
    throw new Error(`bench: the Redis-backed gateway streamed no event ids: ${body.slice(0, 200)}`);
}
