import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { everythingServer, freePort } from '@mcp-gateway/examples';
import { ok, root, waitFor } from './helpers';

describe('the packed CLI (README: Production deployment)', () => {
  it('installs from its tarball with npm, offline, and serves a real stdio backend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-install-'));
    await ok('pnpm', ['--filter', 'mcp-gateway', 'pack', '--pack-destination', dir], { cwd: root });
    const [tarball] = readdirSync(dir).filter((f) => /^mcp-gateway-.*\.tgz$/.test(f));
    const prefix = join(dir, 'prefix');
    // --offline: the tarball bundles every dependency, so nothing is fetched.
    await ok('npm', [
      'install',
      '-g',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      join(dir, tarball!),
    ]);
    const bin = join(prefix, 'bin', 'mcp-gateway');
    const version = JSON.parse(
      await ok('npm', ['pkg', 'get', 'version'], { cwd: join(root, 'apps/gateway') }),
    );
    expect((await ok(bin, ['--version'])).trim()).toBe(version);

    const config = join(dir, 'servers.yaml');
    writeFileSync(
      config,
      `state_dir: ${join(dir, 'state')}\nbackends:\n  everything:\n    command: node ${everythingServer} stdio\n`,
    );
    const port = await freePort();
    const gateway = spawn(bin, ['--config', config, '--port', String(port)], {
      stdio: 'ignore',
      detached: true,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor('the installed gateway', async () =>
        (await fetch(`${base}/health`)).ok ? true : undefined,
      );
      const client = new Client({ name: 'install-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
      const result = await client.callTool({
        name: 'gateway_invoke',
        arguments: { server: 'everything', tool: 'echo', arguments: { message: 'installed' } },
      });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: installed' }]);
      await client.close();
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      try {
        process.kill(-gateway.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});
