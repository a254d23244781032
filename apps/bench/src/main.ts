// `pnpm bench [--quick] [--only latency|replicas]`: measures tokens, search quality and search latency, prints markdown tables, writes
// results/latest.json and regenerates the README's performance section from it. Traffic stays on 127.0.0.1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { StaticEmbedder } from '@mcp-gateway/embeddings';
import { ToolIndex } from '@mcp-gateway/meta';
import { liveMcpBench, metaTool, styledNpm } from './search/datasets';
import { measureSearchLatency, type SearchLatency } from './search/latency';
import { measureQuality, type Quality } from './search/quality';
import { liveMcpBenchCatalog, npmCatalog } from './tokens/catalogs';
import { exampleCatalog } from './tokens/live';
import { measureTokens, type TokenFigures } from './tokens/tokens';
import { fleetTable, latencyTable, markdown, updateReadme } from './report';
import { coldStarts, type ColdStart } from './lifecycle/cold-start';
import { gatewayStarts, type GatewayStart } from './lifecycle/gateway-start';
import { sessionSoak, type SessionSoakFigures } from './lifecycle/session-soak';
import { idleRss, type IdleRss } from './lifecycle/idle-rss';
import { soak, type SoakFigures } from './lifecycle/soak';
import { measureLatency, type LatencyFigures } from './latency/latency';
import { fleetBench, type FleetFigures } from './replicas/fleet';

export interface Results {
  date: string;
  machine: string;
  node: string;
  quick: boolean;
  tokens: TokenFigures[];
  /** Per dataset, the lexical arm alone and the hybrid the gateway runs (lexical + the static table). */
  search: { dataset: string; arm: 'lexical' | 'hybrid'; derivation: string; dev: Quality; test: Quality }[];
  searchLatency: SearchLatency;
  searchLatencyHybrid: SearchLatency;
  soak: SoakFigures;
  coldStarts: ColdStart[];
  idleRss: IdleRss;
  gatewayStarts: GatewayStart[];
  sessionSoak: SessionSoakFigures;
  latency: LatencyFigures;
  fleet: FleetFigures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const quick = values.quick;
  const phase = (name: string) => process.stderr.write(`bench: ${name}\n`);
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });

  // One phase alone, for working on it: its table on stdout and results/<phase>.json; the README stays as it is.
  const alone = async <T>(
    label: string,
    measure: (quick: boolean) => Promise<T>,
    table: (f: T) => string[],
  ) => {
    phase(label);
    const figures = await measure(quick);
    writeFileSync(`${dir}${values.only}.json`, `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`${table(figures).join('\n')}\n`);
  };
  if (values.only === 'latency') return alone('proxy latency and throughput', measureLatency, latencyTable);
  if (values.only === 'replicas')
    return alone('replicas behind nginx, and the Redis event store', fleetBench, fleetTable);
  if (values.only !== undefined)
    throw new Error(`--only: expected "latency" or "replicas", found "${values.only}"`);

  phase('tokens');
  const live = liveMcpBenchCatalog();
  const tokens = [
    await measureTokens(await exampleCatalog(), 1),
    await measureTokens(npmCatalog(), live.toolsPerTask),
    await measureTokens(live),
  ];

  phase('search quality');
  const datasets = [liveMcpBench(), metaTool(undefined, quick ? 2 : 5)];
  const embedder = StaticEmbedder.load();
  const search = [styledNpm(), ...datasets].flatMap((dataset) =>
    (['lexical', 'hybrid'] as const).map((arm) => {
      const index = new ToolIndex(dataset.tools, arm === 'hybrid' ? { embedder } : {});
      const { misses: _d, ...dev } = measureQuality(dataset, 'dev', index);
      const { misses: _t, ...test } = measureQuality(dataset, 'test', index);
      return { dataset: dataset.name, arm, derivation: dataset.derivation, dev, test };
    }),
  );

  phase('search latency');
  const searchLatency = measureSearchLatency([...datasets], 2000, quick ? 1 : 3);
  const searchLatencyHybrid = measureSearchLatency([...datasets], 2000, quick ? 1 : 3, () =>
    StaticEmbedder.load(),
  );

  phase('crash/restart soak');
  const soakFigures = await soak(quick ? 50 : 500, quick ? 30 : 180);

  phase('cold starts');
  const cold = await coldStarts(quick ? 1 : 5);

  phase('idle memory');
  const rss = await idleRss(20);

  phase('gateway start and memory under load');
  const starts = await gatewayStarts(quick ? 2 : 9, quick ? 1000 : 10_000);

  phase('session soak (many clients, both eras, every endpoint)');
  const sessions = await sessionSoak(quick ? 50 : 200, quick ? 20 : 600);

  phase('proxy latency and throughput');
  const latency = await measureLatency(quick);

  phase('replicas behind nginx, and the Redis event store');
  const fleet = await fleetBench(quick);

  const results: Results = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    node: process.version,
    quick,
    tokens,
    search,
    searchLatency,
    searchLatencyHybrid,
    soak: soakFigures,
    coldStarts: cold,
    idleRss: rss,
    gatewayStarts: starts,
    sessionSoak: sessions,
    latency,
    fleet,
  };
  writeFileSync(`${dir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  if (!quick) updateReadme(fileURLToPath(new URL('../../../README.md', import.meta.url)), results);
  process.stdout.write(`${markdown(results)}\n`);
}

await main();
