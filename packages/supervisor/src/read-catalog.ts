import {
  errorMessage,
  type BackendCatalog,
  type BackendConnection,
  type CatalogTool,
} from '@mcp-gateway/core';

/** The lists a catalog holds. */
export type CatalogList = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

const LIST_METHODS: Record<CatalogList, [method: string, capability: string]> = {
  tools: ['tools/list', 'tools'],
  resources: ['resources/list', 'resources'],
  resourceTemplates: ['resources/templates/list', 'resources'],
  prompts: ['prompts/list', 'prompts'],
};

/** What one read of a live backend's catalog found. */
export interface CatalogRead {
  lists: Partial<Pick<BackendCatalog, CatalogList>>;
  /** Tools left out: one bad tool never hides the others. */
  skipped: { name: string; reason: string }[];
  /** Lists the backend declares but failed to send. */
  failures: { method: string; error: string }[];
}

/**
 * Reads the given lists (all by default) of those the backend's capabilities declare, every page of each. Tools
 * without a name or without an object input schema are skipped, with the reason; the rest are kept as sent.
 */
export async function readCatalog(connection: BackendConnection, only?: CatalogList[]): Promise<CatalogRead> {
  const capabilities = connection.initializeResult.capabilities ?? {};
  const read: CatalogRead = { lists: {}, skipped: [], failures: [] };
  for (const key of only ?? (Object.keys(LIST_METHODS) as CatalogList[])) {
    const [method, capability] = LIST_METHODS[key];
    if (!(capability in capabilities)) continue;
    try {
      const items = await listAll(connection, method, key);
      if (key === 'tools') read.lists.tools = items.filter((tool) => validTool(tool, read.skipped));
      else read.lists[key] = items;
    } catch (error) {
      read.failures.push({ method, error: errorMessage(error) });
    }
  }
  return read;
}

function validTool(tool: Record<string, unknown>, skipped: CatalogRead['skipped']): tool is CatalogTool {
  const name = typeof tool.name === 'string' ? tool.name : '';
  const reason =
    name === ''
      ? 'it has no name'
      : !isObject(tool.inputSchema)
        ? `its inputSchema is ${tool.inputSchema === undefined ? 'missing' : 'not an object'}`
        : undefined;
  if (reason) skipped.push({ name: name || '(unnamed)', reason });
  return reason === undefined;
}

async function listAll(
  connection: BackendConnection,
  method: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: unknown;
  for (let page = 0; page < 100; page++) {
    const result = await connection.request(method, cursor === undefined ? {} : { cursor });
    items.push(...((result[key] as Record<string, unknown>[] | undefined) ?? []));
    cursor = result.nextCursor;
    if (cursor === undefined || cursor === null) break;
  }
  return items;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
