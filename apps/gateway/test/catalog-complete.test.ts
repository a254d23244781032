import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@mcp-gateway/core';
import { fixtureBackend } from '@mcp-gateway/examples';
import { Gateway, GatewayConfig } from '../src/index';
import { connectClient } from './helpers';

// Search and listing right after a first start: they wait (bounded) for backends still being learned, then answer
// with what is known and name the rest. Real slow-starting stdio backends, the real SDK client over /mcp.

type Result = { content: { text: string }[]; structuredContent?: Record<string, unknown> };

async function gatewayWith(settings: string, backends: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-catalog-'));
  const config = GatewayConfig.parse(
    `state_dir: ${join(dir, 'state')}\nport: 0\n${settings}\nbackends:\n${backends}`,
    {
      baseDir: dir,
    },
  );
  const gateway = new Gateway(config, { logger: silentLogger });
  const base = await gateway.start();
  return Object.assign(gateway, { base, [Symbol.asyncDispose]: () => gateway.close() });
}

const slow = (ms: number) => `{ command: "node ${fixtureBackend} --start-delay ${ms}", start_timeout: 60 }`;

describe('a catalog that is complete before search answers', () => {
  it('waits for slow backends, then answers with what is known and names the ones still starting', async () => {
    await using gateway = await gatewayWith(
      'catalog_wait: 3',
      `  quick: { command: "node ${fixtureBackend}" }\n  slow: ${slow(1000)}\n  glacial: ${slow(30_000)}\n`,
    );
    const health = async () =>
      (await (await fetch(new URL('/health', gateway.base))).json()) as {
        catalog: { backends: number; known: number; pending: string[] };
      };
    expect((await health()).catalog).toEqual({
      backends: 3,
      known: 0,
      pending: ['quick', 'slow', 'glacial'],
    });

    await using client = await connectClient(new URL('/mcp', gateway.base));
    const started = Date.now();
    const found = (await client.callTool({
      name: 'gateway_search_tools',
      arguments: { query: 'echo a message back', limit: 10 },
    })) as Result;
    const waited = Date.now() - started;
    // It waited for `slow` (1 s) and gave up on `glacial` at catalog_wait (3 s), not before and not much after.
    expect(waited).toBeGreaterThan(2500);
    expect(waited).toBeLessThan(8000);
    const servers = (found.structuredContent!.results as { server: string; name: string }[]).map(
      (r) => r.server,
    );
    expect(new Set(servers)).toEqual(new Set(['quick', 'slow']));
    expect(found.structuredContent!.pending).toEqual(['glacial']);
    expect(found.content[0]!.text).toContain('Still starting, tools not known yet: glacial.');
    expect((await health()).catalog).toEqual({ backends: 3, known: 2, pending: ['glacial'] });

    const listed = (await client.callTool({ name: 'gateway_list_servers', arguments: {} })) as Result;
    expect(listed.structuredContent!.pending).toEqual(['glacial']);
    expect(listed.content[0]!.text).toContain('glacial');
  }, 60_000);

  it('answers at once, without a pending list, once every backend is known', async () => {
    await using gateway = await gatewayWith(
      '',
      `  quick: { command: "node ${fixtureBackend}" }\n  slow: ${slow(800)}\n`,
    );
    await using client = await connectClient(new URL('/mcp', gateway.base));
    const first = (await client.callTool({
      name: 'gateway_search_tools',
      arguments: { query: 'echo', limit: 10 },
    })) as Result;
    expect(first.structuredContent!.pending).toBeUndefined();
    const echoes = (first.structuredContent!.results as { server: string; name: string }[]).filter(
      (r) => r.name === 'echo',
    );
    expect(echoes.map((r) => r.server).sort()).toEqual(['quick', 'slow']);
    const started = Date.now();
    await client.callTool({ name: 'gateway_search_tools', arguments: { query: 'echo' } });
    expect(Date.now() - started).toBeLessThan(500);
  }, 60_000);

  it('learns at most warm_concurrency backends at a time', async () => {
    await using gateway = await gatewayWith(
      'warm_concurrency: 1',
      `  a: ${slow(1500)}\n  b: ${slow(1500)}\n  c: ${slow(1500)}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const starting = Object.values(gateway.health()).filter((b) => b.state === 'starting').length;
    expect(starting).toBe(1);
  }, 60_000);
});
