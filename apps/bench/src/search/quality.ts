import { ToolIndex } from '@mcp-gateway/meta';
import type { Dataset, Query } from './datasets';

export interface Quality {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
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
  for (const query of queries) {
    const ranked = index.search(query.text, { limit: 50 }).map((hit) => hit.tool.name);
    const rank = ranked.findIndex((name) => query.answers.includes(name));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 5) r5++;
    else misses.push(query);
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  const n = Math.max(1, queries.length);
  return { queries: queries.length, recallAt1: r1 / n, recallAt5: r5 / n, mrr: rr / n, misses };
}
