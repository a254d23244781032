import { ToolIndex } from '@mcp-gateway/meta';
import type { Dataset, Query } from './datasets';

export interface Quality {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
  /** The same figures per query style, where queries are labelled. */
  byStyle?: Record<string, Omit<Quality, 'byStyle'>>;
}

/** Recall@1, Recall@5 and MRR (over the top 50) of the index on one split of a dataset. */
export function measureQuality(
  dataset: Dataset,
  split: Query['split'],
  index = new ToolIndex(dataset.tools),
): Quality & { misses: Query[] } {
  const queries = dataset.queries.filter((q) => q.split === split);
  let r1 = 0;
  let r5 = 0;
  let rr = 0;
  const misses: Query[] = [];
  const styles = new Map<string, { n: number; r1: number; r5: number; rr: number }>();
  for (const query of queries) {
    const ranked = index.search(query.text, { limit: 50 });
    const rank = ranked.findIndex(
      (hit) =>
        query.answers.includes(hit.tool.name) || query.answers.includes(`${hit.backend}/${hit.tool.name}`),
    );
    if (query.style) {
      const s = styles.get(query.style) ?? { n: 0, r1: 0, r5: 0, rr: 0 };
      s.n++;
      if (rank === 0) s.r1++;
      if (rank >= 0 && rank < 5) s.r5++;
      if (rank >= 0) s.rr += 1 / (rank + 1);
      styles.set(query.style, s);
    }
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    else misses.push(query);
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  const n = Math.max(1, queries.length);
  const byStyle = Object.fromEntries(
    [...styles].map(([style, s]) => [
      style,
      { queries: s.n, recallAt1: s.r1 / s.n, recallAt5: s.r5 / s.n, mrr: s.rr / s.n },
    ]),
  );
  return {
    queries: queries.length,
    recallAt1: r1 / n,
    recallAt5: r5 / n,
    mrr: rr / n,
    ...(styles.size ? { byStyle } : {}),
    misses,
  };
}
