import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { silentLogger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from 'mcp-gateway';
import { fileURLToPath } from 'node:url';
import type { ToolCatalog } from './catalogs';

export const exampleConfig = fileURLToPath(new URL('../../../../examples/servers.yaml', import.meta.url));

/** The example config's real backends, listed over MCP through the running gateway (loopback only). */
export async function exampleCatalog(): Promise<ToolCatalog> {
  const stateDir = mkdtempSync(join(tmpdir(), 'mcpgw-bench-'));
  const gateway = new Gateway(
    GatewayConfig.fromYaml(exampleConfig).withOverrides({ port: 0, host: '127.0.0.1', stateDir }),
    {
      logger: silentLogger,
    },
  );
  try {
    const base = await gateway.start();
    const backends = [];
    for (const name of Object.keys(gateway.config.backends)) {
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`/mcp/${name}`, base)));
      backends.push({
        name,
        tools: (await client.listTools()).tools as ToolCatalog['backends'][number]['tools'],
      });
      await client.close();
    }
    return { name: 'example config (3 servers, live)', backends };
  } finally {
    await gateway.close();
  }
}
