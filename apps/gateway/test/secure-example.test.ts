import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { secureConfig } from '@mcp-gateway/examples';
import { main } from '../src/cli';
import { finished, killTree, listeningUrl, runCli } from './helpers';

// The README's Security section, as a user runs it: keys in the environment (one as its SHA-256), examples/secure.yaml.

describe('the README Security example (examples/secure.yaml)', () => {
  it('serves each client what its rules allow, and nothing to a caller without a key', async () => {
    const ALICE_KEY = randomBytes(32).toString('hex');
    const OPS_KEY = randomBytes(32).toString('hex');
    // The README's command for the hash: printf %s "$OPS_KEY" | sha256sum
    const digest = execFileSync('sh', ['-c', 'printf %s "$OPS_KEY" | sha256sum'], {
      env: { ...process.env, OPS_KEY },
    })
      .toString()
      .split(' ')[0];
    const env = { ALICE_KEY, OPS_KEY_SHA256: `sha256:${digest}` };
    const out: string[] = [];
    const checked = await main(
      ['check', '-c', secureConfig],
      { out: (t) => out.push(t), err: (t) => out.push(t) },
      { ...process.env, ...env },
    );
    expect([checked, out]).toEqual([
      0,
      [`${secureConfig}: valid, 3 backend(s): everything, memory, filesystem`],
    ]);

    const child = runCli(['--config', secureConfig, '--port', '0'], env);
    try {
      const base = await listeningUrl(child);
      const connect = async (key: string) => {
        const client = new Client({ name: 'readme', version: '1' });
        await client.connect(
          new StreamableHTTPClientTransport(new URL('/mcp', base), {
            requestInit: { headers: { authorization: `Bearer ${key}` } },
          }),
        );
        return client;
      };
      const servers = async (client: Client) =>
        (
          (await client.callTool({ name: 'gateway_list_servers', arguments: {} })).structuredContent as {
            servers: { name: string }[];
          }
        ).servers.map((s) => s.name);
      const alice = await connect(ALICE_KEY);
      const ops = await connect(OPS_KEY);
      expect([await servers(alice), await servers(ops)]).toEqual([['everything', 'memory'], ['filesystem']]);
      const memory = (await alice.callTool({ name: 'gateway_list_tools', arguments: { server: 'memory' } }))
        .structuredContent as { tools: { name: string }[] };
      expect(memory.tools.map((t) => t.name).filter((n) => n.startsWith('delete_'))).toEqual([]);
      const everything = (
        await alice.callTool({ name: 'gateway_list_tools', arguments: { server: 'everything' } })
      ).structuredContent as { tools: { name: string }[] };
      expect(everything.tools.map((t) => t.name)).toEqual(['echo']);
      await Promise.all([alice.close(), ops.close()]);
      // curl http://127.0.0.1:39400/health, without and with a key
      expect(await (await fetch(new URL('/health', base))).json()).toEqual({ status: 'healthy' });
      const full = (await (
        await fetch(new URL('/health', base), { headers: { authorization: `Bearer ${ALICE_KEY}` } })
      ).json()) as { backends: object };
      expect(Object.keys(full.backends)).toEqual(['everything', 'memory']);
      expect((await fetch(new URL('/mcp', base), { method: 'POST' })).status).toBe(401);
      const done = finished(child);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    } finally {
      killTree(child);
    }
  });
});
