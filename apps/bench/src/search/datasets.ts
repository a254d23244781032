import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndexedTool } from '@mcp-gateway/meta';

/** The shared data folder beside the repository (`../shared/data`), or MCP_GATEWAY_SHARED_DATA. */
export function sharedDataDir(): string {
  const dir =
    process.env.MCP_GATEWAY_SHARED_DATA ??
    resolve(fileURLToPath(new URL('../../../../..', import.meta.url)), 'shared', 'data');
  if (!existsSync(dir))
    throw new Error(
      `No benchmark data at ${dir}: put shared/ beside the repository or set MCP_GATEWAY_SHARED_DATA.`,
    );
  return dir;
}

export interface Query {
  id: string;
  text: string;
  /** Tool names that count as the right answer (`server/tool` where the server matters). */
  answers: string[];
  split: 'dev' | 'test';
  /** How the query is written, where the data says: keyword, intent, vague, abbreviation. */
  style?: string;
}

export interface Dataset {
  name: string;
  tools: IndexedTool[];
  queries: Query[];
  derivation: string;
}

/** Half of the items by a stable hash of their id: the dev half tunes ranking, the test half is only reported. */
export function splitOf(id: string): 'dev' | 'test' {
  return createHash('sha256').update(id).digest()[0]! % 2 === 0 ? 'dev' : 'test';
}

const numbered = (text: string) =>
  text
    .split('\n')
    .map((line) => line.replace(/^\s*\d+[.)]\s*/, '').trim())
    .filter(Boolean);

/**
 * LiveMCPBench: 70 servers, 527 tools. One query per annotated step of the tasks whose annotator listed as many
 * tools as steps, paired by position (step i → tool i); the split is by task, so a task's steps stay together.
 */
export function liveMcpBench(dir = sharedDataDir()): Dataset {
  const servers = JSON.parse(readFileSync(join(dir, 'livemcpbench', 'tools.json'), 'utf8')) as {
    description: string;
    tools: Record<string, { tools: IndexedTool['tool'][] }>;
  }[];
  const tools = servers.flatMap((server) =>
    Object.entries(server.tools).flatMap(([backend, { tools }]) =>
      tools.map((tool) => ({ backend, backendDescription: server.description, tool })),
    ),
  );
  const known = new Set(tools.map((t) => t.tool.name));
  const tasks = JSON.parse(readFileSync(join(dir, 'livemcpbench', 'annotations.json'), 'utf8')) as {
    task_id: string;
    'Annotator Metadata': { Steps: string; Tools: string };
  }[];
  const queries = tasks.flatMap((task) => {
    const steps = numbered(task['Annotator Metadata'].Steps);
    const answers = numbered(task['Annotator Metadata'].Tools);
    if (steps.length !== answers.length) return [];
    return steps
      .map((text, i) => ({
        id: `${task.task_id}#${i}`,
        text,
        answers: [answers[i]!],
        split: splitOf(task.task_id),
      }))
      .filter((q) => known.has(q.answers[0]!));
  });
  return {
    name: 'LiveMCPBench steps',
    tools,
    queries,
    derivation: 'one query per step of tasks listing as many tools as steps, step i → tool i; split by task',
  };
}

/**
 * MetaTool: 199 tools (plugins) and 20,614 query → tool pairs; a fixed sample of `perTool` queries per tool
 * (the first by hash order), split by query.
 */
export function metaTool(dir = sharedDataDir(), perTool = 5): Dataset {
  const descriptions = JSON.parse(readFileSync(join(dir, 'metatool', 'plugin_des.json'), 'utf8')) as Record<
    string,
    string
  >;
  const tools: IndexedTool[] = Object.entries(descriptions).map(([name, description]) => ({
    backend: 'metatool',
    tool: { name, description, inputSchema: { type: 'object' } },
  }));
  const rows = readFileSync(join(dir, 'metatool', 'all_clean_data.csv'), 'utf8')
    .split('\n')
    .slice(1);
  const byTool = new Map<string, { text: string; hash: string }[]>();
  for (const row of rows) {
    const comma = row.lastIndexOf(',');
    if (comma < 0) continue;
    const text = row.slice(0, comma).replace(/^"|"$/g, '').replaceAll('""', '"');
    const tool = row.slice(comma + 1).trim();
    if (!descriptions[tool]) continue;
    const hash = createHash('sha256').update(text).digest('hex');
    byTool.set(tool, [...(byTool.get(tool) ?? []), { text, hash }]);
  }
  const queries = [...byTool].flatMap(([tool, items]) =>
    items
      .sort((a, b) => a.hash.localeCompare(b.hash))
      .slice(0, perTool)
      .map((item) => ({ id: item.hash, text: item.text, answers: [tool], split: splitOf(item.hash) })),
  );
  return {
    name: 'MetaTool',
    tools,
    queries,
    derivation: `${perTool} queries per tool, the first by SHA-256 of the query text; split by query`,
  };
}

/**
 * Our own dev set over the npm catalog, labelled by query style (fixtures/styled-queries.json): for finding which
 * styles fail. All of it is dev; nothing here is a test split.
 */
export function styledNpm(dir = sharedDataDir()): Dataset {
  const servers = JSON.parse(readFileSync(join(dir, 'npm-catalog', 'catalog.json'), 'utf8')) as {
    server: string;
    tools: IndexedTool['tool'][];
  }[];
  const file = fileURLToPath(new URL('../../fixtures/styled-queries.json', import.meta.url));
  const { queries } = JSON.parse(readFileSync(file, 'utf8')) as {
    queries: { style: string; text: string; answers: string[] }[];
  };
  return {
    name: 'npm catalog, styled (ours)',
    tools: servers.flatMap((s) => s.tools.map((tool) => ({ backend: s.server, tool }))),
    queries: queries.map((q, i) => ({ id: `styled-${i}`, ...q, split: 'dev' as const })),
    derivation:
      'written by us by style (keyword, intent, vague, abbreviation); answers are server/tool; dev only',
  };
}
