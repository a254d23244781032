import { createHash } from 'node:crypto';
import {
  GatewayError,
  type BackendRegistry,
  type Catalog,
  type CatalogTool,
  type ClientScope,
} from '@mcp-gateway/core';
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
  /** Each listed tool's route, in the list's order. */
  private listedRoutes: { backend: string; tool: string }[] = [];

  constructor(private readonly options: { registry: BackendRegistry; catalog: Catalog }) {
    this.rebuild();
  }

  /**
   * The aggregated list: the same array, byte for byte, until the catalog changes. With a `scope` that has an
   * identity, only the tools it may see, still in the same order.
   */
  list(scope?: ClientScope): CatalogTool[] {
    if (!scope?.identity) return this.listed;
    return this.listed.filter((_, i) =>
      scope.allows(this.listedRoutes[i]!.backend, this.listedRoutes[i]!.tool),
    );
  }

  /**
   * Rebuilds the list from the catalog; returns the tools that came, went or changed, as `[backend, tool]`, so that
   * each client can be told only about changes to what it may see.
   */
  rebuild(): [backend: string, tool: string][] {
    const routes = new Map<string, { backend: string; tool: string }>();
    const listed: CatalogTool[] = [];
    const listedRoutes: { backend: string; tool: string }[] = [];
    for (const { name: backend } of this.options.registry.list()) {
      for (const tool of this.options.catalog.get(backend)?.tools ?? []) {
        const name = namespacedName(backend, tool.name);
        const route = { backend, tool: tool.name };
        routes.set(name, route);
        listed.push({ ...tool, name });
        listedRoutes.push(route);
      }
    }
    const changed = changedItems(
      this.listed.map((tool, i) => [this.listedRoutes[i]!, tool]),
      listed.map((tool, i) => [listedRoutes[i]!, tool]),
    );
    if (changed.length > 0) {
      this.routes = routes;
      this.listed = listed;
      this.listedRoutes = listedRoutes;
    }
    return changed;
  }

  async call(name: string, args: Record<string, unknown>, options: InvokeOptions = {}): Promise<ToolResult> {
    const route = this.routes.get(name);
    if (!route || (options.scope && !options.scope.allows(route.backend, route.tool))) {
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

/** The items that differ between two lists of `[route, item]`: added, removed, or changed in any field. */
export function changedItems(
  before: [{ backend: string; tool: string }, unknown][],
  after: [{ backend: string; tool: string }, unknown][],
): [backend: string, tool: string][] {
  const key = (route: { backend: string; tool: string }) => `${route.backend}\n${route.tool}`;
  const old = new Map(before.map(([route, item]) => [key(route), JSON.stringify(item)]));
  const changed = new Map<string, [string, string]>();
  for (const [route, item] of after) {
    const k = key(route);
    if (old.get(k) !== JSON.stringify(item)) changed.set(k, [route.backend, route.tool]);
    old.delete(k);
  }
  for (const [route] of before) if (old.has(key(route))) changed.set(key(route), [route.backend, route.tool]);
  return [...changed.values()];
}
