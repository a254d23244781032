import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { freePort } from '@mcp-gateway/examples';
import { ok, root, run, waitFor } from './helpers';

/**
 * The docker client, once `../shared/tools/container-base.sh start` has docker running with a local
 * `node:22-slim` (these machines reach no container registry). In CI a machine that cannot do that fails this
 * test; elsewhere (a clone without ../shared, no root) it is skipped, saying why.
 */
async function dockerClient(): Promise<string | undefined> {
  const script = join(root, '../shared/tools/container-base.sh');
  if (!existsSync(script)) {
    if (process.env.CI) throw new Error(`${script} is missing: CI cannot set up docker without it`);
    return undefined;
  }
  const started = await run('bash', [script, 'start'], { timeoutMs: 600_000 });
  if (started.code !== 0) {
    if (process.env.CI) throw new Error(`container-base.sh start failed:\n${started.stderr}`);
    return undefined;
  }
  return started.stdout.trim().split('\n').at(-1);
}

const docker = await dockerClient();
const KEY = 'docker-test-key-6c2f91';
const name = `mcpgw-test-${process.pid}`;
afterAll(() => docker && run(docker, ['rm', '-f', name]));

describe.skipIf(docker === undefined)('the container image (Dockerfile, examples/docker)', () => {
  it('builds, serves a stdio backend as a non-root user, turns healthy, and stops cleanly', async () => {
    const d = docker!;
    await ok(d, ['build', '--network', 'host', '-t', 'mcp-gateway', '.'], { cwd: root, timeoutMs: 600_000 });
    await ok(d, ['build', '--network', 'host', '-t', 'mcp-gateway-memory', 'examples/docker'], {
      cwd: root,
      timeoutMs: 600_000,
    });
    // No bridge network here: the container shares the host's, so it binds 127.0.0.1 on a port of its own.
    const port = await freePort();
    await ok(d, [
      'run',
      '-d',
      '--name',
      name,
      '--network',
      'host',
      '-e',
      'MCP_GATEWAY_HOST=127.0.0.1',
      '-e',
      `GATEWAY_KEY=${KEY}`,
      '-e',
      `MCP_GATEWAY_PORT=${port}`,
      '-v',
      `${join(root, 'examples/docker/servers.yaml')}:/etc/mcp-gateway/servers.yaml:ro`,
      'mcp-gateway-memory',
    ]);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the gateway in the container', async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );

    const client = new Client({ name: 'docker-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${KEY}` } },
      }),
    );
    const invoke = (tool: string, args: Record<string, unknown>) =>
      client.callTool({ name: 'gateway_invoke', arguments: { server: 'memory', tool, arguments: args } });
    await invoke('create_entities', {
      entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }],
    });
    expect(JSON.stringify(await invoke('read_graph', {}))).toContain('wrote the first program');
    await client.close();

    const inspect = async (format: string) => (await ok(d, ['inspect', '--format', format, name])).trim();
    expect(await ok(d, ['exec', name, 'id', '-un'])).toBe('node\n');
    // The graph went to the state volume, which the unprivileged user owns.
    expect(await ok(d, ['exec', name, 'ls', '/var/lib/mcp-gateway'])).toContain('memory.jsonl');
    await waitFor(
      'the healthcheck',
      async () => ((await inspect('{{.State.Health.Status}}')) === 'healthy' ? true : undefined),
      60_000,
    );

    const stopping = Date.now();
    await ok(d, ['stop', name]); // SIGTERM, then SIGKILL after the 10 s grace period
    const stoppedMs = Date.now() - stopping;
    expect(await inspect('{{.State.ExitCode}}')).toBe('0');
    expect(stoppedMs).toBeLessThan(10_000);
  });
});
