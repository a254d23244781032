import { performance } from 'node:perf_hooks';
import type { BackendSettings, BackendTarget } from '@mcp-gateway/core';
import { everythingServer, fixtureBackend, startEverythingHttp } from '@mcp-gateway/examples';
import { connectBackend } from '@mcp-gateway/transports';

export interface ColdStart {
  backend: string;
  runs: number;
  medianMs: number;
}

const settings = (target: BackendTarget): BackendSettings => ({
  name: 'cold',
  description: '',
  target,
  timeouts: { startMs: 20_000, requestMs: 20_000, idleMs: 0 },
  isolation: 'shared',
});

async function time(target: BackendTarget): Promise<number> {
  const start = performance.now();
  const upstream = await connectBackend(settings(target));
  await upstream.request('tools/list', {});
  const ms = performance.now() - start;
  await upstream.close();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Connect → initialize → first successful tools/list, per kind of backend; HTTP servers are already running. */
export async function coldStarts(runs: number): Promise<ColdStart[]> {
  const stdio = (args: string[]): BackendTarget => ({
    kind: 'stdio',
    command: process.execPath,
    args,
    env: {},
    cwd: undefined,
  });
  const results: ColdStart[] = [];
  const measure = async (backend: string, target: BackendTarget) => {
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await time(target));
    results.push({ backend, runs, medianMs: Math.round(median(times) * 10) / 10 });
  };
  await measure('stdio: fixture (spawn node)', stdio([fixtureBackend]));
  await measure('stdio: server-everything (spawn node)', stdio([everythingServer]));
  {
    await using http = await startEverythingHttp('streamableHttp');
    await measure('Streamable HTTP: server-everything (running)', {
      kind: 'http',
      url: http.url.href,
      headers: {},
    });
  }
  {
    await using sse = await startEverythingHttp('sse');
    await measure('SSE: server-everything (running)', { kind: 'sse', url: sse.url.href, headers: {} });
  }
  return results;
}
