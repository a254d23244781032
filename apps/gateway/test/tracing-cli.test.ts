import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { fixtureBackend, serveFetch } from '@mcp-gateway/examples';
import { connectClient, finished, killTree, listeningUrl, runCli } from './helpers';

/** A config with the fixture backend on a free port. */
function fixtureConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-otel-'));
  const file = join(dir, 'servers.yaml');
  writeFileSync(
    file,
    `port: 0\nstate_dir: ${JSON.stringify(join(dir, 'state'))}\nbackends:\n  fixture:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(fixtureBackend)}]\n`,
  );
  return file;
}

/** Starts the CLI with `env`, makes one call through `/mcp/fixture`, stops it with SIGTERM; its output. */
async function oneTracedCall(env: NodeJS.ProcessEnv) {
  const cli = runCli(['--config', fixtureConfig()], env);
  running.push(cli);
  const output = finished(cli);
  const url = await listeningUrl(cli);
  await using client = await connectClient(new URL('/mcp/fixture', url));
  await client.callTool({ name: 'echo', arguments: { message: 'traced' } });
  await client.close();
  cli.kill('SIGTERM');
  return output;
}

const running: ChildProcess[] = [];
afterEach(() => running.splice(0).forEach(killTree));

describe('the CLI with the standard OTEL_* variables', () => {
  it('OTEL_TRACES_EXPORTER=console prints each span as a JSON line on stderr', async () => {
    const { code, stderr } = await oneTracedCall({ OTEL_TRACES_EXPORTER: 'console' });
    expect(code).toBe(0);
    const spans = stderr
      .split('\n')
      .filter((line) => line.startsWith('{"span":'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const server = spans.find((s) => s.span === 'tools/call echo' && s.kind === 'SERVER');
    const call = spans.find((s) => s.span === 'tools/call echo' && s.kind === 'CLIENT');
    expect(server).toBeDefined();
    expect(call).toMatchObject({ trace_id: server!.trace_id, parent_span_id: server!.span_id });
    expect(call!.attributes).toMatchObject({ 'mcp.backend': 'fixture', 'mcp.outcome': 'ok' });
  }, 30_000);

  it('OTEL_EXPORTER_OTLP_ENDPOINT sends the spans to a collector over OTLP/HTTP, flushed on shutdown', async () => {
    const posts: { path: string; body: string }[] = [];
    await using collector = await serveFetch(async (request) => {
      posts.push({ path: new URL(request.url).pathname, body: await request.text() });
      return Response.json({});
    });
    const { code } = await oneTracedCall({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.origin.href.replace(/\/$/, ''),
      OTEL_SERVICE_NAME: 'gateway-under-test',
    });
    expect(code).toBe(0);
    expect(posts.map((post) => post.path)).toContain('/v1/traces');
    const sent = posts.map((post) => post.body).join('\n');
    expect(sent).toContain('tools/call echo');
    expect(sent).toContain('gateway-under-test');
  }, 30_000);

  it('without them, no trace is sent and nothing is printed', async () => {
    const { code, stderr } = await oneTracedCall({});
    expect(code).toBe(0);
    expect(stderr).not.toContain('{"span":');
    expect(stderr).not.toContain('tracing on');
  }, 30_000);
});
