import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { everythingServer, memoryServer } from '@mcp-gateway/examples';
import { bin, finished, killTree, listeningUrl, runCli, tsx } from './helpers';

const ALICE = 'alice-secret-key-4d1f0b7e';
const BOB = 'bob-secret-key-from-file-93ac';

/** A config with two keys (one from the environment, one from a secret file), rules, a rate limit and audit. */
function securedConfig(extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-security-'));
  const secret = join(dir, 'bob.key');
  writeFileSync(secret, `${BOB}\n`);
  const file = join(dir, 'servers.yaml');
  writeFileSync(
    file,
    `state_dir: ${join(dir, 'state')}
auth:
  api_keys:
    - { name: alice, key: "\${ALICE_KEY}" }
    - { name: bob, key: "\${file:${secret}}" }
access:
  - { client: alice, allow: ["everything/*", "memory/*"], deny: ["memory/delete_*"] }
  - { client: bob, allow: ["memory/read_graph"] }
audit: { arguments: true }
${extra}
backends:
  everything: { command: "node ${everythingServer} stdio" }
  memory: { command: "node ${memoryServer}", env: { MEMORY_FILE_PATH: "${join(dir, 'memory.jsonl')}" } }
`,
  );
  return { dir, file };
}

const post = (base: URL, key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL('/mcp', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

async function client(base: URL, key: string, path = '/mcp') {
  const c = new Client({ name: 'security-test', version: '1' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(path, base), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return c;
}

describe('security, from a real CLI process', () => {
  it('refuses bad credentials of every shape with 401, keeps serving, and never writes a secret anywhere', async () => {
    const { file } = securedConfig();
    const child = runCli(['--config', file, '--port', '0', '--log-level', 'debug'], { ALICE_KEY: ALICE });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const seen: string[] = []; // everything the gateway answered
    try {
      const base = await listeningUrl(child);
      const alice = await client(base, ALICE);
      // A few hundred broken Authorization headers: truncated, wrong base64, wrong scheme, huge, control bytes.
      const random = (n: number) =>
        Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(Math.random() * 94))).join('');
      const headers = [
        ...Array.from({ length: 60 }, (_, i) => `Bearer ${ALICE.slice(0, i % ALICE.length)}`),
        ...Array.from({ length: 60 }, () => `Bearer ${random(1 + Math.floor(Math.random() * 200))}`),
        ...Array.from(
          { length: 40 },
          (_, i) => `${['Basic', 'Token', 'Bearer:', 'Digest', ''][i % 5]} ${ALICE}`,
        ),
        ...Array.from({ length: 40 }, () => `Bearer ${Buffer.from(random(40)).toString('base64')}==`),
        ...Array.from({ length: 40 }, () => `Bearer ${random(20)}.${random(30)}.${random(10)}`),
        ...Array.from({ length: 20 }, (_, i) => `Bearer ${'x'.repeat(8000 + i * 3)}`),
        `Bearer ${ALICE} extra`,
        `Bearer  `,
        'Bearer',
      ];
      const statuses = new Map<number, number>();
      for (const authorization of headers) {
        const response = await post(base, undefined, initialize, { authorization });
        const text = await response.text();
        seen.push(text, response.headers.get('www-authenticate') ?? '');
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 401)
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp-gateway"/);
      }
      expect([...statuses.keys()]).toEqual([401]);
      expect(statuses.get(401)).toBe(headers.length);
      // Others keep being served, and the client's own session still works.
      expect(
        (
          await alice.callTool({
            name: 'gateway_invoke',
            arguments: { server: 'everything', tool: 'echo', arguments: { message: 'still here' } },
          })
        ).content,
      ).toEqual([{ type: 'text', text: 'Echo: still here' }]);
      const bob = await client(base, BOB);
      const hidden = await bob.callTool({
        name: 'gateway_invoke',
        arguments: { server: 'everything', tool: 'echo', arguments: {} },
      });
      seen.push(JSON.stringify(hidden));
      expect(hidden.content).toEqual([
        { type: 'text', text: 'No server named "everything". Servers: memory.' },
      ]);
      await bob.callTool({
        name: 'gateway_invoke',
        arguments: { server: 'memory', tool: 'read_graph', arguments: {} },
      });

      const health = await fetch(new URL('/health', base));
      const anonymous = await health.json();
      expect(anonymous).toEqual({ status: expect.stringMatching(/healthy|degraded/) });
      const healthAsBob = (await (
        await fetch(new URL('/health', base), { headers: { authorization: `Bearer ${BOB}` } })
      ).json()) as { backends: object };
      expect(Object.keys(healthAsBob.backends)).toEqual(['memory']);
      expect((await fetch(new URL('/metrics', base))).status).toBe(401);
      const metrics = await (
        await fetch(new URL('/metrics', base), { headers: { authorization: `Bearer ${ALICE}` } })
      ).text();
      expect(metrics).toContain(`mcp_gateway_auth_refusals_total{reason="unknown_key"}`);
      expect((await fetch(new URL('/.well-known/oauth-protected-resource', base))).status).toBe(404);
      seen.push(JSON.stringify(healthAsBob), metrics);
      await alice.close();
      await bob.close();
      const done = finished(child);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    } finally {
      killTree(child);
    }
    // One audit line per call, arguments included (asked for), attributed to the client.
    const audits = stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"audit"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      audits.map(({ client, backend, name, outcome, arguments: args }) => ({
        client,
        backend,
        name,
        outcome,
        args,
      })),
    ).toEqual([
      {
        client: 'api-key:alice',
        backend: 'everything',
        name: 'echo',
        outcome: 'ok',
        args: { message: 'still here' },
      },
      { client: 'api-key:bob', backend: 'memory', name: 'read_graph', outcome: 'ok', args: {} },
    ]);
    for (const text of [stderr, ...seen]) {
      expect(text).not.toContain(ALICE);
      expect(text).not.toContain(BOB);
    }
  });

  it('answers a client past its rate limit with 429 and Retry-After, and the stdio front door with an error', async () => {
    const { file } = securedConfig('rate_limit: { rate: 1, burst: 3 }');
    const child = runCli(['--config', file, '--port', '0'], { ALICE_KEY: ALICE });
    try {
      const base = await listeningUrl(child);
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const response = await post(base, ALICE, initialize);
        await response.body?.cancel();
        statuses.push([response.status, response.headers.get('retry-after')]);
      }
      expect(statuses).toEqual([
        [200, null],
        [200, null],
        [200, null],
        [429, '1'],
        [429, '1'],
      ]);
      const other = await post(base, BOB, initialize); // a bucket per client
      await other.body?.cancel();
      expect(other.status).toBe(200);
    } finally {
      killTree(child);
    }
    const stdio = spawn(process.execPath, [...tsx, bin, '--stdio', '--config', file], {
      env: { ...process.env, ALICE_KEY: ALICE },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    try {
      const lines: string[] = [];
      let buffered = '';
      stdio.stdout!.on('data', (d: Buffer) => {
        buffered += d;
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts);
      });
      for (let id = 1; id <= 5; id++) stdio.stdin!.write(`${JSON.stringify({ ...initialize, id })}\n`);
      const deadline = Date.now() + 15_000;
      while (lines.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const answers = lines.map(
        (l) => JSON.parse(l) as { id: number; result?: unknown; error?: { message: string } },
      );
      expect(answers.filter((a) => a.error).map((a) => [a.id, a.error!.message])).toEqual([
        [4, 'Too many requests: the rate limit is spent; retry in 1 s.'],
        [5, 'Too many requests: the rate limit is spent; retry in 1 s.'],
      ]);
    } finally {
      stdio.kill('SIGKILL');
    }
  });

  it('refuses to listen on a public address without authentication, unless told so knowingly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-public-'));
    const file = join(dir, 'servers.yaml');
    writeFileSync(
      file,
      `state_dir: ${join(dir, 'state')}\nbackends:\n  everything: { command: "node ${everythingServer} stdio" }\n`,
    );
    const refused = await finished(runCli(['--config', file, '--host', '0.0.0.0', '--port', '0']));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'mcp-gateway: Refusing to listen on 0.0.0.0 without authentication: this configuration lets anyone who can reach the port call every tool. Configure auth (api_keys or oauth; see "Security" in the README), bind 127.0.0.1, or pass --allow-unauthenticated when something in front of the gateway authenticates.',
    );
    const child = runCli(['--config', file, '--host', '0.0.0.0', '--port', '0', '--allow-unauthenticated']);
    try {
      const url = await listeningUrl(child);
      const base = new URL(`http://127.0.0.1:${url.port}`);
      expect((await fetch(new URL('/health', base))).status).toBe(200);
      // Host and Origin are still checked: a name the gateway was not told about is refused.
      const status = await new Promise<number | undefined>((resolve, reject) =>
        request(
          { host: '127.0.0.1', port: url.port, path: '/health', headers: { host: 'attacker.example' } },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        )
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(403);
    } finally {
      killTree(child);
    }
  });
});
