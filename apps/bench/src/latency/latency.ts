import { performance } from 'node:perf_hooks';
import { processStats } from '../proc';
import {
  BACKENDS,
  directHttp,
  directStdio,
  directStdioSdk,
  gateway,
  mcpProxy,
  minimalRelay,
  supergateway,
  type BenchBackend,
  type Target,
} from './targets';

export interface TargetFigures {
  target: string;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Calls per second at 1, 8 and 32 concurrent calls on one session. */
  throughput: Record<'1' | '8' | '32', number>;
  /** Null where the backend has no payload tool. */
  payload100kP50Ms: number | null;
  payload1mP50Ms: number | null;
  /** RSS of the process in the middle after the call runs, and after the payload runs; null for direct. */
  rssSteadyMb: number | null;
  rssAfterPayloadsMb: number | null;
  cpuMsPerCall: number | null;
  /** Whether two clients at once each got their own answers and no one else's; null for direct targets. */
  safeWithTwoClients: boolean | null;
}

export interface BackendLatency {
  backend: BenchBackend['name'];
  targets: TargetFigures[];
}

export interface LatencyFigures {
  repetitions: number;
  sequentialCallsPerRepetition: number;
  backends: BackendLatency[];
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function sequential(target: Target, calls: number, bytes?: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await target.call(bytes);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

async function throughput(target: Target, concurrency: number, calls: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) await target.call();
    }),
  );
  return calls / ((performance.now() - start) / 1000);
}

/**
 * The targets measured for each backend: direct, the gateway's ways in, a minimal relay for reference, and every
 * peer in each of its modes. The quick run keeps direct, the gateway's two main paths and each peer's fastest mode.
 */
function targetsFor(backend: BenchBackend, quick: boolean): (() => Promise<Target>)[] {
  const peers = [
    () => mcpProxy(backend, 'http'),
    () => mcpProxy(backend, 'sse'),
    () => supergateway(backend, 'http'),
    () => supergateway(backend, 'sse'),
  ];
  if (quick)
    return [
      () => directStdio(backend),
      () => gateway(backend, 'json'),
      () => gateway(backend, 'invoke'),
      () => gateway(backend, 'traced'),
      () => mcpProxy(backend, 'sse'),
      () => supergateway(backend, 'sse'),
    ];
  if (backend.name === 'everything')
    return [
      () => directStdio(backend),
      directHttp,
      () => gateway(backend, 'json'),
      () => gateway(backend, 'sse'),
      () => gateway(backend, 'legacy-sse'),
      ...peers,
    ];
  return [
    () => directStdio(backend),
    () => directStdioSdk(backend),
    ...(['json', 'modern', 'sse', 'legacy-sse', 'sdk', 'invoke', 'api-key', 'jwt', 'traced'] as const).map(
      (path) => () => gateway(backend, path),
    ),
    () => minimalRelay(backend),
    ...peers,
  ];
}

/**
 * Proxy latency and throughput of every target against the same backend, in one run, interleaved target by
 * target within each repetition so that machine noise lands on all of them alike. Medians over repetitions.
 */
export async function measureLatency(quick: boolean): Promise<LatencyFigures> {
  const repetitions = quick ? 2 : 3;
  const calls = quick ? 300 : 2000;
  const backends = quick ? [BACKENDS.fixture] : [BACKENDS.fixture, BACKENDS.everything];
  const results: BackendLatency[] = [];
  for (const backend of backends) {
    const targets: Target[] = [];
    try {
      for (const start of targetsFor(backend, quick)) {
        targets.push(await start());
        console.error(`bench: latency: ${backend.name}: ${targets.at(-1)!.name} is up`);
      }
      results.push({
        backend: backend.name,
        targets: await measureTargets(targets, backend, repetitions, calls, quick),
      });
    } finally {
      await Promise.all(targets.map((t) => t.close().catch(() => {})));
    }
  }
  return { repetitions, sequentialCallsPerRepetition: calls, backends: results };
}

async function measureTargets(
  targets: Target[],
  backend: BenchBackend,
  repetitions: number,
  calls: number,
  quick: boolean,
): Promise<TargetFigures[]> {
  for (const target of targets) {
    for (let i = 0; i < (quick ? 200 : 1000); i++) await target.call(); // warm-up
    console.error(`bench: latency: ${backend.name}: ${target.name} warmed up`);
  }
  const seq = new Map(targets.map((t) => [t.name, [] as number[][]]));
  const tput = new Map(
    targets.map((t) => [t.name, { '1': [] as number[], '8': [] as number[], '32': [] as number[] }]),
  );
  const cpu = new Map<string, number[]>();
  for (let rep = 0; rep < repetitions; rep++) {
    for (const target of targets) {
      const before = target.pid ? processStats(target.pid).cpuMs : 0;
      seq.get(target.name)!.push(await sequential(target, calls));
      if (target.pid)
        cpu.set(target.name, [
          ...(cpu.get(target.name) ?? []),
          (processStats(target.pid).cpuMs - before) / calls,
        ]);
    }
    for (const concurrency of [1, 8, 32] as const) {
      for (const target of targets)
        tput.get(target.name)![concurrency].push(await throughput(target, concurrency, quick ? 300 : 3000));
    }
  }
  const figures: TargetFigures[] = [];
  for (const target of targets) {
    const runs = seq.get(target.name)!;
    const t = tput.get(target.name)!;
    const rssSteadyMb = target.pid ? processStats(target.pid).rssMb : null;
    const payload = async (bytes: number, count: number) =>
      backend.payloads ? round(percentile(await sequential(target, count, bytes), 0.5), 2) : null;
    figures.push({
      target: target.name,
      p50Ms: round(median(runs.map((r) => percentile(r, 0.5)))),
      p90Ms: round(median(runs.map((r) => percentile(r, 0.9)))),
      p99Ms: round(median(runs.map((r) => percentile(r, 0.99)))),
      throughput: {
        '1': Math.round(median(t['1'])),
        '8': Math.round(median(t['8'])),
        '32': Math.round(median(t['32'])),
      },
      payload100kP50Ms: await payload(100_000, quick ? 10 : 50),
      payload1mP50Ms: await payload(1_000_000, quick ? 5 : 20),
      rssSteadyMb,
      rssAfterPayloadsMb: target.pid ? processStats(target.pid).rssMb : null,
      cpuMsPerCall: target.pid ? round(median(cpu.get(target.name)!), 3) : null,
      safeWithTwoClients: target.twoClientsSafe ? await target.twoClientsSafe() : null,
    });
  }
  return figures;
}
