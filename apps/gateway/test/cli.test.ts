import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { main } from '../src/cli';
import {
  alive,
  connectClient,
  descendants,
  exampleConfig,
  finished,
  killTree,
  listeningUrl,
  runCli,
} from './helpers';

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mcp-gateway CLI', () => {
  it('prints help and version', async () => {
    expect((await cli(['--help'])).out).toContain('Usage: mcp-gateway [options]');
    expect(await cli(['--version'])).toEqual({ code: 0, out: packageJson.version, err: '' });
  });

  it('check: 0 for a valid config', async () => {
    expect(await cli(['check', '--config', exampleConfig])).toEqual({
      code: 0,
      out: `${exampleConfig}: valid, 3 backend(s): everything, memory, filesystem`,
      err: '',
    });
  });

  it('check: 2 with every problem for an invalid config', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mcpgw-cli-')), 'bad.yaml');
    writeFileSync(file, 'backends:\n  a: {}\n  b:\n    command: x\n    colour: red\n');
    expect(await cli(['check', '-c', file])).toEqual({
      code: 2,
      out: '',
      err: `mcp-gateway: Invalid configuration in ${file} (2 problems):
  - backends.a (line 2): expected \`command\` (a stdio backend) or \`http_url\` (an HTTP backend), found neither
  - backends.b.colour (line 5): unknown key "colour"; allowed here: command, args, env, cwd, http_url, headers, transport, description, start_timeout, request_timeout, idle_timeout, isolation, enabled, max_concurrency, max_queue`,
    });
  });

  it('exits 2 on usage errors', async () => {
    expect(await cli(['--port', 'eighty', '-c', exampleConfig])).toEqual({
      code: 2,
      out: '',
      err: 'mcp-gateway: --port expects a number from 0 to 65535, got "eighty".',
    });
    expect((await cli(['--bogus'])).code).toBe(2);
    expect(await cli([])).toEqual({
      code: 2,
      out: '',
      err: 'mcp-gateway: No configuration: pass --config FILE (see --help).',
    });
    expect((await cli(['check', '-c', '/nonexistent.yaml'])).code).toBe(2);
  });

  it('serves the example config from a real process and leaves no process behind on SIGTERM', async () => {
    const child = runCli(['--config', exampleConfig, '--port', '0', '--log-level', 'INFO']);
    try {
      const base = await listeningUrl(child);
      {
        await using client = await connectClient(new URL('/mcp/everything', base));
        expect(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })).toMatchObject({
          content: [{ type: 'text', text: expect.stringContaining('5') }],
        });
      }
      const started = descendants(child.pid!);
      expect(started.length).toBeGreaterThanOrEqual(1); // everything, at least (others may hibernate, cached)
      const done = finished(child);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
      expect(alive(started)).toEqual([]);
    } finally {
      killTree(child);
    }
  });

  it('exits 1 when the port is taken', async () => {
    const first = runCli(['--config', exampleConfig, '--port', '0']);
    const second = { child: undefined as ReturnType<typeof runCli> | undefined };
    try {
      const base = await listeningUrl(first);
      second.child = runCli(['--config', exampleConfig, '--port', base.port]);
      const result = await finished(second.child);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot listen on 127.0.0.1:${base.port}`);
    } finally {
      killTree(first);
      if (second.child) killTree(second.child);
    }
  });
});
