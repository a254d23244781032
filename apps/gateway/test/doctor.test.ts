import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { everythingServer, freePort } from '@mcp-gateway/examples';
import { main } from '../src/cli';
import { exampleConfig } from './helpers';

async function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out, err: err.join('\n') };
}

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mcpgw-doctor-')), name);
  writeFileSync(path, text);
  return path;
}

describe('mcp-gateway doctor', () => {
  it('passes the example config, one line per backend with what it checked', async () => {
    const { code, out, err } = await cli(['doctor', '-c', exampleConfig]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.map((line) => line.replace(/started in \d+ ms/, 'started in N ms'))).toEqual([
      `${exampleConfig}: 3 backend(s)`,
      `✓ everything (stdio): command ${process.execPath}; started in N ms (limit 30000 ms); initialize: mcp-servers/everything 2.0.0 (2025-11-25); tools/list: 17 tool(s)`,
      `✓ memory (stdio): command ${process.execPath}; env MEMORY_FILE_PATH set; started in N ms (limit 30000 ms); initialize: memory-server 0.6.3 (2025-11-25); tools/list: 9 tool(s)`,
      `✓ filesystem (stdio): command ${process.execPath}; started in N ms (limit 30000 ms); initialize: secure-filesystem-server 0.2.0 (2025-11-25); tools/list: 14 tool(s)`,
    ]);
  });

  it('fails a broken config line by line, each with its fix, and exits 1', async () => {
    const port = await freePort(); // nothing listens there
    const config = file(
      'servers.yaml',
      `backends:
  missing:
    command: no-such-command-anywhere --flag
  nofile:
    command: ./bin/server.js
  crashes:
    command: node -e "process.stderr.write('no API key given'); process.exit(3)"
  needs-key:
    command: node ${everythingServer} stdio
    env: { API_KEY: "\${DOCTOR_UNSET_KEY}" }
  silent:
    command: node -e "setInterval(() => {}, 1000)"
    start_timeout: 0.5
  remote:
    http_url: http://127.0.0.1:${port}/mcp
    headers: { Authorization: "Bearer do-not-print-me" }
  fine:
    command: node ${everythingServer} stdio
`,
    );
    const { code, out } = await cli(['doctor', '-c', config], { PATH: process.env.PATH });
    expect(code).toBe(1);
    const node = process.execPath;
    expect(out.map((line) => line.replace(/started in \d+ ms/, 'started in N ms'))).toEqual([
      `${config}: 7 backend(s)`,
      '✗ missing (stdio): command "no-such-command-anywhere" not found on PATH. Fix: install it, or write its full path in `command`',
      `✗ nofile (stdio): no executable file ${join(config, '../bin/server.js')}. Fix: check the path in \`command\``,
      `✗ crashes (stdio): command ${node}; did not start: Backend "crashes" closed the connection: process exited with code 3; last stderr: no API key given. Fix: run it by hand to see why: node -e 'process.stderr.write('\\''no API key given'\\''); process.exit(3)'`,
      `✗ needs-key (stdio): command ${node}; environment variable DOCTOR_UNSET_KEY is not set (used as "\${DOCTOR_UNSET_KEY}"); set it, or write \${DOCTOR_UNSET_KEY:-default}. Fix: set it in the gateway's environment (a shell's export, systemd's Environment=, docker run -e)`,
      `✗ silent (stdio): command ${node}; did not start: Backend "silent" did not answer start (initialize) within 500 ms. Fix: raise start_timeout, or run the command by hand to see whether it speaks MCP on stdio`,
      expect.stringMatching(
        new RegExp(
          `^✗ remote \\(http\\): http://127\\.0\\.0\\.1:${port}/mcp is not reachable as MCP: .*ECONNREFUSED.*\\. Fix: check that the server runs and that the URL and headers are right$`,
        ),
      ),
      `✓ fine (stdio): command ${node}; started in N ms (limit 30000 ms); initialize: mcp-servers/everything 2.0.0 (2025-11-25); tools/list: 17 tool(s)`,
    ]);
    expect(out.join('\n')).not.toContain('do-not-print-me');
  });

  it('reports an HTTP backend it reached: the era and the headers sent, by name only', async () => {
    const { startEverythingHttp } = await import('@mcp-gateway/examples');
    await using http = await startEverythingHttp('streamableHttp');
    const config = file(
      'servers.yaml',
      `backends:\n  web:\n    http_url: ${http.url.href}\n    headers: { X-Api-Key: "do-not-print-me" }\n`,
    );
    const { code, out } = await cli(['doctor', '-c', config]);
    expect([code, out[1]!.replace(/started in \d+ ms/, 'started in N ms')]).toEqual([
      0,
      '✓ web (http): reachable, era 2025-11-25; headers sent: X-Api-Key; started in N ms (limit 30000 ms); initialize: mcp-servers/everything 2.0.0 (2025-11-25); tools/list: 17 tool(s)',
    ]);
  });

  it('exits 2 on an invalid config, with its problems', async () => {
    const config = file('servers.yaml', 'backends:\n  a: {}\n');
    expect(await cli(['doctor', '-c', config])).toEqual({
      code: 2,
      out: [],
      err: `mcp-gateway: Invalid configuration in ${config} (1 problem):\n  - backends.a (line 2): expected \`command\` (a stdio backend) or \`http_url\` (an HTTP backend), found neither`,
    });
  });
});

describe("names from other clients' files", () => {
  it('check and doctor show the backend name each free-text mcpServers key became', async () => {
    const config = file(
      'claude_desktop_config.json',
      JSON.stringify({
        mcpServers: { 'Everything Server': { command: 'node', args: [everythingServer, 'stdio'] } },
      }),
    );
    expect((await cli(['check', '-c', config])).out).toEqual([
      `${config}: valid, 1 backend(s): everything-server (from "Everything Server")`,
    ]);
    expect((await cli(['doctor', '-c', config])).out[1]).toMatch(
      /^✓ everything-server \(from "Everything Server"\) \(stdio\): /,
    );
  });
});

describe('MCP_GATEWAY_PORT and MCP_GATEWAY_HOST', () => {
  it('stand in for --port and --host, and are checked like them', async () => {
    expect(await cli(['-c', exampleConfig], { MCP_GATEWAY_PORT: 'http' })).toEqual({
      code: 2,
      out: [],
      err: 'mcp-gateway: MCP_GATEWAY_PORT expects a number from 0 to 65535, got "http".',
    });
  });
});
