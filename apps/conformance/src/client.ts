// The client side of the conformance suite's client scenarios, played by the gateway's upstream: the suite starts a
// test server and runs `client.ts <server-url>` with MCP_CONFORMANCE_SCENARIO set. The connection is the one the
// gateway opens to an HTTP backend (connectBackend: era probe, initialize, then requests).
import { GatewayConfig } from '@mcp-gateway/config';
import { connectBackend } from '@mcp-gateway/transports';

const url = process.argv[2];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? 'initialize';
if (!url) throw new Error('usage: client.ts <server-url>');

const config = new GatewayConfig(
  { backends: { upstream: { http_url: url, transport: 'http' } } },
  { env: {} },
);
const connection = await connectBackend(config.backends.upstream!);
try {
  if (scenario === 'tools_call') {
    const { tools } = (await connection.request('tools/list', {})) as { tools: { name: string }[] };
    for (const tool of tools)
      if (tool.name === 'add_numbers')
        await connection.request('tools/call', { name: tool.name, arguments: { a: 5, b: 3 } });
  }
} finally {
  await connection.close();
}
