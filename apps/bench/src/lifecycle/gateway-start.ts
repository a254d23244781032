import { execFile, spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fixtureBackend, freePort, node22 } from '@mcp-gateway/examples';
import { HttpClient } from '../latency/http-client';
import { processStats } from '../proc';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const bundle = here('../../../gateway/dist/bin.js');

/**
 * The ways users run the CLI: the bundle (`pnpm start`, the installed package) on this machine's Node and on Node 22
 * (the container image's, which keeps a compile cache), and the source under tsx (`pnpm mcp-gateway`).
 */
const BUILDS = {
  'bundled CLI': { node: process.execPath, args: [bundle] },
  'bundled CLI, Node 22': { node: node22, args: [bundle] },
  'from source (tsx)': {
    node: process.execPath,
    args: [`--import=${import.meta.resolve('tsx')}`, here('../../../gateway/src/bin.ts')],
  },
} as const;

export interface GatewayStart {
  build: keyof typeof BUILDS;
  node: string;
  runs: number;
  /** Process start → first `/health` 200, median; the backend is not started (its catalog is cached). */
  coldStartMs: number;
  /** The same with this machine's NODE_EXTRA_CA_CERTS set, which makes Node load a CA bundle at every start. */
  coldStartExtraCaMs: number;
  /** RSS once `/health` answers, before any call. */
  rssIdleMb: number;
  /** RSS after `calls` echo calls through `/mcp/fixture`, 8 at a time. */
  rssLoadedMb: number;
  calls: number;
}

/** Polls `/health` over a fresh connection every 2 ms until it answers 200. */
async function healthy(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.once('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`the gateway on port ${port} never answered /health`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function startOnce(build: keyof typeof BUILDS, config: string, extraCa: boolean, cacheDir: string) {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: cacheDir };
  if (!extraCa) delete env.NODE_EXTRA_CA_CERTS;
  const { node, args } = BUILDS[build];
  const started = performance.now();
  const child = spawn(node, [...args, '--config', config, '--port', String(port)], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  await healthy(port, started + 30_000);
  const ms = performance.now() - started;
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGTERM');
    });
  return { ms, port, pid: child.pid!, stop };
}

function version(node: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(node, ['--version'], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Cold start and memory of the CLI as users run it, bundled and from source, on a config with one stdio backend
 * whose catalog is cached (so no backend starts): `runs` starts each, with and without NODE_EXTRA_CA_CERTS, then
 * one run is loaded with `calls` calls for its RSS.
 */
export async function gatewayStarts(runs: number, calls: number): Promise<GatewayStart[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-start-'));
  const config = join(dir, 'servers.yaml');
  writeFileSync(
    config,
    `state_dir: ${join(dir, 'state')}\nlog_level: warn\nbackends:\n  fixture:\n    command: "${process.execPath} ${fixtureBackend}"\n`,
  );
  const cacheDir = join(dir, 'compile-cache');
  const builds = Object.keys(BUILDS) as (keyof typeof BUILDS)[];
  const timings = new Map(builds.map((build) => [build, { plain: [] as number[], extraCa: [] as number[] }]));
  // Round by round, every build in turn, so that the machine's noise falls on all of them alike. Round 0 fills the
  // catalog cache (the warm-up starts the backend) and, on Node 22, the compile cache; it is not counted.
  for (let round = 0; round <= runs; round++) {
    for (const build of builds) {
      for (const extraCa of [false, true]) {
        const run = await startOnce(build, config, extraCa, cacheDir);
        if (round === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
        else timings.get(build)![extraCa ? 'extraCa' : 'plain'].push(run.ms);
        await run.stop();
      }
    }
  }
  const results: GatewayStart[] = [];
  for (const build of builds) {
    const run = await startOnce(build, config, false, cacheDir);
    try {
      const rssIdleMb = processStats(run.pid).rssMb;
      const client = await HttpClient.connect(new URL(`http://127.0.0.1:${run.port}/mcp/fixture`));
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < calls)
            await client.call('tools/call', { name: 'echo', arguments: { message: 'ping' } });
        }),
      );
      await client.close();
      const { plain, extraCa } = timings.get(build)!;
      results.push({
        build,
        node: (await version(BUILDS[build].node)).trim(),
        runs,
        coldStartMs: round1(median(plain)),
        coldStartExtraCaMs: round1(median(extraCa)),
        rssIdleMb,
        rssLoadedMb: processStats(run.pid).rssMb,
        calls,
      });
    } finally {
      await run.stop();
    }
  }
  return results;
}
