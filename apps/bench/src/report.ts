import { readFileSync, writeFileSync } from 'node:fs';
import type { Results } from './main';
import type { LatencyFigures, TargetFigures } from './latency/latency';
import type { FleetFigures } from './replicas/fleet';

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The benchmark tables as markdown, from one results file. */
export function markdown(results: Results): string {
  const lines = [
    `Measured by \`pnpm bench\` on ${results.date.slice(0, 10)} (${results.machine}, Node ${results.node}). Tokens: o200k_base.`,
    '',
    '**Tokens an agent pays for tool definitions**',
    '',
    row([
      'catalog',
      'tools',
      'aggregate `tools/list`',
      'meta `tools/list`',
      'saved',
      'meta + searches per task',
      'saved per task',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...results.tokens.map((t) =>
      row([
        t.catalog,
        t.tools,
        t.aggregateListTokens.toLocaleString('en'),
        t.metaListTokens,
        `${t.savingsListPct}%`,
        `${t.metaTaskTokens} (${t.toolsPerTask} searches)`,
        `${t.savingsTaskPct}%`,
      ]),
    ),
    '',
    '**Search quality**: dev tunes ranking, test is only reported; "hybrid" is what the gateway runs (lexical BM25F + the static word table of `@mcp-gateway/embeddings`)',
    '',
    row([
      'dataset',
      'arm',
      'queries (dev/test)',
      'dev R@1',
      'dev R@5',
      'dev MRR',
      'test R@1',
      'test R@5',
      'test MRR',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...results.search.map((s) =>
      row([
        s.dataset,
        s.arm,
        `${s.dev.queries}/${s.test.queries}`,
        ...[s.dev, s.test].flatMap((q) =>
          q.queries ? [q.recallAt1, q.recallAt5, q.mrr].map((x) => x.toFixed(2)) : ['—', '—', '—'],
        ),
      ]),
    ),
    '',
    ...(results.search.filter((s) => s.dataset.includes('styled')).length
      ? [
          'Recall@5 by query style (our own dev set):',
          '',
          row(['arm', ...Object.keys(results.search.find((s) => s.dev.byStyle)?.dev.byStyle ?? {})]),
          row([
            '---',
            ...Object.keys(results.search.find((s) => s.dev.byStyle)?.dev.byStyle ?? {}).map(() => '---:'),
          ]),
          ...results.search
            .filter((s) => s.dev.byStyle)
            .map((s) =>
              row([
                s.arm,
                ...Object.values(s.dev.byStyle!).map((q) => `${q.recallAt5.toFixed(2)} (${q.queries})`),
              ]),
            ),
          '',
        ]
      : []),
    'How queries were derived: ' +
      [...new Map(results.search.map((s) => [s.dataset, s.derivation]))]
        .map(([d, how]) => `${d}: ${how}`)
        .join('; ') +
      '.',
    '',
    `Search latency over ${results.searchLatency.tools.toLocaleString('en')} tools (${results.searchLatency.queries.toLocaleString('en')} queries): lexical p50 ${results.searchLatency.p50Ms} ms, p99 ${results.searchLatency.p99Ms} ms; hybrid p50 ${results.searchLatencyHybrid.p50Ms} ms, p99 ${results.searchLatencyHybrid.p99Ms} ms (loading the table and embedding the tools added ${results.searchLatencyHybrid.addedRssMb} MB to the bench's RSS; the first search, which reads the table and embeds every tool, takes ${results.searchLatencyHybrid.firstSearchMs} ms).`,
    '',
    '**Backends that stay up**',
    '',
    row(['figure', 'value']),
    row(['---', '---']),
    row([
      'crash/restart soak (fixture backend dying every 2nd call)',
      `${results.soak.cycles} cycles in ${results.soak.seconds} s, ${results.soak.restartCount} restarts, ${results.soak.leakedProcesses} processes leaked`,
    ]),
    row([
      `gateway memory during the soak (${results.soak.memoryMeasure})`,
      `${results.soak.memoryEarlyMb} MB early → ${results.soak.memoryEndMb} MB at the end`,
    ]),
    row([
      `gateway RSS, ${results.idleRss.backends} configured stdio backends, none started (bundled CLI)`,
      `${results.idleRss.rssMb} MB`,
    ]),
    ...results.coldStarts.map((c) =>
      row([`cold start → first tools/list, ${c.backend}`, `${c.medianMs} ms (median of ${c.runs})`]),
    ),
    '',
    ...startTable(results),
    '',
    ...soakTable(results),
    '',
    ...latencyTable(results.latency),
    '',
    ...fleetTable(results.fleet),
  ];
  return lines.join('\n');
}

/** Replaces the README section between the bench markers with tables generated from `results`. */
export function updateReadme(path: string, results: Results): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} ... ${END} section to fill`);
  writeFileSync(path, `${text.slice(0, start + START.length)}\n${markdown(results)}\n${text.slice(end)}`);
}

/** The session soak: many clients connecting, calling, streaming and abandoning, and what the gateway held. */
function soakTable(results: Results): string[] {
  const s = results.sessionSoak;
  const total = Object.values(s.done).reduce((a, b) => a + b, 0);
  const point = (label: string, p: typeof s.settled) =>
    row([label, `${p.atS} s`, p.rssMb, p.sessions, p.processes]);
  return [
    `**Sessions under many clients** (${s.clients} clients for ${s.seconds} s on the bundled CLI: ${total.toLocaleString('en')} connections that call, stream or progress on \`/mcp\`, \`/mcp/{backend}\` and \`/sse\` in both eras, or initialize and vanish, drop GET streams, or call a backend that crashes every 25 calls and a tool that hangs; abandoned sessions expire after 5 s)`,
    '',
    row(['when', 'at', 'RSS MB', 'open sessions', 'backend processes']),
    row(['---', '---:', '---:', '---:', '---:']),
    point('start', s.samples.start),
    point('middle', s.samples.middle),
    point('end of the load', s.samples.end),
    point('idle timeout later', s.settled),
    '',
    `Errors seen by well-behaved clients: ${s.wellBehavedErrors}. Processes left after the gateway stopped: ${s.leakedProcesses}. Sessions expired ${s.sessionTotals.expired.toLocaleString('en')}, evicted ${s.sessionTotals.evicted}, refused ${s.sessionTotals.refused}.`,
  ];
}

/** The gateway's own start and memory, as users run it. */
function startTable(results: Results): string[] {
  const { gatewayStarts: starts } = results;
  const runs = starts[0]?.runs ?? 0;
  const calls = starts[0]?.calls ?? 0;
  return [
    `**Gateway start and memory** (process start → first \`/health\` 200, backends not counted, median of ${runs}; RSS after ${calls.toLocaleString('en')} calls through \`/mcp/{backend}\`, 8 at a time)`,
    '',
    row(['CLI', 'Node', 'cold start ms', 'with NODE_EXTRA_CA_CERTS ms', 'RSS MB idle', 'RSS MB under load']),
    row(['---', '---', '---:', '---:', '---:', '---:']),
    ...starts.map((s) =>
      row([s.build, s.node, s.coldStartMs, s.coldStartExtraCaMs, s.rssIdleMb, s.rssLoadedMb]),
    ),
  ];
}

/**
 * Proxy latency and throughput per backend: each target also as what it adds to direct stdio, and as ratios to
 * the best peer that is safe with two clients and to the best peer of all (each peer in each of its modes).
 */
/** What tracing costs a call: the traced target beside the same path untraced, in the same run. */
function tracingCost(targets: TargetFigures[]): string[] {
  const off = targets.find((t) => t.target === 'gateway /mcp/{backend} (JSON)');
  const on = targets.find((t) => t.target === 'gateway /mcp/{backend} (JSON, tracing to OTLP)');
  if (!off || !on) return [];
  const us = (ms: number) => Math.round(ms * 1000);
  const cpu =
    on.cpuMsPerCall !== null && off.cpuMsPerCall !== null
      ? `, ${us(on.cpuMsPerCall - off.cpuMsPerCall)} µs more gateway CPU per call (${(on.cpuMsPerCall / off.cpuMsPerCall).toFixed(2)}×)`
      : '';
  return [
    '',
    `Tracing on (two spans a call, batched and sent over OTLP/HTTP to a collector on 127.0.0.1) versus off: ${us(on.p50Ms - off.p50Ms)} µs more p50 (${(on.p50Ms / off.p50Ms).toFixed(2)}×)${cpu}, ${(on.throughput['32'] / off.throughput['32']).toFixed(2)}× the calls/s at 32 concurrent.`,
  ];
}

export function latencyTable(latency: LatencyFigures): string[] {
  const { backends, repetitions, sequentialCallsPerRepetition } = latency;
  const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`;
  const mb = (x: number | null) => x ?? '—';
  return [
    `**Proxy latency and throughput** (${repetitions} interleaved repetitions of ${sequentialCallsPerRepetition} sequential \`echo\` calls after warm-up, medians; clients are minimal and keep connections alive — over stdio, Streamable HTTP and HTTP+SSE alike — because the SDK's own clients cost more than any server here, see the SDK-client rows. "Safe" peers passed a check with two clients at once: each got its own answers and no one else's. Ratios: p50 lower is better, calls/s higher is better.)`,
    ...backends.flatMap(({ backend, targets }) => {
      const direct = targets.find((t) => t.target === 'direct stdio')!;
      const peers = targets.filter((t) => t.target.includes('(peer)'));
      const safe = peers.filter((t) => t.safeWithTwoClients);
      const best = (of: TargetFigures[]) => ({
        p50: Math.min(...of.map((t) => t.p50Ms)),
        tput: Math.max(...of.map((t) => t.throughput['32'])),
      });
      const [bestSafe, bestAll] = [best(safe.length > 0 ? safe : peers), best(peers)];
      const name = (t: TargetFigures) =>
        t.safeWithTwoClients === false ? `${t.target} ⚠ unsafe with two clients` : t.target;
      return [
        '',
        `Backend: ${backend === 'fixture' ? 'our fixture (near-zero backend cost)' : '@modelcontextprotocol/server-everything'}, over stdio.`,
        '',
        row([
          'target',
          'p50 ms',
          'added µs',
          'p50 vs best safe peer',
          'p50 vs best peer',
          'p90 ms',
          'p99 ms',
          'calls/s @1',
          '@8',
          '@32',
          '@32 vs best safe peer',
          '@32 vs best peer',
          '100 KB p50 ms',
          '1 MB p50 ms',
          'RSS MB steady',
          'RSS MB after payloads',
          'CPU ms/call',
        ]),
        row(['---', ...Array<string>(16).fill('---:')]),
        ...targets.map((t) =>
          row([
            name(t),
            t.p50Ms,
            Math.round((t.p50Ms - direct.p50Ms) * 1000),
            ratio(t.p50Ms, bestSafe.p50),
            ratio(t.p50Ms, bestAll.p50),
            t.p90Ms,
            t.p99Ms,
            t.throughput['1'],
            t.throughput['8'],
            t.throughput['32'],
            ratio(t.throughput['32'], bestSafe.tput),
            ratio(t.throughput['32'], bestAll.tput),
            mb(t.payload100kP50Ms),
            mb(t.payload1mP50Ms),
            mb(t.rssSteadyMb),
            mb(t.rssAfterPayloadsMb),
            t.cpuMsPerCall ?? '—',
          ]),
        ),
        ...tracingCost(targets),
      ];
    }),
  ];
}

/** Replicas behind nginx: calls/s with one and with three, and the Redis event store against the in-memory one. */
export function fleetTable(fleet: FleetFigures): string[] {
  const [memory, redis] = fleet.eventStore as [
    FleetFigures['eventStore'][number],
    FleetFigures['eventStore'][number],
  ];
  return [
    `**Replicas behind nginx** (\`deploy/nginx\` as shipped, bundled CLI, the fixture backend over stdio in each replica; calls/s of ${fleet.callsPerRun.toLocaleString('en')} \`echo\` calls from ${fleet.concurrency} clients at once, median of ${fleet.repetitions} interleaved repetitions after a warm-up. Every replica, nginx, the backends and the clients share this machine's cores: the ratio is what a fleet gains on one machine, not on several.)`,
    '',
    row([
      'clients',
      'one replica, no nginx',
      'nginx → 1 replica',
      'nginx → 3 replicas',
      '3 vs 1 behind nginx',
    ]),
    row(['---', '---:', '---:', '---:', '---:']),
    ...fleet.throughput.map((t) =>
      row([
        t.era === 'modern'
          ? 'modern era (stateless, spread per request)'
          : 'legacy sessions (each kept on its replica)',
        t.direct,
        t.nginxOne,
        t.nginxThree,
        `${(t.nginxThree / t.nginxOne).toFixed(2)}×`,
      ]),
    ),
    '',
    `Event store, per streamed call (a legacy session's call with progress, its answer an SSE event stored for \`Last-Event-ID\`): in memory p50 ${memory.p50Ms} ms and ${memory.callsPerS} calls/s at ${fleet.concurrency} sessions; Redis p50 ${redis.p50Ms} ms (${Math.round((redis.p50Ms - memory.p50Ms) * 1000)} µs more) and ${redis.callsPerS} calls/s (${(redis.callsPerS / memory.callsPerS).toFixed(2)}×).`,
  ];
}
