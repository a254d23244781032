import type { CatalogTool } from '@mcp-gateway/core';
import { SYNONYM_GROUPS } from './synonyms';
import { tokenize } from './tokenize';

/** One tool as the index sees it. */
export interface IndexedTool {
  backend: string;
  backendDescription?: string;
  tool: CatalogTool;
}

export interface SearchHit extends IndexedTool {
  score: number;
  /** The query named this tool exactly (`tool`, `backend/tool` or `backend__tool`). */
  exact: boolean;
}

export interface SearchOptions {
  limit?: number;
  /** Only this backend's tools. */
  backend?: string;
  /** Only tools this accepts (the caller's access), so that hidden tools take no place in the results. */
  accept?: (backend: string, tool: string) => boolean;
}

/** Relative weight of each field, and BM25's length normalisation per field. Tuned on the dev split only. */
export const RANKING = {
  k1: 1.2,
  fields: {
    name: { weight: 3, b: 0.3 },
    description: { weight: 1, b: 0.75 },
    params: { weight: 0.4, b: 0.75 },
    backend: { weight: 0.3, b: 0.5 },
  },
  /** Weight of a term that only a synonym of the query brought in. */
  synonymWeight: 0.4,
} as const;

type Field = keyof typeof RANKING.fields;

/**
 * A BM25F index over tool names, descriptions, parameters and backends. Per (tool, term) weights are computed when
 * tools change, so a query only walks the postings of its own terms.
 */
export class ToolIndex {
  private entries: IndexedTool[] = [];
  private postings = new Map<string, { doc: number; weight: number }[]>();
  /** Lower-cased `tool`, `backend/tool` and `backend__tool` → documents. */
  private exact = new Map<string, number[]>();
  /** Per document, every term in any of its fields (for required `+terms`). */
  private docTerms: Set<string>[] = [];
  private readonly byBackend = new Map<string, IndexedTool[]>();

  constructor(entries: IndexedTool[] = []) {
    for (const entry of entries)
      this.byBackend.set(entry.backend, [...(this.byBackend.get(entry.backend) ?? []), entry]);
    this.rebuild();
  }

  get size(): number {
    return this.entries.length;
  }

  /** Replaces one backend's tools, e.g. after `tools/list_changed`. */
  setBackend(backend: string, entries: IndexedTool[]): void {
    if (entries.length === 0) this.byBackend.delete(backend);
    else this.byBackend.set(backend, entries);
    this.rebuild();
  }

  /**
   * The best tools for `query`. Terms written `+term` are required: only tools with every one of them (in any field)
   * rank. A query that names a backend ("github open issues") searches that backend's tools first, and the others
   * only when it has no match.
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 5;
    const { text, required } = parseQuery(query);
    const named = options.backend ? [] : this.backendsNamedIn(text);
    const accept = (backends: string[]) => (doc: number) => {
      const entry = this.entries[doc]!;
      return (
        (backends.length === 0 || backends.includes(entry.backend)) &&
        (!options.accept || options.accept(entry.backend, entry.tool.name)) &&
        required.every((term) => this.docTerms[doc]!.has(term))
      );
    };
    const exact = this.exactMatches(query.trim()).filter(accept(options.backend ? [options.backend] : []));
    const isExact = new Set(exact);
    const scores = new Map<number, number>();
    for (const [term, queryWeight] of expandQuery(text, (t) => this.postings.has(t))) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      const idf = Math.log(1 + (this.entries.length - postings.length + 0.5) / (postings.length + 0.5));
      for (const { doc, weight } of postings)
        scores.set(doc, (scores.get(doc) ?? 0) + idf * queryWeight * weight);
    }
    const rank = (backends: string[]) => {
      const keep = accept(backends);
      return topK(scores, limit, (doc) => !isExact.has(doc) && keep(doc));
    };
    let ranked = named.length > 0 ? rank(named) : [];
    if (ranked.length === 0) ranked = rank(options.backend ? [options.backend] : []);
    return [
      ...exact.map((doc) => ({ ...this.entries[doc]!, score: Infinity, exact: true })),
      ...ranked.map(([doc, score]) => ({ ...this.entries[doc]!, score, exact: false })),
    ].slice(0, limit);
  }

  /** Backends whose whole name the query spells out, as words of its own ("git" does not name "github"). */
  private backendsNamedIn(text: string): string[] {
    const words = new Set(tokenize(text));
    if (words.size < 2) return []; // a query that is only a backend's name asks for everything it has
    return [...this.byBackend.keys()].filter((backend) => {
      const terms = tokenize(backend);
      return terms.length > 0 && terms.length < words.size && terms.every((term) => words.has(term));
    });
  }

  private exactMatches(query: string): number[] {
    return this.exact.get(query.toLowerCase()) ?? [];
  }

  private rebuild(): void {
    this.entries = [...this.byBackend.values()].flat();
    const fieldTerms = this.entries.map(fieldsOf);
    const averages = Object.fromEntries(
      (Object.keys(RANKING.fields) as Field[]).map((field) => [
        field,
        Math.max(
          1,
          fieldTerms.reduce((sum, doc) => sum + doc[field].length, 0) / Math.max(1, fieldTerms.length),
        ),
      ]),
    ) as Record<Field, number>;
    this.postings = new Map();
    this.exact = new Map();
    this.entries.forEach((entry, doc) => {
      const name = entry.tool.name.toLowerCase();
      for (const form of new Set([
        name,
        `${entry.backend}/${name}`.toLowerCase(),
        `${entry.backend}__${name}`.toLowerCase(),
      ])) {
        this.exact.set(form, [...(this.exact.get(form) ?? []), doc]);
      }
    });
    this.docTerms = fieldTerms.map((fields) => new Set(Object.values(fields).flat()));
    fieldTerms.forEach((fields, doc) => {
      const tf = new Map<string, number>();
      for (const field of Object.keys(RANKING.fields) as Field[]) {
        const { weight, b } = RANKING.fields[field];
        const norm = 1 - b + (b * fields[field].length) / averages[field];
        for (const term of fields[field]) tf.set(term, (tf.get(term) ?? 0) + weight / norm);
      }
      for (const [term, value] of tf) {
        const list = this.postings.get(term) ?? [];
        list.push({ doc, weight: (value * (RANKING.k1 + 1)) / (value + RANKING.k1) });
        this.postings.set(term, list);
      }
    });
  }
}

function fieldsOf(entry: IndexedTool): Record<Field, string[]> {
  const { tool } = entry;
  const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: unknown }>;
  const params = Object.entries(properties).flatMap(([name, schema]) => [
    ...tokenize(name),
    ...tokenize(typeof schema?.description === 'string' ? schema.description : ''),
  ]);
  const title = typeof tool.title === 'string' ? tool.title : '';
  return {
    name: [...tokenize(tool.name), ...tokenize(title)],
    description: tokenize(tool.description ?? ''),
    params,
    backend: [...tokenize(entry.backend), ...tokenize(entry.backendDescription ?? '')],
  };
}

/** The query without its `+required` marks, and the terms those words require. */
export function parseQuery(query: string): { text: string; required: string[] } {
  const required: string[] = [];
  const text = query.replace(/(^|\s)\+(\S+)/g, (_, space: string, word: string) => {
    required.push(...tokenize(word));
    return `${space}${word}`;
  });
  return { text, required };
}

/** Each term's synonyms, built on first use (not at import, which every gateway start pays for). */
let synonyms: Map<string, string[]> | undefined;

function synonymsOf(term: string): string[] {
  synonyms ??= buildSynonyms();
  return synonyms.get(term) ?? [];
}

function buildSynonyms(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const group of SYNONYM_GROUPS) {
    const terms = group.flatMap((phrase) => tokenize(phrase));
    for (const term of terms)
      map.set(
        term,
        [...new Set([...(map.get(term) ?? []), ...terms])].filter((t) => t !== term),
      );
  }
  return map;
}

/**
 * Query terms with their weights: each term once at full weight, and the synonyms it brings in at a lower weight,
 * or at full weight when the term itself occurs nowhere in the index (an abbreviation to translate, like "PR").
 */
export function expandQuery(
  query: string,
  indexed: (term: string) => boolean = () => true,
): Map<string, number> {
  const weights = new Map<string, number>();
  const terms = tokenize(query);
  for (const term of terms) weights.set(term, 1);
  for (const term of terms) {
    const weight = indexed(term) ? RANKING.synonymWeight : 1;
    for (const synonym of synonymsOf(term)) {
      weights.set(synonym, Math.max(weights.get(synonym) ?? 0, weight));
    }
  }
  return weights;
}

/** The `k` best (doc, score) pairs that pass `keep`, best first, ties by doc order; no full sort. */
function topK(scores: Map<number, number>, k: number, keep: (doc: number) => boolean): [number, number][] {
  const best: [number, number][] = [];
  for (const [doc, score] of scores) {
    if (best.length === k && score <= best[k - 1]![1]) continue;
    if (!keep(doc)) continue;
    let i = best.length;
    while (i > 0 && (best[i - 1]![1] < score || (best[i - 1]![1] === score && best[i - 1]![0] > doc))) i--;
    best.splice(i, 0, [doc, score]);
    if (best.length > k) best.pop();
  }
  return best;
}
