import { randomUUID } from 'node:crypto';
import { Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { BackendSettings } from '@mcp-gateway/core';
import { serveFetch } from '@mcp-gateway/examples';

/**
 * A sessionful Streamable HTTP MCP server (the SDK's own transport, on node:http, 127.0.0.1) that can forget its
 * sessions on demand, as a restarted or expiring backend does; it then answers 404 as the spec says.
 */
export async function startForgetfulServer() {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const stats = { initializes: 0, calls: 0 };
  const server = await serveFetch(async (request) => {
    const sessionId = request.headers.get('mcp-session-id');
    let transport = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId && !transport) {
      return Response.json(
        { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } },
        { status: 404 },
      );
    }
    if (!transport) {
      const fresh: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void (sessions.set(id, fresh), stats.initializes++),
        onsessionclosed: (id) => void sessions.delete(id),
      });
      const mcp = new Server({ name: 'forgetful', version: '1.0.0' }, { capabilities: { tools: {} } });
      mcp.setRequestHandler('tools/list', async () => ({
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
      }));
      mcp.setRequestHandler('tools/call', async (call) => {
        stats.calls++;
        return { content: [{ type: 'text', text: String(call.params.arguments?.message) }] };
      });
      await mcp.connect(fresh);
      transport = fresh;
    }
    return transport.handleRequest(request);
  });
  return {
    url: new URL('/mcp', server.origin),
    stats,
    /** Sessions open now (a DELETE ends one). */
    openSessions: () => sessions.size,
    /** Drops every session, as a backend restart would. */
    forget: () => sessions.clear(),
    close: server.close,
    [Symbol.asyncDispose]: server.close,
  };
}

/** Settings for a backend at `url` over Streamable HTTP, with 5 s timeouts and no hibernation. */
export function httpSettings(
  name: string,
  url: URL,
  isolation: BackendSettings['isolation'] = 'shared',
): BackendSettings {
  return {
    name,
    description: '',
    target: { kind: 'http', url: url.href, headers: {} },
    timeouts: { startMs: 5000, requestMs: 5000, idleMs: 0 },
    isolation,
  };
}
