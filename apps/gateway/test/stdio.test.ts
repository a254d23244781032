import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { alive, bin, descendants, exampleConfig, tsx } from './helpers';

describe('mcp-gateway --stdio (the stdio front door)', () => {
  it('serves the meta-tools on stdin/stdout, invokes a real backend, and leaves nothing behind', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...tsx, bin, '--stdio', '--config', exampleConfig, '--log-level', 'debug'],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (d: Buffer) => (stderr += d));
    const client = new Client({ name: 'stdio-test', version: '1' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(4); // the meta-tools
      expect(tools.map((t) => t.name)).toContain('gateway_invoke');
      const result = await client.callTool({
        name: 'gateway_invoke',
        arguments: { server: 'everything', tool: 'echo', arguments: { message: 'over stdio' } },
      });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: over stdio' }]);
      // Logs went to stderr (debug level, so there are some); stdout carried only JSON-RPC, or the client would
      // have failed to parse it.
      expect(stderr).toContain('serving on stdio');
    } finally {
      const started = descendants(transport.pid!);
      expect(started.length).toBeGreaterThanOrEqual(1);
      await client.close(); // closes stdin: the gateway shuts down and stops its backends
      const deadline = Date.now() + 10_000;
      while (alive([transport.pid!, ...started]).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(alive([transport.pid!, ...started])).toEqual([]);
    }
  });

  it('serves a 2026-07-28 client too, which opens with server/discover', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...tsx, bin, '--stdio', '--config', exampleConfig],
      stderr: 'pipe',
    });
    const client = new Client(
      { name: 'stdio-modern', version: '1' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(transport);
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect((await client.listTools()).tools).toHaveLength(4);
      const result = await client.callTool({
        name: 'gateway_invoke',
        arguments: { server: 'everything', tool: 'echo', arguments: { message: 'modern stdio' } },
      });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: modern stdio' }]);
    } finally {
      await client.close();
    }
  });
});
