import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';

/**
 * A sessionful Streamable HTTP MCP server (the SDK's own transport, on node:http, 127.0.0.1) that can forget its
 * sessions on demand, as a restarted or expiring backend does; it then answers 404 as the spec says.
 */
export async function startForgetfulServer() {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const stats = { initializes: 0, calls: 0 };
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(key, value);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
    });
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (sessionId && !transport) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }),
        );
      return;
    }
    if (!transport) {
      const fresh: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void (sessions.set(id, fresh), stats.initializes++),
      });
      const server = new Server({ name: 'forgetful', version: '1.0.0' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/list', async () => ({
        tools: [{ name: 'echo', inputSchema: { type: 'object' } }],
      }));
      server.setRequestHandler('tools/call', async (call) => {
        stats.calls++;
        return { content: [{ type: 'text', text: String(call.params.arguments?.message) }] };
      });
      await server.connect(fresh);
      transport = fresh;
    }
    const response = await transport.handleRequest(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    stats,
    /** Drops every session, as a backend restart would. */
    forget: () => sessions.clear(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
