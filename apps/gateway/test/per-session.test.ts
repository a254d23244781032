import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport, type Client } from '@modelcontextprotocol/client';
import { silentLogger } from '@mcp-gateway/core';
import { everythingServer, startEverythingHttp } from '@mcp-gateway/examples';
import { Gateway, GatewayConfig } from '../src/index';
import { descendants, samplingClient } from './helpers';

// `isolation: per-session`: server-everything runs one process per client session, on /mcp/{backend} and for
// gateway_invoke on /mcp; a session's process ends with the session. An HTTP backend gets one upstream session per
// client session the same way, by default.

let gateway: Gateway;
let base: URL;

beforeAll(async () => {
  const config = new GatewayConfig({
    port: 0,
    state_dir: mkdtempSync(join(tmpdir(), 'mcpgw-isolated-')),
    backends: { everything: { command: `node ${everythingServer} stdio`, isolation: 'per-session' } },
  });
  gateway = new Gateway(config, { logger: silentLogger });
  base = await gateway.start();
}, 60_000);
afterAll(() => gateway?.close());

/** The server-everything processes this test process runs (through the gateway). */
const everythingProcesses = () =>
  descendants(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server-everything');
    } catch {
      return false;
    }
  });

const sessions = () => gateway.health().everything!.sessions;

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Ends the client's session (DELETE), then closes it. */
async function endSession(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport).terminateSession();
  await client.close();
}

/** Rounds of overlapping calls that make the backend ask for sampling: each answer comes from the caller's client. */
async function eachSampledByItsOwnClient(alice: Client, bob: Client, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const [a, b] = await Promise.all(
      [alice, bob].map((client, i) =>
        client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: `${round}-${i}` } }),
      ),
    );
    expect(JSON.stringify(a!.content)).toContain('answer from alice');
    expect(JSON.stringify(b!.content)).toContain('answer from bob');
  }
}

const connect = (path: string, name: string) =>
  samplingClient(new StreamableHTTPClientTransport(new URL(path, base)), `answer from ${name}`);

describe('a stdio backend with isolation: per-session', () => {
  it('runs a process per client session on /mcp/{backend}, and ends it with the session', async () => {
    const before = everythingProcesses();
    const alice = await connect('/mcp/everything', 'alice');
    const bob = await connect('/mcp/everything', 'bob');
    await Promise.all([alice.listTools(), bob.listTools()]);
    expect(sessions()).toBe(2);
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    expect(metrics).toContain('mcp_gateway_backend_session_connections{backend="everything"} 2');
    const own = everythingProcesses().filter((pid) => !before.includes(pid));
    expect(own).toHaveLength(2);

    await eachSampledByItsOwnClient(alice, bob, 5);

    await endSession(alice);
    await waitFor(() => everythingProcesses().filter((pid) => own.includes(pid)).length === 1);
    expect(everythingProcesses().filter((pid) => own.includes(pid))).toHaveLength(1);
    expect(sessions()).toBe(1);
    expect((await bob.callTool({ name: 'echo', arguments: { message: 'still here' } })).content).toEqual([
      { type: 'text', text: 'Echo: still here' },
    ]);
    await endSession(bob);
    await waitFor(() => everythingProcesses().every((pid) => !own.includes(pid)));
    expect(everythingProcesses().filter((pid) => own.includes(pid))).toEqual([]);
    expect(sessions()).toBe(0);
  });

  it('gives a /mcp session its own process for gateway_invoke', async () => {
    const client = await connect('/mcp', 'carol');
    const result = await client.callTool({
      name: 'gateway_invoke',
      arguments: { server: 'everything', tool: 'trigger-sampling-request', arguments: { prompt: 'hi' } },
    });
    expect(JSON.stringify(result.content)).toContain('answer from carol');
    expect(sessions()).toBe(1);
    await endSession(client);
    await waitFor(() => sessions() === 0);
    expect(sessions()).toBe(0);
  });
});

describe('an HTTP backend (per-session by default)', () => {
  it('gives each client session its own upstream session, so sampling reaches exactly its client', async () => {
    await using backend = await startEverythingHttp('streamableHttp');
    const http = new Gateway(
      new GatewayConfig({
        port: 0,
        state_dir: mkdtempSync(join(tmpdir(), 'mcpgw-http-')),
        backends: { remote: { http_url: backend.url.href } },
      }),
      { logger: silentLogger },
    );
    try {
      const url = new URL('/mcp/remote', await http.start());
      const alice = await samplingClient(new StreamableHTTPClientTransport(url), 'answer from alice');
      const bob = await samplingClient(new StreamableHTTPClientTransport(url), 'answer from bob');
      await eachSampledByItsOwnClient(alice, bob, 3);
      expect(http.health().remote!.sessions).toBe(2);
      await endSession(alice);
      await waitFor(() => http.health().remote!.sessions === 1);
      expect(http.health().remote!.sessions).toBe(1);
      await endSession(bob);
    } finally {
      await http.close();
    }
  });
});
