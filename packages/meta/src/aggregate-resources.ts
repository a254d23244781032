import {
  GatewayError,
  JsonRpcError,
  JsonRpcErrorCode,
  OPEN_SCOPE,
  type BackendRegistry,
  type Catalog,
  type ClientScope,
} from '@mcp-gateway/core';
import { changedItems, namespacedName } from './aggregate-tools';
import type { InvokeOptions } from './meta-tools';

const PREFIX = /^gateway:\/\/([A-Za-z0-9][A-Za-z0-9_.-]*)\/(.*)$/s;

/**
 * Resource URIs in aggregate mode: `gateway://<backend>/<original uri>`, left unencoded so that a resource
 * template's `{variables}` survive a client's expansion, and reversible by the prefix alone.
 */
export function namespacedUri(backend: string, uri: string): string {
  return `gateway://${backend}/${uri}`;
}

export function parseNamespacedUri(uri: string): { backend: string; uri: string } | undefined {
  const match = PREFIX.exec(uri);
  return match ? { backend: match[1]!, uri: match[2]! } : undefined;
}

type Item = Record<string, unknown>;

type Route = { backend: string; tool: string };

/** Aggregate mode's resources, resource templates and prompts, from the catalog, routed back on use. */
export class AggregateResources {
  /** What the lists held when last compared, to say what a catalog change changed. */
  private last = { resources: [] as [Route, unknown][], prompts: [] as [Route, unknown][] };

  constructor(private readonly options: { registry: BackendRegistry; catalog: Catalog }) {
    this.changes();
  }

  /**
   * The resources (and templates) and prompts that came, went or changed since the last call, as
   * `[backend, uri or name]`, so that each client is told only about changes to what it may see.
   */
  changes(): { resources: [string, string][]; prompts: [string, string][] } {
    const now = {
      resources: [...this.items('resources', 'uri'), ...this.items('resourceTemplates', 'uriTemplate')],
      prompts: this.items('prompts', 'name'),
    };
    const changes = {
      resources: changedItems(this.last.resources, now.resources),
      prompts: changedItems(this.last.prompts, now.prompts),
    };
    this.last = now;
    return changes;
  }

  private items(list: 'resources' | 'resourceTemplates' | 'prompts', field: string): [Route, unknown][] {
    return this.options.registry
      .list()
      .flatMap(({ name }) =>
        (this.options.catalog.get(name)?.[list] ?? []).map((item): [Route, unknown] => [
          { backend: name, tool: String(item[field]) },
          item,
        ]),
      );
  }

  resources(scope: ClientScope = OPEN_SCOPE): Item[] {
    return this.each('resources', scope, 'uri', (backend, r) => ({
      ...r,
      uri: namespacedUri(backend, String(r.uri)),
    }));
  }

  resourceTemplates(scope: ClientScope = OPEN_SCOPE): Item[] {
    return this.each('resourceTemplates', scope, 'uriTemplate', (backend, t) => ({
      ...t,
      uriTemplate: namespacedUri(backend, String(t.uriTemplate)),
    }));
  }

  prompts(scope: ClientScope = OPEN_SCOPE): Item[] {
    return this.each('prompts', scope, 'name', (backend, p) => ({
      ...p,
      name: namespacedName(backend, String(p.name)),
    }));
  }

  /** `resources/read`, `resources/subscribe` or `resources/unsubscribe` for a namespaced URI. */
  async resource(method: string, params: Item, options: InvokeOptions = {}): Promise<Item> {
    const scope = options.scope ?? OPEN_SCOPE;
    const target = parseNamespacedUri(String(params.uri));
    if (!target || !this.options.registry.has(target.backend) || !scope.seesBackend(target.backend)) {
      throw new GatewayError(
        'INVALID_ARGUMENTS',
        `Unknown resource URI "${String(params.uri)}": aggregate URIs look like gateway://<backend>/<uri>.`,
      );
    }
    // What the caller may not see is answered as the resource it is not: not found.
    if (!scope.allows(target.backend, target.uri))
      throw new JsonRpcError(JsonRpcErrorCode.ResourceNotFound, `Resource ${String(params.uri)} not found`, {
        uri: params.uri,
      });
    const connection = await this.options.registry.acquire(target.backend, options.session);
    const result = await connection.request(method, { ...params, uri: target.uri }, options);
    // Contents name the resource they came from; keep those URIs readable through the gateway too.
    if (!Array.isArray(result.contents)) return result;
    return {
      ...result,
      contents: result.contents.map((c: Item) =>
        typeof c.uri === 'string' ? { ...c, uri: namespacedUri(target.backend, c.uri) } : c,
      ),
    };
  }

  async getPrompt(params: Item, options: InvokeOptions = {}): Promise<Item> {
    const scope = options.scope ?? OPEN_SCOPE;
    for (const { name: backend } of this.options.registry.list()) {
      const prompt = this.options.catalog
        .get(backend)
        ?.prompts.find(
          (p) =>
            namespacedName(backend, String(p.name)) === params.name && scope.allows(backend, String(p.name)),
        );
      if (prompt)
        return (await this.options.registry.acquire(backend, options.session)).request(
          'prompts/get',
          { ...params, name: prompt.name },
          options,
        );
    }
    throw new GatewayError(
      'INVALID_ARGUMENTS',
      `No prompt named "${String(params.name)}". Prompt names are backend__prompt; list them with prompts/list.`,
    );
  }

  /** One list across the backends, of the items `scope` may see (`field` names an item), namespaced by `map`. */
  private each(
    list: 'resources' | 'resourceTemplates' | 'prompts',
    scope: ClientScope,
    field: string,
    map: (backend: string, item: Item) => Item,
  ): Item[] {
    return this.options.registry
      .list()
      .flatMap(({ name }) =>
        (this.options.catalog.get(name)?.[list] ?? [])
          .filter((item) => scope.allows(name, String(item[field])))
          .map((item) => map(name, item)),
      );
  }
}
