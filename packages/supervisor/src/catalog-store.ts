import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  errorMessage,
  type BackendCatalog,
  type BackendConnection,
  type BackendSettings,
  type CatalogTool,
  type Logger,
} from '@mcp-gateway/core';

/** Which list each `list_changed` notification refreshes. */
export const LIST_CHANGED: Record<string, keyof Lists> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/resources/list_changed': 'resources',
  'notifications/prompts/list_changed': 'prompts',
};

type Lists = Pick<BackendCatalog, 'tools' | 'resources' | 'resourceTemplates' | 'prompts'>;

const LIST_METHODS: Record<keyof Lists, [method: string, capability: string]> = {
  tools: ['tools/list', 'tools'],
  resources: ['resources/list', 'resources'],
  resourceTemplates: ['resources/templates/list', 'resources'],
  prompts: ['prompts/list', 'prompts'],
};

/**
 * Backend catalogs in memory and on disk (`<stateDir>/catalog/<backend>.json`), so listing and search work while
 * backends hibernate and after a restart. A cached file whose backend settings changed since is ignored.
 */
export class CatalogStore {
  private readonly catalogs = new Map<string, BackendCatalog>();
  private readonly dir: string | undefined;

  constructor(
    stateDir: string | undefined,
    private readonly settings: Record<string, BackendSettings>,
    private readonly logger: Logger,
  ) {
    this.dir = stateDir ? join(stateDir, 'catalog') : undefined;
    for (const name of Object.keys(settings)) this.readCached(name);
  }

  get(backend: string): BackendCatalog | undefined {
    return this.catalogs.get(backend);
  }

  /** Fetches the given lists (all by default) from a live backend and stores the result. */
  async refresh(
    backend: string,
    connection: BackendConnection,
    only?: (keyof Lists)[],
  ): Promise<BackendCatalog> {
    const capabilities = connection.initializeResult.capabilities ?? {};
    const previous = this.catalogs.get(backend);
    const next: BackendCatalog =
      previous && only
        ? { ...previous }
        : { backend, tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: '' };
    for (const key of only ?? (Object.keys(LIST_METHODS) as (keyof Lists)[])) {
      const [method, capability] = LIST_METHODS[key];
      if (!(capability in capabilities)) continue;
      try {
        const items = await listAll(connection, method, key);
        if (key === 'tools') next.tools = this.validTools(backend, items);
        else next[key] = items;
      } catch (error) {
        this.logger.warn(`could not fetch ${method}`, { backend, error: errorMessage(error) });
      }
    }
    next.updatedAt = new Date().toISOString();
    this.catalogs.set(backend, next);
    this.writeCached(backend, next);
    return next;
  }

  /** Keeps each tool that has a name and an object schema; one bad tool never hides the others. */
  private validTools(backend: string, items: Record<string, unknown>[]): CatalogTool[] {
    return items.filter((tool): tool is CatalogTool => {
      const ok = typeof tool.name === 'string' && tool.name !== '' && isObject(tool.inputSchema);
      if (!ok)
        this.logger.warn('skipped a tool with no name or no input schema object', {
          backend,
          tool: String(tool.name),
        });
      return ok;
    });
  }

  private file(backend: string): string | undefined {
    return this.dir ? join(this.dir, `${backend}.json`) : undefined;
  }

  private fingerprint(backend: string): string {
    return createHash('sha256')
      .update(JSON.stringify(this.settings[backend]?.target ?? null))
      .digest('hex')
      .slice(0, 16);
  }

  private readCached(backend: string): void {
    const file = this.file(backend);
    if (!file) return;
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as {
        fingerprint: string;
        catalog: BackendCatalog;
      };
      if (cached.fingerprint === this.fingerprint(backend)) this.catalogs.set(backend, cached.catalog);
    } catch {
      // no cache yet, or unreadable: the next start fills it
    }
  }

  private writeCached(backend: string, catalog: BackendCatalog): void {
    const file = this.file(backend);
    if (!file || !this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify({ fingerprint: this.fingerprint(backend), catalog }));
      renameSync(`${file}.tmp`, file); // atomic: a reader never sees half a file
    } catch (error) {
      this.logger.warn('could not write the catalog cache', { backend, file, error: errorMessage(error) });
    }
  }
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
