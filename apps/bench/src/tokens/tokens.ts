import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { META_TOOLS, MetaTools } from '@mcp-gateway/meta';
import type { BackendCatalog, BackendRegistry, Catalog, CatalogTool } from '@mcp-gateway/core';
import type { ToolCatalog } from './catalogs';

export interface TokenFigures {
  catalog: string;
  backends: number;
  tools: number;
  /** `tools/list` in aggregate mode: every tool, namespaced. */
  aggregateListTokens: number;
  /** `tools/list` in meta mode: the four meta-tools. */
  metaListTokens: number;
  /** Tokens of one `gateway_search_tools` call and its answer (limit 5), averaged over one query per tool. */
  searchRoundTripTokens: number;
  toolsPerTask: number;
  /** Meta list plus one search per tool the task needs. */
  metaTaskTokens: number;
  savingsListPct: number;
  savingsTaskPct: number;
}

/** What a client puts in the model's context for one tool: name, description, schemas, annotations. */
export function toolTokens(tool: object): number {
  return countTokens(JSON.stringify(tool));
}

/** Measures what an agent pays for tool definitions in each mode, with the o200k_base tokenizer. */
export async function measureTokens(
  catalog: ToolCatalog,
  toolsPerTask = catalog.toolsPerTask ?? 1,
): Promise<TokenFigures> {
  const tools = catalog.backends.flatMap((b) => b.tools.map((tool) => ({ backend: b.name, tool })));
  const aggregateListTokens = tools.reduce(
    (sum, { backend, tool }) => sum + toolTokens({ ...tool, name: `${backend}__${tool.name}` }),
    0,
  );
  const metaListTokens = countTokens(JSON.stringify(META_TOOLS));
  const meta = new MetaTools(fakeSources(catalog));
  // One search per tool, worded as its own first description line: the cost of a realistic search round trip.
  let searchTokens = 0;
  for (const { tool } of tools) {
    const query = (tool.description ?? tool.name).split('\n')[0]!.slice(0, 80);
    const args = { query, limit: 5 };
    const result = await meta.call('gateway_search_tools', args);
    searchTokens +=
      countTokens(JSON.stringify({ name: 'gateway_search_tools', arguments: args })) +
      countTokens(JSON.stringify(result.content));
  }
  meta.close();
  const searchRoundTripTokens = Math.round(searchTokens / Math.max(1, tools.length));
  const metaTaskTokens = Math.round(metaListTokens + toolsPerTask * searchRoundTripTokens);
  return {
    catalog: catalog.name,
    backends: catalog.backends.length,
    tools: tools.length,
    aggregateListTokens,
    metaListTokens,
    searchRoundTripTokens,
    toolsPerTask: Number(toolsPerTask.toFixed(2)),
    metaTaskTokens,
    savingsListPct: pct(1 - metaListTokens / aggregateListTokens),
    savingsTaskPct: pct(1 - metaTaskTokens / aggregateListTokens),
  };
}

const pct = (x: number) => Math.round(x * 1000) / 10;

/** A registry and catalog over static data: meta answers search from the catalog and never starts a backend. */
function fakeSources(catalog: ToolCatalog): { registry: BackendRegistry; catalog: Catalog } {
  const byName = new Map<string, BackendCatalog>(
    catalog.backends.map((b) => [
      b.name,
      {
        backend: b.name,
        tools: b.tools as CatalogTool[],
        resources: [],
        resourceTemplates: [],
        prompts: [],
        updatedAt: '',
      },
    ]),
  );
  const registry: BackendRegistry = {
    list: () => catalog.backends.map((b) => ({ name: b.name, description: '', state: 'configured' })),
    has: (name) => byName.has(name),
    acquire: () => Promise.reject(new Error('the token benchmark never invokes tools')),
    release: async () => {},
    health: () => ({}),
    onEvent: () => () => {},
  };
  return {
    registry,
    catalog: {
      get: (name) => byName.get(name),
      load: async (name) => byName.get(name)!,
      onChange: () => () => {},
      pending: () => [],
      settle: async () => {},
    },
  };
}
