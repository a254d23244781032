import { createHash } from 'node:crypto';
import { GatewayError, type BackendRegistry, type Catalog, type CatalogTool } from '@mcp-gateway/core';
import type { InvokeOptions, ToolResult } from './meta-tools';

/** Tool names must stay within 64 characters for many clients. */
export const MAX_TOOL_NAME = 64;

/** `backend__tool`, or, when that is too long, a prefix plus a hash of the whole, unique and stable. */
export function namespacedName(backend: string, tool: string): string {
  const full = `${backend}__${tool}`;
  if (full.length <= MAX_TOOL_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_TOOL_NAME - hash.length - 1)}_${hash}`;
}

/**
 * Aggregate mode: every backend's tools under namespaced names, in configuration order, from the catalog. A
 * backend with no catalog (never started, or down since) is left out rather than failing the list.
 */
export class AggregateTools {
  private routes = new Map<string, { backend: string; tool: string }>();
  private listed: (CatalogTool & { name: string })[] = [];

  constructor(private readonly options: { registry: BackendRegistry; catalog: Catalog }) {
    this.rebuild();
  }

  /** The aggregated list; the same array, byte for byte, until the catalog changes. */
  list(): CatalogTool[] {
    return this.listed;
  }

  /** Rebuilds the list from the catalog; returns whether it changed. */
  rebuild(): boolean {
    const routes = new Map<string, { backend: string; tool: string }>();
    const listed: CatalogTool[] = [];
    for (const { name: backend } of this.options.registry.list()) {
      for (const tool of this.options.catalog.get(backend)?.tools ?? []) {
        const name = namespacedName(backend, tool.name);
        routes.set(name, { backend, tool: tool.name });
        listed.push({ ...tool, name });
      }
    }
    const changed = JSON.stringify(listed) !== JSON.stringify(this.listed);
    if (changed) {
      this.routes = routes;
      this.listed = listed;
    }
    return changed;
  }

  async call(name: string, args: Record<string, unknown>, options: InvokeOptions = {}): Promise<ToolResult> {
    const route = this.routes.get(name);
    if (!route) {
      throw new GatewayError(
        'TOOL_NOT_FOUND',
        `No tool named "${name}". Tool names are backend__tool; list them with tools/list.`,
      );
    }
    const connection = await this.options.registry.acquire(route.backend, options.session);
    const { progressToken } = options;
    return (await connection.request(
      'tools/call',
      {
        name: route.tool,
        arguments: args,
        ...(progressToken !== undefined ? { _meta: { progressToken } } : {}),
      },
      options,
    )) as ToolResult;
  }
}
