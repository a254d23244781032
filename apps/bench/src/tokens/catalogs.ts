import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogTool } from '@mcp-gateway/core';
import { liveMcpBench, sharedDataDir } from '../search/datasets';

/** A set of backends and their tools, as an agent would see them through the gateway. */
export interface ToolCatalog {
  name: string;
  backends: { name: string; tools: CatalogTool[] }[];
  /** How many tools a typical task needs, when the data says (LiveMCPBench annotations). */
  toolsPerTask?: number;
}

/** The npm catalog: what 53 MCP servers from npm publish (shared/data/npm-catalog). */
export function npmCatalog(dir = sharedDataDir()): ToolCatalog {
  const servers = JSON.parse(readFileSync(join(dir, 'npm-catalog', 'catalog.json'), 'utf8')) as {
    server: string;
    tools: CatalogTool[];
  }[];
  return {
    name: 'npm catalog (53 servers)',
    backends: servers.map((s) => ({ name: s.server, tools: s.tools })),
  };
}

/** LiveMCPBench's 70 servers, with its tasks' annotated tool counts. */
export function liveMcpBenchCatalog(dir = sharedDataDir()): ToolCatalog {
  const dataset = liveMcpBench(dir);
  const byBackend = new Map<string, CatalogTool[]>();
  for (const { backend, tool } of dataset.tools)
    byBackend.set(backend, [...(byBackend.get(backend) ?? []), tool]);
  const tasks = JSON.parse(readFileSync(join(dir, 'livemcpbench', 'annotations.json'), 'utf8')) as {
    'Annotator Metadata': { 'Number of tools': string };
  }[];
  const counts = tasks.map((t) => Number(t['Annotator Metadata']['Number of tools'])).filter((n) => n > 0);
  return {
    name: 'LiveMCPBench (70 servers)',
    backends: [...byBackend].map(([name, tools]) => ({ name, tools })),
    toolsPerTask: counts.reduce((a, b) => a + b, 0) / counts.length,
  };
}
