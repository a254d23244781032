import { Server } from '@modelcontextprotocol/server';
import type { AggregateResources, AggregateTools, InvokeOptions, MetaTools } from '@mcp-gateway/meta';
import { LOCAL_CALLER, type Caller } from '../internal/caller';
import { wireErrors } from '../internal/errors';
import type { InputRounds } from '../modern/input-rounds';

export interface GatewayServerInfo {
  name: string;
  version: string;
}

const INSTRUCTIONS =
  'This gateway fronts several MCP servers. Find a tool with gateway_search_tools, then call it with gateway_invoke.';

/** What `/mcp` serves: the meta-tools, or every backend tool (aggregate mode). */
export type ToolSource =
  | { mode: 'meta'; tools: MetaTools }
  | { mode: 'aggregate'; tools: AggregateTools; resources: AggregateResources };

/**
 * One MCP server instance for one client session on `/mcp` (or for one modern-era request). Each gets its own, so
 * progress, cancellation and backend→client requests stay with the client that caused them. `rounds`: serving a
 * modern-era client, which takes backend→client requests as input-required results.
 */
export function createGatewayServer(
  source: ToolSource,
  info: GatewayServerInfo,
  rounds?: InputRounds,
  caller: Caller = LOCAL_CALLER,
): Server {
  const { scope } = caller;
  const server = new Server(info, {
    capabilities:
      source.mode === 'meta'
        ? { tools: { listChanged: true } }
        : {
            tools: { listChanged: true },
            resources: { subscribe: true, listChanged: true },
            prompts: { listChanged: true },
          },
    ...(source.mode === 'meta' ? { instructions: INSTRUCTIONS } : {}),
  });
  server.setRequestHandler(
    'tools/list',
    async () =>
      ({ tools: source.mode === 'meta' ? source.tools.definitions() : source.tools.list(scope) }) as never,
  );
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    const options: InvokeOptions = {
      signal: ctx.mcpReq.signal,
      session: sessionOf(ctx),
      scope,
      client: scope.identity,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      onNotification: (notification) => void ctx.mcpReq.notify(notification as never).catch(() => {}),
      onRequest: async (backendRequest) =>
        (await ctx.mcpReq.send({
          method: backendRequest.method,
          params: backendRequest.params,
        } as never)) as Record<string, unknown>,
    };
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const call = (overrides: Partial<InvokeOptions>) =>
      source.tools.call(request.params.name, args, { ...options, ...overrides }) as Promise<never>;
    return wireErrors(() => (rounds ? rounds.run(ctx, call, caller.owner) : call({})));
  });
  if (source.mode === 'aggregate') {
    const { resources } = source;
    const params = (request: { params?: unknown }) => (request.params ?? {}) as Record<string, unknown>;
    const callOptions = (ctx: { mcpReq: { signal: AbortSignal }; sessionId?: string }) => ({
      signal: ctx.mcpReq.signal,
      session: sessionOf(ctx),
      scope,
      client: scope.identity,
    });
    server.setRequestHandler(
      'resources/list',
      async () => ({ resources: resources.resources(scope) }) as never,
    );
    server.setRequestHandler(
      'resources/templates/list',
      async () => ({ resourceTemplates: resources.resourceTemplates(scope) }) as never,
    );
    server.setRequestHandler('prompts/list', async () => ({ prompts: resources.prompts(scope) }) as never);
    for (const method of ['resources/read', 'resources/subscribe', 'resources/unsubscribe'] as const) {
      server.setRequestHandler(method, async (request, ctx) =>
        wireErrors(() => resources.resource(method, params(request), callOptions(ctx))),
      );
    }
    server.setRequestHandler('prompts/get', async (request, ctx) =>
      wireErrors(() => resources.getPrompt(params(request), callOptions(ctx))),
    );
  }
  return server;

  /** The client session for backends that give each one a connection of its own; modern-era requests have none. */
  function sessionOf(ctx: { sessionId?: string }): string | undefined {
    return rounds ? undefined : ctx.sessionId;
  }
}
