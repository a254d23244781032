import { GatewayError, type BackendRegistry, type Catalog } from '@mcp-gateway/core';
import { namespacedName } from './aggregate-tools';
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

/** Aggregate mode's resources, resource templates and prompts, from the catalog, routed back on use. */
export class AggregateResources {
  constructor(private readonly options: { registry: BackendRegistry; catalog: Catalog }) {}

  resources(): Item[] {
    return this.each('resources', (backend, r) => ({ ...r, uri: namespacedUri(backend, String(r.uri)) }));
  }

  resourceTemplates(): Item[] {
    return this.each('resourceTemplates', (backend, t) => ({
      ...t,
      uriTemplate: namespacedUri(backend, String(t.uriTemplate)),
    }));
  }

  prompts(): Item[] {
    return this.each('prompts', (backend, p) => ({ ...p, name: namespacedName(backend, String(p.name)) }));
  }

  /** `resources/read`, `resources/subscribe` or `resources/unsubscribe` for a namespaced URI. */
  async resource(method: string, params: Item, options: InvokeOptions = {}): Promise<Item> {
    const target = parseNamespacedUri(String(params.uri));
    if (!target || !this.options.registry.has(target.backend)) {
      throw new GatewayError(
        'INVALID_ARGUMENTS',
        `Unknown resource URI "${String(params.uri)}": aggregate URIs look like gateway://<backend>/<uri>.`,
      );
    }
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
    for (const { name: backend } of this.options.registry.list()) {
      const prompt = this.options.catalog
        .get(backend)
        ?.prompts.find((p) => namespacedName(backend, String(p.name)) === params.name);
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

  private each(
    list: 'resources' | 'resourceTemplates' | 'prompts',
    map: (backend: string, item: Item) => Item,
  ): Item[] {
    return this.options.registry
      .list()
      .flatMap(({ name }) => (this.options.catalog.get(name)?.[list] ?? []).map((item) => map(name, item)));
  }
}
