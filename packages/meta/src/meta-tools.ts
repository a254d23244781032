import type { default as Ajv, ValidateFunction } from 'ajv';
import {
  GatewayError,
  OPEN_SCOPE,
  isGatewayError,
  type BackendRegistry,
  type CallOptions,
  type Catalog,
  type CatalogTool,
  type ClientScope,
} from '@mcp-gateway/core';
import { META_TOOLS, type MetaToolName } from './definitions';
import { ToolIndex } from './search/tool-index';

/** A `tools/call` result, as MCP defines it. */
export type ToolResult = Record<string, unknown> & { content: unknown[]; isError?: boolean };

/**
 * `session`: the client session calling, for backends that give each session a connection of its own. `scope`:
 * what the caller may see and use (everything when absent).
 */
export type InvokeOptions = CallOptions & {
  progressToken?: string | number;
  session?: string;
  scope?: ClientScope;
};

export interface MetaToolsOptions {
  registry: BackendRegistry;
  catalog: Catalog;
}

/**
 * The meta-tools' behaviour, independent of any transport: listing and search are answered from the catalog
 * without starting a backend; `gateway_invoke` validates, forwards and returns the backend's result unchanged.
 *
 * @example const meta = new MetaTools({ registry: supervisor, catalog: supervisor })
 */
export class MetaTools {
  private readonly index = new ToolIndex();
  private readonly validators = new WeakMap<object, ValidateFunction>();
  /** Loaded with the first call to validate, not with the gateway: every start would pay for it. */
  private ajv: Promise<Ajv> | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: MetaToolsOptions) {
    for (const { name } of options.registry.list()) this.reindex(name);
    this.unsubscribe = options.catalog.onChange((backend) => this.reindex(backend));
  }

  definitions() {
    return META_TOOLS;
  }

  /** Runs one meta-tool. `progressToken` is the client's, forwarded to the backend by `gateway_invoke`. */
  async call(name: string, args: Record<string, unknown>, options: InvokeOptions = {}): Promise<ToolResult> {
    const scope = options.scope ?? OPEN_SCOPE;
    try {
      switch (name as MetaToolName) {
        case 'gateway_list_servers':
          return this.listServers(scope);
        case 'gateway_list_tools':
          return await this.listTools(requireString(args, 'server'), args.detail === true, scope);
        case 'gateway_search_tools':
          return this.searchTools(requireString(args, 'query'), args.limit, args.server, scope);
        case 'gateway_invoke':
          return await this.invoke(
            requireString(args, 'server'),
            requireString(args, 'tool'),
            args.arguments,
            options,
          );
        default:
          return failure(
            `Unknown tool "${name}". This gateway offers: ${META_TOOLS.map((t) => t.name).join(', ')}.`,
          );
      }
    } catch (error) {
      // Tool-level errors go back to the agent as results it can read and act on.
      if (isGatewayError(error)) return failure(error.message);
      throw error;
    }
  }

  close(): void {
    this.unsubscribe();
  }

  private listServers(scope: ClientScope): ToolResult {
    const servers = this.visibleServers(scope).map((b) => ({
      name: b.name,
      description: b.description,
      state: b.state,
      tools: this.visibleTools(b.name, scope)?.length ?? null,
    }));
    const lines = servers.map((s) => `${s.name} (${s.state}, ${s.tools ?? '?'} tools): ${s.description}`);
    return {
      content: [{ type: 'text', text: lines.join('\n') || 'No servers are configured.' }],
      structuredContent: { servers },
    };
  }

  private async listTools(server: string, detail: boolean, scope: ClientScope): Promise<ToolResult> {
    this.requireServer(server, scope);
    await this.options.catalog.load(server);
    const tools = this.visibleTools(server, scope) ?? [];
    const listed = detail ? tools : tools.map((tool) => compact(server, tool));
    const text = detail
      ? JSON.stringify(tools)
      : tools.map((t) => `${t.name}(${required(t).join(', ')}): ${summary(t)}`).join('\n') ||
        `${server} has no tools.`;
    return { content: [{ type: 'text', text }], structuredContent: { server, tools: listed } };
  }

  private searchTools(query: string, limit: unknown, server: unknown, scope: ClientScope): ToolResult {
    if (typeof server === 'string') this.requireServer(server, scope);
    const n = typeof limit === 'number' && limit >= 1 ? Math.min(50, Math.floor(limit)) : 5;
    const hits = this.index.search(query, {
      limit: n,
      backend: typeof server === 'string' ? server : undefined,
      accept: scope.identity ? (backend, tool) => scope.allows(backend, tool) : undefined,
    });
    const results = hits.map((hit) => compact(hit.backend, hit.tool));
    const text = results.length
      ? results.map((r) => `${r.server}/${r.name}(${r.required.join(', ')}): ${r.description}`).join('\n')
      : `No tool matches "${query}". Try other words, or gateway_list_servers and gateway_list_tools to browse.`;
    return { content: [{ type: 'text', text }], structuredContent: { results } };
  }

  private async invoke(
    server: string,
    toolName: string,
    args: unknown,
    options: InvokeOptions,
  ): Promise<ToolResult> {
    const scope = options.scope ?? OPEN_SCOPE;
    this.requireServer(server, scope);
    const args_ = args ?? {};
    if (typeof args_ !== 'object' || Array.isArray(args_))
      throw new GatewayError('INVALID_ARGUMENTS', '"arguments" must be an object.');
    await this.options.catalog.load(server);
    const tool = this.visibleTools(server, scope)?.find((t) => t.name === toolName);
    if (!tool) {
      const near = this.index
        .search(toolName, { limit: 3, backend: server, accept: (b, t) => scope.allows(b, t) })
        .map((h) => h.tool.name);
      throw new GatewayError(
        'TOOL_NOT_FOUND',
        `Server "${server}" has no tool "${toolName}".${near.length ? ` Did you mean: ${near.join(', ')}?` : ''}`,
      );
    }
    await this.validate(server, tool, args_);
    const connection = await this.options.registry.acquire(server, options.session);
    const { progressToken } = options;
    return (await connection.request(
      'tools/call',
      {
        name: toolName,
        arguments: args_,
        ...(progressToken !== undefined ? { _meta: { progressToken } } : {}),
      },
      options,
    )) as ToolResult;
  }

  private async validate(server: string, tool: CatalogTool, args: object): Promise<void> {
    let validate = this.validators.get(tool.inputSchema);
    if (!validate) {
      // `default`: ajv is CommonJS, whose module.exports (the Ajv class) is the default in Node and in the bundle.
      this.ajv ??= import('ajv').then(
        ({ default: Ajv }) => new Ajv({ strict: false, allErrors: true, validateSchema: false }),
      );
      const ajv = await this.ajv;
      try {
        validate = ajv.compile(tool.inputSchema);
      } catch {
        return; // a schema ajv cannot compile: let the backend judge the arguments
      }
      this.validators.set(tool.inputSchema, validate);
    }
    if (validate(args)) return;
    const problems = (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath ? `arguments${e.instancePath.replaceAll('/', '.')}` : 'arguments'} ${e.message}`,
    );
    throw new GatewayError(
      'INVALID_ARGUMENTS',
      `Invalid arguments for ${server}/${tool.name}: ${problems.join('; ')}. Expected input schema: ${JSON.stringify(tool.inputSchema)}`,
    );
  }

  /** A server the caller may not see is answered exactly as one that does not exist. */
  private requireServer(server: string, scope: ClientScope): void {
    if (!this.options.registry.has(server) || !scope.seesBackend(server)) {
      const known = this.visibleServers(scope)
        .map((b) => b.name)
        .join(', ');
      throw new GatewayError(
        'BACKEND_NOT_FOUND',
        `No server named "${server}". Servers: ${known || '(none)'}.`,
      );
    }
  }

  private visibleServers(scope: ClientScope) {
    return this.options.registry.list().filter((b) => scope.seesBackend(b.name));
  }

  /** The backend's cached tools that the caller may see; undefined when none are cached. */
  private visibleTools(server: string, scope: ClientScope): CatalogTool[] | undefined {
    const tools = this.options.catalog.get(server)?.tools;
    return tools && scope.identity ? tools.filter((t) => scope.allows(server, t.name)) : tools;
  }

  private reindex(backend: string): void {
    const catalog = this.options.catalog.get(backend);
    const description = this.options.registry.list().find((b) => b.name === backend)?.description;
    this.index.setBackend(
      backend,
      (catalog?.tools ?? []).map((tool) => ({ backend, backendDescription: description, tool })),
    );
  }
}

function requireString(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string' || value === '')
    throw new GatewayError('INVALID_ARGUMENTS', `"${key}" is required and must be a non-empty string.`);
  return value;
}

function required(tool: CatalogTool): string[] {
  const list = tool.inputSchema.required;
  return Array.isArray(list) ? list.filter((r): r is string => typeof r === 'string') : [];
}

/** The first sentence or line of a description, for compact listings. */
function summary(tool: CatalogTool): string {
  const text = (tool.description ?? '').trim().split('\n')[0]!;
  const sentence = /^(.{20,}?[.!?。])\s/.exec(`${text} `)?.[1] ?? text;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

function compact(server: string, tool: CatalogTool) {
  const hints = Object.fromEntries(
    Object.entries(tool.annotations ?? {}).filter(([key]) => key.endsWith('Hint')),
  );
  return {
    server,
    name: tool.name,
    description: summary(tool),
    required: required(tool),
    ...(Object.keys(hints).length ? { annotations: hints } : {}),
  };
}

function failure(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
