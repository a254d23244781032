import { Server } from '@modelcontextprotocol/server';
import type { MetaTools } from '@mcp-gateway/meta';

export interface GatewayServerInfo {
  name: string;
  version: string;
}

const INSTRUCTIONS =
  'This gateway fronts several MCP servers. Find a tool with gateway_search_tools, then call it with gateway_invoke.';

/**
 * One MCP server instance for one client session on `/mcp` in meta mode. Each session gets its own, so
 * progress, cancellation and backend→client requests stay with the client that caused them.
 */
export function createMetaServer(meta: MetaTools, info: GatewayServerInfo): Server {
  const server = new Server(info, {
    capabilities: { tools: { listChanged: true } },
    instructions: INSTRUCTIONS,
  });
  server.setRequestHandler('tools/list', async () => ({ tools: meta.definitions() }) as never);
  server.setRequestHandler('tools/call', async (request, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    return (await meta.call(
      request.params.name,
      (request.params.arguments ?? {}) as Record<string, unknown>,
      {
        signal: ctx.mcpReq.signal,
        progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
        onNotification: (notification) => void ctx.mcpReq.notify(notification as never).catch(() => {}),
        onRequest: async (request) =>
          (await ctx.mcpReq.send({ method: request.method, params: request.params } as never)) as Record<
            string,
            unknown
          >,
      },
    )) as never;
  });
  return server;
}
