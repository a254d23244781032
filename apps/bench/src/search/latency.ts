import { performance } from 'node:perf_hooks';
import type { TextEmbedder } from '@mcp-gateway/core';
import { ToolIndex, type IndexedTool } from '@mcp-gateway/meta';
import type { Dataset } from './datasets';

export interface SearchLatency {
  tools: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  /** With an embedder: what its table and the tool vectors added to RSS (after gc), and the first search's time. */
  addedRssMb?: number;
  firstSearchMs?: number;
}

/**
 * Search latency over an index of at least `minTools` tools (datasets repeated under new names if needed), with
 * the embedder `load` gives (loaded here, so that its memory is measured) or lexical only.
 */
export function measureSearchLatency(
  datasets: Dataset[],
  minTools = 2000,
  rounds = 3,
  load?: () => TextEmbedder,
): SearchLatency {
  let tools: IndexedTool[] = datasets.flatMap((d) => d.tools);
  for (let copy = 1; tools.length < minTools; copy++) {
    tools = tools.concat(
      datasets.flatMap((d) => d.tools.map((t) => ({ ...t, backend: `${t.backend}-copy${copy}` }))),
    );
  }
  const queries = datasets.flatMap((d) => d.queries.map((q) => q.text));
  const rss = () => (globalThis.gc?.(), process.memoryUsage().rss / 1e6);
  const before = rss();
  const embedder = load?.();
  const index = new ToolIndex(tools, embedder ? { embedder } : {});
  const first = performance.now();
  index.search(queries[0]!);
  const firstSearchMs = performance.now() - first;
  const addedRssMb = rss() - before;
  for (const q of queries.slice(0, 200)) index.search(q); // warm-up
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const q of queries) {
      const start = performance.now();
      index.search(q, { limit: 5 });
      times.push(performance.now() - start);
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    Number(times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3));
  return {
    tools: tools.length,
    queries: times.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    ...(embedder
      ? { addedRssMb: Number(addedRssMb.toFixed(1)), firstSearchMs: Number(firstSearchMs.toFixed(1)) }
      : {}),
  };
}
