import type { CatalogTool, TextEmbedder } from '@mcp-gateway/core';
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

/** Why a tool matched a query (see {@link ToolIndex.explain}). */
export interface SearchExplanation {
  /** The query's own words found in the tool's name, description, parameters or backend. */
  words: string[];
  /** Words found that only synonyms of the query's words brought in. */
  synonyms: string[];
  /** The cosine of the tool's meaning to the query's (semantic arm), when it is on. */
  meaning?: number;
}

export interface SearchOptions {
  limit?: number;
  /** Only this backend's tools. */
  backend?: string;
  /** Only tools this accepts (the caller's access), so that hidden tools take no place in the results. */
  accept?: (backend: string, tool: string) => boolean;
}

export interface ToolIndexOptions {
  /** The semantic arm: with one, a tool also ranks by how close its meaning is to the query's. */
  embedder?: TextEmbedder;
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
  /** Weight of the semantic arm's cosine beside the lexical score scaled to the best one (1). */
  semanticWeight: 1,
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
  /** Each backend's name as search terms, for queries that name one. */
  private backendTerms: [string, string[]][] = [];
  private embedder: TextEmbedder | undefined;
  /** Why the semantic arm is off, if the embedder failed (its table unreadable): search goes on by words alone. */
  semanticError: string | undefined;
  /** The tools' vectors and their words' weights, computed at the first search after a change. */
  private vectors: Float32Array | undefined;
  private idf = new Map<string, number>();

  constructor(entries: IndexedTool[] = [], options: ToolIndexOptions = {}) {
    this.embedder = options.embedder;
    for (const entry of entries)
      this.byBackend.set(entry.backend, [...(this.byBackend.get(entry.backend) ?? []), entry]);
    this.rebuild();
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Computes the semantic arm's tool vectors now rather than at the next search (which otherwise pays for them:
   * about 80 ms for 2,000 tools, and reading the table the first time).
   */
  prepare(): void {
    if (this.embedder) this.semantic(() => (this.vectors ??= this.embedTools()));
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
    const scores = new Float64Array(this.entries.length);
    for (const [term, queryWeight] of expandQuery(text, (t) => this.postings.has(t))) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      const idf = Math.log(1 + (this.entries.length - postings.length + 0.5) / (postings.length + 0.5));
      for (const { doc, weight } of postings) scores[doc]! += idf * queryWeight * weight;
    }
    if (this.embedder) this.semantic(() => this.addSemantic(text, scores));
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

  /**
   * Why `hit` ranks for `query`: the query's words it contains (its own, or synonyms the query brought in), and
   * how close its meaning is (the semantic arm's cosine, when there is one). For the console; not on the hot path.
   */
  explain(query: string, hit: IndexedTool): SearchExplanation {
    const doc = this.entries.findIndex((e) => e.backend === hit.backend && e.tool.name === hit.tool.name);
    if (doc < 0) return { words: [], synonyms: [] };
    const { text } = parseQuery(query);
    const has = this.docTerms[doc]!;
    const direct = new Set(tokenize(text));
    const matched = [...expandQuery(text, (t) => this.postings.has(t)).keys()].filter((t) => has.has(t));
    // The query's own words as written (terms are stems: "entities" is "entity"), and synonyms as terms.
    const written = [...new Set(text.split(/[^\p{L}\p{N}]+/u).filter(Boolean))];
    const explanation: SearchExplanation = {
      words: written.filter((word) => tokenize(word).some((t) => has.has(t))),
      synonyms: matched.filter((t) => !direct.has(t)),
    };
    if (this.embedder)
      this.semantic(() => {
        const { q, vectors, dims } = this.queryVector(text);
        if (!q) return;
        let cos = 0;
        for (let d = 0; d < dims; d++) cos += q[d]! * vectors[doc * dims + d]!;
        explanation.meaning = Math.round(cos * 1000) / 1000;
      });
    return explanation;
  }

  /** Runs the semantic arm's work; if the embedder throws, the arm is turned off and search stays lexical. */
  private semantic(work: () => unknown): void {
    try {
      work();
    } catch (error) {
      this.embedder = undefined;
      this.vectors = undefined;
      this.semanticError = error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * Blends in the semantic arm: every tool's lexical score is scaled to the best one, and its cosine to the query
   * (weighted by `semanticWeight`) added, so that a tool with none of the query's words can still rank.
   */
  private addSemantic(query: string, scores: Float64Array): void {
    const { q, vectors, dims } = this.queryVector(query);
    if (!q) return;
    let best = 0;
    for (const score of scores) if (score > best) best = score;
    for (let doc = 0; doc < this.entries.length; doc++) {
      let cos = 0;
      const at = doc * dims;
      for (let d = 0; d < dims; d++) cos += q[d]! * vectors[at + d]!;
      const lexical = best > 0 ? scores[doc]! / best : 0;
      scores[doc] = cos > 0 || lexical > 0 ? lexical + RANKING.semanticWeight * cos : 0;
    }
  }

  /** The query's vector (words unseen in the tools weigh as the rarest), the tools' vectors, and their size. */
  private queryVector(query: string) {
    const embedder = this.embedder!;
    const vectors = (this.vectors ??= this.embedTools());
    const unseen = Math.log(1 + this.entries.length);
    const q = embedder.embed(embedder.words(query), (w) => this.idf.get(w) ?? unseen);
    return { q, vectors, dims: embedder.dimensions };
  }

  /** Each tool's vector: its words weighted by their inverse document frequency over the index. */
  private embedTools(): Float32Array {
    const embedder = this.embedder!;
    const docWords = this.entries.map((entry) => embedder.words(semanticText(entry)));
    const df = new Map<string, number>();
    for (const words of docWords) for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
    // Not squared: the table was fitted with plain IDF weights, and squared ranked lower with it on the dev splits.
    this.idf = new Map([...df].map(([w, n]) => [w, Math.log(1 + this.entries.length / n)]));
    const vectors = new Float32Array(this.entries.length * embedder.dimensions);
    docWords.forEach((words, doc) => {
      const v = embedder.embed(words, (w) => this.idf.get(w)!);
      if (v) vectors.set(v, doc * embedder.dimensions);
    });
    return vectors;
  }

  /** Backends whose whole name the query spells out, as words of its own ("git" does not name "github"). */
  private backendsNamedIn(text: string): string[] {
    const words = new Set(tokenize(text));
    if (words.size < 2) return []; // a query that is only a backend's name asks for everything it has
    return this.backendTerms
      .filter(
        ([, terms]) => terms.length > 0 && terms.length < words.size && terms.every((t) => words.has(t)),
      )
      .map(([backend]) => backend);
  }

  /** The tools `name` names exactly (`tool`, `backend/tool` or `backend__tool`), in index order. */
  named(name: string, options: Omit<SearchOptions, 'limit'> = {}): SearchHit[] {
    return this.exactMatches(name.trim())
      .map((doc) => this.entries[doc]!)
      .filter(
        (e) =>
          (!options.backend || e.backend === options.backend) &&
          (!options.accept || options.accept(e.backend, e.tool.name)),
      )
      .map((entry) => ({ ...entry, score: Infinity, exact: true }));
  }

  private exactMatches(query: string): number[] {
    return this.exact.get(query.toLowerCase()) ?? [];
  }

  private rebuild(): void {
    this.entries = [...this.byBackend.values()].flat();
    this.backendTerms = [...this.byBackend.keys()].map((backend) => [backend, tokenize(backend)]);
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
    this.vectors = undefined;
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

/** What the semantic arm reads of a tool: its name, title and description. */
function semanticText({ tool }: IndexedTool): string {
  const title = typeof tool.title === 'string' ? tool.title : '';
  return `${tool.name.replace(/[_\-.]+/g, ' ')} ${title} ${tool.description ?? ''}`;
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
function topK(scores: Float64Array, k: number, keep: (doc: number) => boolean): [number, number][] {
  const best: [number, number][] = [];
  for (let doc = 0; doc < scores.length; doc++) {
    const score = scores[doc]!;
    if (score <= 0) continue;
    if (best.length === k && score <= best[k - 1]![1]) continue;
    if (!keep(doc)) continue;
    let i = best.length;
    while (i > 0 && (best[i - 1]![1] < score || (best[i - 1]![1] === score && best[i - 1]![0] > doc))) i--;
    best.splice(i, 0, [doc, score]);
    if (best.length > k) best.pop();
  }
  return best;
}
