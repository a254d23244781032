import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '@mcp-gateway/core';
import { BackendConfig, GatewayConfig, configJsonSchema } from '../src/index';

const env = { HOME: '/home/u', TOKEN: 'secret' };

function writeConfig(text: string, name = 'servers.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isGatewayError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('GatewayConfig.fromYaml', () => {
  it('loads the original README format with defaults filled in', () => {
    const file = writeConfig(`
port: 39400
enable_meta_mcp: true
backends:
  tavily:
    command: "npx -y @anthropic/mcp-server-tavily"
    description: "Web search"
    env:
      TAVILY_API_KEY: "\${TOKEN}"
  context7:
    http_url: "http://localhost:8080/mcp"
    headers: { Authorization: "Bearer \${TOKEN}" }
  pieces:
    http_url: "http://localhost:39300/sse"
    idle_timeout: 60
`);
    const config = GatewayConfig.fromYaml(file, { env });
    const dir = join(file, '..');
    expect({ ...config, stateDir: undefined }).toEqual({
      host: '127.0.0.1',
      port: 39400,
      mode: 'meta',
      logLevel: 'info',
      stateDir: undefined,
      source: file,
      renamed: {},
      allowedHosts: [],
      allowedOrigins: [],
      access: [],
      audit: { enabled: false, arguments: false },
      sessions: { idleMs: 1_800_000, max: 10_000, perClient: 1000 },
      catalog: { waitMs: 5000, warmConcurrency: 4, semantic: true },
      console: true,
      backends: {
        tavily: {
          name: 'tavily',
          description: 'Web search',
          target: {
            kind: 'stdio',
            command: 'npx',
            args: ['-y', '@anthropic/mcp-server-tavily'],
            env: { TAVILY_API_KEY: 'secret' },
            cwd: dir,
          },
          timeouts: { startMs: 30000, requestMs: 120000, idleMs: 0 },
          isolation: 'shared',
          limits: { concurrency: 64, queue: 256 },
        },
        context7: {
          name: 'context7',
          description: '',
          target: {
            kind: 'auto',
            url: 'http://localhost:8080/mcp',
            headers: { Authorization: 'Bearer secret' },
          },
          timeouts: { startMs: 30000, requestMs: 120000, idleMs: 0 },
          isolation: 'per-session',
          limits: { concurrency: 64, queue: 256 },
        },
        pieces: {
          name: 'pieces',
          description: '',
          target: { kind: 'sse', url: 'http://localhost:39300/sse', headers: {} },
          timeouts: { startMs: 30000, requestMs: 120000, idleMs: 60000 },
          isolation: 'per-session',
          limits: { concurrency: 64, queue: 256 },
        },
      },
    });
  });

  it('splits commands as a shell would, appends args, and resolves cwd against the file', () => {
    const file = writeConfig(`
backends:
  a:
    command: "node 'my server.js' --name \\"x y\\" plain\\\\ space"
    args: ["--extra"]
    cwd: sub
`);
    const target = GatewayConfig.fromYaml(file, { env }).backends.a!.target;
    expect(target).toEqual({
      kind: 'stdio',
      command: 'node',
      args: ['my server.js', '--name', 'x y', 'plain space', '--extra'],
      env: {},
      cwd: join(file, '..', 'sub'),
    });
  });

  it('expands ${VAR:-default} and keeps $${VAR} literal', () => {
    const config = GatewayConfig.parse(
      'host: "${GW_HOST:-0.0.0.0}"\nbackends:\n  a:\n    command: "echo $${HOME} ${HOME}"\n',
      { env },
    );
    expect(config.host).toBe('0.0.0.0');
    expect(config.backends.a!.target).toMatchObject({ command: 'echo', args: ['${HOME}', '/home/u'] });
  });

  it('expands ${CONFIG_DIR} to the config file folder', () => {
    const file = writeConfig('backends:\n  a:\n    command: "node ${CONFIG_DIR}/server.js"\n');
    expect(GatewayConfig.fromYaml(file, { env }).backends.a!.target).toMatchObject({
      args: [join(file, '..', 'server.js')],
    });
  });

  it('maps enable_meta_mcp: false to aggregate mode and accepts mode', () => {
    expect(GatewayConfig.parse('enable_meta_mcp: false', { env }).mode).toBe('aggregate');
    expect(GatewayConfig.parse('mode: aggregate', { env }).mode).toBe('aggregate');
  });

  it('reports every problem at once with file, line, path, expectation and finding', () => {
    const file = writeConfig(`port: "abc"
colour: red
backends:
  tavily:
    command: 42
    env:
      KEY: "\${MCPGW_UNSET_VAR}"
  nothing:
    description: only a description
  web:
    http_url: "http://localhost:8080/mcp"
    transport: ftp
`);
    expect(errorOf(() => GatewayConfig.fromYaml(file, { env }))).toEqual({
      code: 'CONFIG_INVALID',
      message: `Invalid configuration in ${file} (6 problems):
  - port (line 1): expected a number, found string "abc"
  - colour (line 2): unknown key "colour"; allowed here: port, host, enable_meta_mcp, mode, log_level, state_dir, start_timeout, request_timeout, idle_timeout, max_concurrency, max_queue, session_idle_timeout, max_sessions, max_sessions_per_client, catalog_wait, warm_concurrency, semantic_search, console, redis, public_url, allowed_hosts, allowed_origins, auth, access, rate_limit, audit, backends
  - backends.tavily.command (line 5): expected a string, found number 42
  - backends.tavily.env.KEY (line 7): environment variable MCPGW_UNSET_VAR is not set (used as "\${MCPGW_UNSET_VAR}"); set it, or write \${MCPGW_UNSET_VAR:-default}
  - backends.nothing (line 8): expected \`command\` (a stdio backend) or \`http_url\` (an HTTP backend), found neither
  - backends.web.transport (line 12): expected one of "auto", "stdio", "http", "sse", found string "ftp"`,
    });
  });

  it('reports bad YAML with its line', () => {
    expect(
      errorOf(() => GatewayConfig.parse('backends:\n  a: [1,\n b: 2\n', { source: 'bad.yaml', env })),
    ).toEqual({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^Invalid configuration in bad\.yaml \(\d+ problems?\):\n {2}- \(top level\) \(line \d\): YAML syntax: /,
      ),
    });
  });

  it('reports unknown keys inside a backend and contradictory settings', () => {
    expect(
      errorOf(() =>
        GatewayConfig.parse(
          'mode: meta\nenable_meta_mcp: false\nbackends:\n  a:\n    comand: x\n  b:\n    command: x\n    http_url: http://h/mcp\n  c:\n    command: "x \'y"\n',
          { source: 'c.yaml', env },
        ),
      ).message,
    ).toBe(`Invalid configuration in c.yaml (4 problems):
  - mode (line 1): mode "meta" contradicts enable_meta_mcp: false; keep one of them
  - backends.a.comand (line 5): unknown key "comand"; allowed here: command, args, env, cwd, http_url, headers, transport, description, start_timeout, request_timeout, idle_timeout, isolation, enabled, max_concurrency, max_queue
  - backends.b (line 6): expected either \`command\` (stdio) or \`http_url\` (HTTP), found both
  - backends.c.command (line 10): cannot split the command: unterminated single quote`);
  });

  it('names a missing file', () => {
    expect(errorOf(() => GatewayConfig.fromYaml('/nonexistent/servers.yaml'))).toEqual({
      code: 'CONFIG_NOT_FOUND',
      message:
        'Cannot read config /nonexistent/servers.yaml: no such file. Pass an existing file with --config.',
    });
  });
});

describe('mcpServers JSON (Claude Desktop, Cursor, VS Code)', () => {
  it('converts stdio and http entries without splitting the command', () => {
    const file = writeConfig(
      JSON.stringify({
        mcpServers: {
          files: { command: '/opt/My Tools/server', args: ['--root', '/tmp'], env: { T: '${TOKEN}' } },
          remote: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp', headers: { A: 'b' } },
          off: { command: 'x', disabled: true, alwaysAllow: ['t'] },
        },
      }),
      'claude_desktop_config.json',
    );
    const { backends } = GatewayConfig.fromYaml(file, { env });
    expect(Object.keys(backends)).toEqual(['files', 'remote']);
    expect(backends.files!.target).toEqual({
      kind: 'stdio',
      command: '/opt/My Tools/server',
      args: ['--root', '/tmp'],
      env: { T: 'secret' },
      cwd: join(file, '..'),
    });
    expect(backends.remote!.target).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { A: 'b' },
    });
  });

  it('derives backend names from free-text keys, and refuses two keys that would share one', () => {
    const config = GatewayConfig.parse(
      JSON.stringify({
        mcpServers: {
          'Brave Search': { command: 'brave' },
          'Ant Design Components': { url: 'http://127.0.0.1:9/mcp' },
          'Café Crème': { command: 'cafe' },
          搜索: { command: 'search' },
          memory: { command: 'memory' },
        },
      }),
      { env },
    );
    expect(Object.keys(config.backends)).toEqual([
      'brave-search',
      'ant-design-components',
      'cafe-creme',
      'server-44ce7ae9',
      'memory',
    ]);
    expect(config.renamed).toEqual({
      'brave-search': 'Brave Search',
      'ant-design-components': 'Ant Design Components',
      'cafe-creme': 'Café Crème',
      'server-44ce7ae9': '搜索',
    });
    expect(
      errorOf(() =>
        GatewayConfig.parse(
          '{"mcpServers": {\n"Brave Search": {"command": "a"},\n"brave-search": {"command": "b"},\n"Odd Key": {"command": "c", "colour": 1}}}',
          { source: 'c.json', env },
        ),
      ).message,
    ).toBe(
      `Invalid configuration in c.json (2 problems):
  - mcpServers.brave-search (line 3): "Brave Search" and "brave-search" would both be the backend "brave-search"; rename one of them
  - mcpServers.Odd Key.colour (line 4): unknown key "colour"; allowed here: command, args, env, cwd, http_url, headers, transport, description, start_timeout, request_timeout, idle_timeout, isolation, enabled, max_concurrency, max_queue`,
    );
  });

  it('reports problems under the mcpServers path', () => {
    expect(
      errorOf(() =>
        GatewayConfig.parse('{"mcpServers": {"x": {"type": "carrier-pigeon", "command": "c"}}}', {
          source: 'c.json',
          env,
        }),
      ).message,
    ).toBe(
      `Invalid configuration in c.json (1 problem):
  - mcpServers.x.type (line 1): unknown key "type"; allowed here: command, args, env, cwd, http_url, headers, transport, description, start_timeout, request_timeout, idle_timeout, isolation, enabled, max_concurrency, max_queue`,
    );
  });
});

describe('security settings', () => {
  it('keeps API keys as SHA-256 only, reads ${file:} secrets, and normalizes access rules and limits', () => {
    const secret = join(mkdtempSync(join(tmpdir(), 'mcpgw-secret-')), 'bob');
    writeFileSync(secret, 'bob-key\n');
    const config = GatewayConfig.parse(
      `public_url: https://gw.example.com/
auth:
  api_keys:
    - { name: alice, key: "\${TOKEN}", roles: [ops] }
    - { name: bob, key: "\${file:${secret}}" }
    - { name: carol, key: "sha256:${'AB'.repeat(32)}" }
  oauth: { issuer: "https://auth.example.com", scopes: [mcp], roles: { "mcp:admin": admin } }
access:
  - { client: alice, allow: ["memory/*"], deny: ["memory/delete_*"] }
  - { role: ops, allow: ["everything/echo"] }
rate_limit: { rate: 5 }
max_concurrency: 8
backends:
  memory: { command: memory, max_queue: 2 }
`,
      { env },
    );
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect({
      publicUrl: config.publicUrl,
      auth: config.auth,
      access: config.access,
      rateLimit: config.rateLimit,
      audit: config.audit,
      limits: config.backends.memory!.limits,
    }).toEqual({
      publicUrl: 'https://gw.example.com',
      auth: {
        apiKeys: [
          { name: 'alice', sha256: sha('secret'), roles: ['ops'] },
          { name: 'bob', sha256: sha('bob-key'), roles: [] },
          { name: 'carol', sha256: 'ab'.repeat(32), roles: [] },
        ],
        oauth: { issuer: 'https://auth.example.com', scopes: ['mcp'], roles: { 'mcp:admin': 'admin' } },
        publicMetrics: false,
      },
      access: [
        { client: 'alice', allow: ['memory/*'], deny: ['memory/delete_*'] },
        { role: 'ops', allow: ['everything/echo'], deny: [] },
      ],
      rateLimit: { rate: 5, burst: 10 },
      audit: { enabled: true, arguments: false },
      limits: { concurrency: 8, queue: 2 },
    });
    expect(JSON.stringify(config)).not.toContain('bob-key');
  });

  it('reports bad security settings without ever showing a key', () => {
    const shape = errorOf(() =>
      GatewayConfig.parse(
        `auth:
  api_keys:
    - { name: a, key: 12345, colour: red }
  oauth: { issuer: "https://auth.example.com", scopez: [x] }
`,
        { source: 'c.yaml', env },
      ),
    ).message;
    expect(shape).toBe(`Invalid configuration in c.yaml (3 problems):
  - auth.api_keys[0].key (line 3): expected a string, found number
  - auth.api_keys[0].colour (line 3): unknown key "colour"; allowed here: name, key, roles
  - auth.oauth.scopez (line 4): unknown key "scopez"; allowed here: issuer, audience, jwks_url, scopes, roles`);
    expect(shape).not.toContain('12345');
    const meaning = errorOf(() =>
      GatewayConfig.parse(
        `auth:
  api_keys:
    - { name: a, key: "sha256:not-hex-s3cr3t" }
    - { name: a, key: "k" }
access:
  - { client: a, role: b, allow: ["m/*"] }
  - { client: c }
`,
        { source: 'c.yaml', env },
      ),
    ).message;
    expect(meaning).toBe(`Invalid configuration in c.yaml (4 problems):
  - auth.api_keys[0].key (line 3): expected sha256: and 64 hex digits
  - auth.api_keys[1].name (line 4): a second key named "a"; names must be unique
  - access[0] (line 6): expected exactly one of \`client\` and \`role\`
  - access[1] (line 7): expected \`allow\` or \`deny\` globs, found neither`);
    expect(meaning).not.toContain('s3cr3t');
  });

  it('names a secret file it cannot read', () => {
    expect(
      errorOf(() =>
        GatewayConfig.parse('auth:\n  api_keys: [{ name: a, key: "${file:/nonexistent/key}" }]\n', { env }),
      ).message,
    ).toBe(
      'Invalid configuration in <inline> (1 problem):\n  - auth.api_keys[0].key (line 2): cannot read the secret file /nonexistent/key (used as "${file:/nonexistent/key}"): ENOENT: no such file or directory, open \'/nonexistent/key\'',
    );
  });
});

describe('defaults from the environment', () => {
  it("keeps state in systemd's STATE_DIRECTORY, else under XDG_STATE_HOME", () => {
    const stateDir = (vars: Record<string, string>) => GatewayConfig.parse('{}', { env: vars }).stateDir;
    expect(stateDir({ STATE_DIRECTORY: '/var/lib/mcp-gateway:/var/lib/other', XDG_STATE_HOME: '/x' })).toBe(
      '/var/lib/mcp-gateway',
    );
    expect(stateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/mcp-gateway');
  });

  it('hands unset variables to onUnsetVariable instead of failing, when asked (doctor)', () => {
    const unset: unknown[] = [];
    const config = GatewayConfig.parse(
      'backends:\n  t:\n    command: tavily\n    env: { KEY: "${NOPE}" }\n',
      {
        env: {},
        onUnsetVariable: (problem) => unset.push(problem),
      },
    );
    expect(config.backends.t!.target).toMatchObject({ env: { KEY: '' } });
    expect(unset).toEqual([
      {
        path: ['backends', 't', 'env', 'KEY'],
        message:
          'environment variable NOPE is not set (used as "${NOPE}"); set it, or write ${NOPE:-default}',
      },
    ]);
  });
});

describe('programmatic API', () => {
  it('builds from objects and BackendConfig instances, and applies overrides', () => {
    const config = new GatewayConfig(
      {
        port: 4000,
        backends: {
          tavily: new BackendConfig(
            { name: 'tavily', command: 'npx -y x', description: 'Web search' },
            { baseDir: '/srv' },
          ),
          memory: { command: 'node memory.js' },
        },
      },
      { baseDir: '/srv', env },
    ).withOverrides({ port: 5000, host: undefined });
    expect(config).toBeInstanceOf(GatewayConfig);
    expect([config.port, config.host, Object.keys(config.backends)]).toEqual([
      5000,
      '127.0.0.1',
      ['memory', 'tavily'],
    ]);
    expect(config.backends.tavily!.target).toEqual({
      kind: 'stdio',
      command: 'npx',
      args: ['-y', 'x'],
      env: {},
      cwd: '/srv',
    });
  });

  it('validates BackendConfig on construction', () => {
    expect(errorOf(() => new BackendConfig({ name: 'x', command: 'a', http_url: 'http://h/' })).message).toBe(
      'Invalid configuration in <backend x> (1 problem):\n  - backends.x: expected either `command` (stdio) or `http_url` (HTTP), found both',
    );
  });
});

describe('JSON Schema', () => {
  it('is published and current (run `pnpm --filter @mcp-gateway/config schema` after changing the schema)', () => {
    const published = JSON.parse(readFileSync(new URL('../config.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(configJsonSchema());
    expect(Object.keys(published.properties)).toContain('backends');
  });
});
