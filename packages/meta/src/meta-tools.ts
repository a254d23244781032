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
  type TextEmbedder,
} from '@mcp-gateway/core';
import { META_TOOLS, type MetaToolName } from './definitions';
import { ToolIndex, type SearchExplanation, type SearchHit } from './search/tool-index';

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
  /**
   * How long listing and search wait for backends whose tools are still being learned (a first start, a backend
   * just added) before answering with what is known and naming the rest as pending. Default 5 s.
   */
  catalogWaitMs?: number;
  /** The semantic arm of search (`@mcp-gateway/embeddings`); without it search is lexical only. */
  embedder?: TextEmbedder;
}

/** How long the catalog must stay unchanged before the tool vectors are computed (a warm-up changes it often). */
const PREPARE_DELAY_MS = 300;

/** The default of {@link MetaToolsOptions.catalogWaitMs}. */
export const CATALOG_WAIT_MS = 5000;

/**
 * The meta-tools' behaviour, independent of any transport: listing and search are answered from the catalog
 * without starting a backend; `gateway_invoke` validates, forwards and returns the backend's result unchanged.
 *
 * @example const meta = new MetaTools({ registry: supervisor, catalog: supervisor })
 */
export class MetaTools {
  private readonly index: ToolIndex;
  private readonly validators = new WeakMap<object, ValidateFunction>();
  /** Loaded with the first call to validate, not with the gateway: every start would pay for it. */
  private ajv: Promise<Ajv> | undefined;
  private readonly unsubscribe: () => void;
  /** Tool vectors are computed shortly after the catalog settles, not by the first search. */
  private prepareTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: MetaToolsOptions) {
    this.index = new ToolIndex([], options.embedder ? { embedder: options.embedder } : {});
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
          return withPending(this.listServers(scope), await this.complete(scope));
        case 'gateway_list_tools':
          return await this.listTools(requireString(args, 'server'), args.detail === true, scope);
        case 'gateway_search_tools': {
          const query = requireString(args, 'query');
          if (typeof args.server === 'string') this.requireServer(args.server, scope);
          const pending = await this.complete(scope);
          return withPending(this.searchTools(query, args.limit, args.server, scope), pending);
        }
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

  /**
   * The ranking `gateway_search_tools` runs, with why each tool matched: for the console's search box (it shows
   * every tool, as an admin sees them).
   */
  explainSearch(query: string, limit = 10): (SearchHit & { why: SearchExplanation })[] {
    return this.index
      .search(query, { limit })
      .map((hit) => ({ ...hit, why: this.index.explain(query, hit) }));
  }

  close(): void {
    clearTimeout(this.prepareTimer);
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

  /**
   * Waits (at most `catalogWaitMs`) for backends still being learned; returns those the caller may see that are
   * still not known.
   */
  private async complete(scope: ClientScope): Promise<string[]> {
    const { catalog, catalogWaitMs = CATALOG_WAIT_MS } = this.options;
    if (catalog.pending().length > 0) await catalog.settle(catalogWaitMs);
    return catalog.pending().filter((backend) => scope.seesBackend(backend));
  }

  private searchTools(query: string, limit: unknown, server: unknown, scope: ClientScope): ToolResult {
    const selection = /^\s*select:(.*)$/is.exec(query);
    if (selection) return this.select(selection[1]!, typeof server === 'string' ? server : undefined, scope);
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

  /** `select:server/tool,other`: exactly the tools named (as `tool`, `server/tool` or `server__tool`), in order. */
  private select(names: string, server: string | undefined, scope: ClientScope): ToolResult {
    const wanted = names
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const results: ReturnType<typeof compact>[] = [];
    const missing: string[] = [];
    for (const name of wanted) {
      const hits = this.index.named(name, { backend: server, accept: (b, t) => scope.allows(b, t) });
      if (hits.length === 0) missing.push(name);
      for (const hit of hits) results.push(compact(hit.backend, hit.tool));
    }
    const lines = results.map((r) => `${r.server}/${r.name}(${r.required.join(', ')}): ${r.description}`);
    if (missing.length) lines.push(`No tool named: ${missing.join(', ')}.`);
    if (wanted.length === 0) lines.push('select: names no tool; write select:server/tool,other_tool.');
    return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { results } };
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
    if (!tool) throw this.noSuchTool(server, toolName, scope);
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

  /**
   * The error for a tool `server` lacks (or hides), with the closest tools the caller may see: on that server by
   * name and words, and elsewhere by exact name.
   */
  private noSuchTool(server: string, toolName: string, scope: ClientScope): GatewayError {
    const accept = (b: string, t: string) => scope.allows(b, t);
    const visible = (this.visibleTools(server, scope) ?? []).map((t) => `${server}/${t.name}`);
    const typos = visible.filter((name) => editDistance(name.slice(server.length + 1), toolName) <= 2);
    const elsewhere = this.index.named(toolName, { accept }).filter((h) => h.backend !== server);
    const near = this.index.search(toolName.replace(/[_\-.]+/g, ' '), { limit: 3, backend: server, accept });
    const named = [...typos, ...[...elsewhere, ...near].map((h) => `${h.backend}/${h.tool.name}`)];
    const hint = named.length ? ` Closest: ${[...new Set(named)].slice(0, 5).join(', ')}.` : '';
    return new GatewayError('TOOL_NOT_FOUND', `Server "${server}" has no tool "${toolName}".${hint}`);
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
    if (!this.options.embedder) return;
    clearTimeout(this.prepareTimer);
    this.prepareTimer = setTimeout(() => this.index.prepare(), PREPARE_DELAY_MS).unref();
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

/** Optimal string alignment distance (Levenshtein with transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[x.length]![y.length]!;
}

/** Names the backends not known yet, in the text and as `pending` in `structuredContent`. */
function withPending(result: ToolResult, pending: string[]): ToolResult {
  if (pending.length === 0) return result;
  const [first] = result.content as { type: string; text: string }[];
  const line = `Still starting, tools not known yet: ${pending.join(', ')}. Ask again shortly to include them.`;
  return {
    ...result,
    content: [{ type: 'text', text: `${first!.text}\n${line}` }],
    structuredContent: { ...(result.structuredContent as object), pending },
  };
}

function failure(text: string): ToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
