import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@mcp-gateway/core';
import { exampleConfig } from '@mcp-gateway/examples';
import { Gateway, GatewayConfig } from 'mcp-gateway';
import { NODE_22, node22Available } from '../src/suite';

// The MCP Inspector's CLI (@modelcontextprotocol/inspector --cli, which needs Node 22) against the running gateway
// on the example configuration: a client none of us wrote.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const INSPECTOR = here('../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');

function inspect(url: URL, args: string[]): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-inspector-'));
  return new Promise((resolve, reject) => {
    execFile(
      NODE_22,
      [INSPECTOR, '--cli', url.href, '--transport', 'http', ...args],
      { timeout: 60_000, env: { ...process.env, HOME: dir, MCP_CATALOG_PATH: join(dir, 'mcp.json') } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`inspector ${args.join(' ')}: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout));
      },
    );
  });
}

describe.skipIf(!node22Available)('MCP Inspector CLI against the gateway', () => {
  let gateway: Gateway;
  let base: URL;
  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'mcpgw-inspector-state-'));
    const config = GatewayConfig.fromYaml(exampleConfig).withOverrides({ port: 0, stateDir });
    gateway = new Gateway(config, { logger: silentLogger });
    base = await gateway.start();
  });
  afterAll(() => gateway.close());

  it('lists and calls tools, reads a resource and gets a prompt through /mcp/everything', async () => {
    const url = new URL('/mcp/everything', base);
    const tools = (await inspect(url, ['--method', 'tools/list'])) as { tools: { name: string }[] };
    expect(tools.tools.map((t) => t.name)).toContain('echo');
    expect(
      await inspect(url, [
        '--method',
        'tools/call',
        '--tool-name',
        'echo',
        '--tool-arg',
        'message=inspector',
      ]),
    ).toEqual({ content: [{ type: 'text', text: 'Echo: inspector' }] });
    const uri = 'demo://resource/static/document/architecture.md';
    expect(await inspect(url, ['--method', 'resources/read', '--uri', uri])).toMatchObject({
      contents: [{ uri, mimeType: 'text/markdown', text: expect.stringContaining('Architecture') }],
    });
    expect(await inspect(url, ['--method', 'prompts/get', '--prompt-name', 'simple-prompt'])).toEqual({
      messages: [
        { role: 'user', content: { type: 'text', text: 'This is a simple prompt without arguments.' } },
      ],
    });
  });

  it('lists the meta-tools and invokes a backend tool through /mcp', async () => {
    const url = new URL('/mcp', base);
    const tools = (await inspect(url, ['--method', 'tools/list'])) as { tools: { name: string }[] };
    expect(tools.tools).toHaveLength(4);
    const result = await inspect(url, [
      '--method',
      'tools/call',
      '--tool-name',
      'gateway_invoke',
      '--tool-arg',
      'server=everything',
      'tool=echo',
      'arguments={"message":"via meta"}',
    ]);
    expect(result).toMatchObject({ content: [{ type: 'text', text: 'Echo: via meta' }] });
  });
});
