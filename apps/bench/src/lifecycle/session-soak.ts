import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { descendants, fixtureBackend, freePort, groupMembers } from '@mcp-gateway/examples';
import { HttpClient } from '../latency/http-client';
import { processStats } from '../proc';

const bin = fileURLToPath(new URL('../../../gateway/dist/bin.js', import.meta.url));

export interface SoakSample {
  atS: number;
  rssMb: number;
  sessions: number;
  /** Backend processes running under the gateway. */
  processes: number;
}

export interface SessionSoakFigures {
  clients: number;
  seconds: number;
  /** Things done, by kind (a client that connects, calls, streams or abandons, on one endpoint). */
  done: Record<string, number>;
  /** Errors seen by clients that did nothing wrong, on backends that did nothing wrong: must be 0. */
  wellBehavedErrors: number;
  /** The first few, to say what went wrong. */
  errorSamples: string[];
  samples: { start: SoakSample; middle: SoakSample; end: SoakSample };
  /** After the last abandoned session's idle timeout: what the gateway still holds. */
  settled: SoakSample;
  /** Processes left over once the gateway stopped: must be 0. */
  leakedProcesses: number;
  sessionTotals: { expired: number; evicted: number; refused: number };
}

/** A seeded random number generator (mulberry32): the same run every time for the same seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Many clients at once for `seconds` against the bundled CLI on 127.0.0.1: well-behaved ones connecting, calling and
 * streaming on every endpoint in both eras, others abandoning sessions and streams, and calls to a backend that
 * crashes and one that hangs. Samples RSS, open sessions and backend processes throughout, then checks what is left
 * once the abandoned sessions have expired and once the gateway has stopped.
 */
export async function sessionSoak(clients: number, seconds: number): Promise<SessionSoakFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-session-soak-'));
  const config = join(dir, 'servers.yaml');
  const idleS = 5;
  writeFileSync(
    config,
    `state_dir: ${join(dir, 'state')}
log_level: error
session_idle_timeout: ${idleS}
request_timeout: 2
backends:
  fixture: { command: "${process.execPath} ${fixtureBackend}" }
  own: { command: "${process.execPath} ${fixtureBackend}", isolation: per-session, idle_timeout: ${idleS} }
  crashy: { command: "${process.execPath} ${fixtureBackend} --crash-after 25" }
`,
  );
  const port = await freePort();
  const child = spawn(process.execPath, [bin, '--config', config, '--port', String(port)], {
    stdio: 'ignore',
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/health`).catch(() => undefined))?.ok) break;
    if (i > 300) throw new Error('the gateway did not start');
    await pause(50);
  }
  const sessions = async () =>
    (
      (await (await fetch(`${base}/health`)).json()) as {
        sessions: { open: number } & SessionSoakFigures['sessionTotals'];
      }
    ).sessions;
  const sample = async (start: number): Promise<SoakSample> => ({
    atS: Math.round((performance.now() - start) / 1000),
    rssMb: processStats(child.pid!).rssMb,
    sessions: (await sessions()).open,
    processes: descendants(child.pid!).length,
  });

  const done: Record<string, number> = {};
  const count = (kind: string) => (done[kind] = (done[kind] ?? 0) + 1);
  let wellBehavedErrors = 0;
  const errorSamples: string[] = [];
  const wellBehaved = async (kind: string, run: () => Promise<void>) => {
    try {
      await run();
      count(kind);
    } catch (error) {
      wellBehavedErrors++;
      if (errorSamples.length < 5) errorSamples.push(`${kind}: ${String(error)}`);
    }
  };
  const echo = (message: string) => ({ name: 'echo', arguments: { message } });
  const sdk = async (transport: StreamableHTTPClientTransport | SSEClientTransport, modern = false) => {
    const client = new Client(
      { name: 'soak', version: '1' },
      modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
    );
    await client.connect(transport);
    return client;
  };
  const expect = (result: unknown, text: string) => {
    if (!JSON.stringify(result).includes(text))
      throw new Error(`unexpected result ${JSON.stringify(result)}`);
  };

  const behaviours: [weight: number, run: () => Promise<void>][] = [
    [
      4,
      () =>
        wellBehaved('legacy call /mcp/fixture', async () => {
          const client = await HttpClient.connect(new URL(`${base}/mcp/fixture`));
          for (let i = 0; i < 5; i++) expect(await client.call('tools/call', echo(`hi ${i}`)), `hi ${i}`);
          await client.close();
        }),
    ],
    [
      2,
      () =>
        wellBehaved('legacy gateway_invoke /mcp', async () => {
          const client = await HttpClient.connect(new URL(`${base}/mcp`));
          const invoke = {
            name: 'gateway_invoke',
            arguments: { server: 'own', tool: 'echo', arguments: { message: 'own' } },
          };
          expect(await client.call('tools/call', invoke), 'own');
          await client.close();
        }),
    ],
    [
      2,
      () =>
        wellBehaved('modern call /mcp/fixture', async () => {
          const client = await sdk(new StreamableHTTPClientTransport(new URL(`${base}/mcp/fixture`)), true);
          expect(await client.callTool(echo('modern')), 'modern');
          await client.close();
        }),
    ],
    [
      1,
      () =>
        wellBehaved('SSE call /sse/fixture', async () => {
          const client = await sdk(new SSEClientTransport(new URL(`${base}/sse/fixture`)));
          expect(await client.callTool(echo('sse')), 'sse');
          await client.close();
        }),
    ],
    [
      1,
      () =>
        wellBehaved('progress stream /mcp/fixture', async () => {
          const client = await sdk(new StreamableHTTPClientTransport(new URL(`${base}/mcp/fixture`)));
          let steps = 0;
          const result = await client.callTool(
            { name: 'progress', arguments: { steps: 3, ms: 20 } },
            { onprogress: () => void steps++ },
          );
          expect(result, 'done');
          if (steps !== 3) throw new Error(`${steps} progress notifications, not 3`);
          await client.close();
        }),
    ],
    [
      4,
      async () => {
        // Initialize and vanish: no DELETE, no stream.
        const path = ['/mcp', '/mcp/fixture', '/mcp/own'][Math.floor(Math.random() * 3)]!;
        await HttpClient.connect(new URL(`${base}${path}`)).catch(() => {});
        count(`abandon ${path}`);
      },
    ],
    [
      1,
      async () => {
        // Open a GET stream and drop the connection.
        const client = await HttpClient.connect(new URL(`${base}/mcp/fixture`)).catch(() => undefined);
        if (!client) return;
        const aborted = new AbortController();
        const headers = (client as unknown as { headers: Record<string, string> }).headers;
        await fetch(`${base}/mcp/fixture`, {
          headers: { ...headers, accept: 'text/event-stream' },
          signal: aborted.signal,
        }).catch(() => {});
        aborted.abort();
        count('drop a GET stream');
      },
    ],
    [
      1,
      async () => {
        // A backend that crashes every 25 calls, and a call that hangs past the request timeout.
        const client = await HttpClient.connect(new URL(`${base}/mcp/crashy`)).catch(() => undefined);
        await client?.call('tools/call', echo('maybe')).catch(() => {});
        await client?.call('tools/call', { name: 'hang', arguments: {} }).catch(() => {});
        await client?.close();
        count('misbehaving backend');
      },
    ],
  ];
  const total = behaviours.reduce((sum, [w]) => sum + w, 0);

  const start = performance.now();
  const deadline = start + seconds * 1000;
  const first = await sample(start);
  let middle: SoakSample | undefined;
  const sampler = setInterval(() => {
    if (!middle && performance.now() - start >= (seconds * 1000) / 2)
      void sample(start).then((s) => (middle = s));
  }, 500);
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      const next = random(worker + 1);
      while (performance.now() < deadline) {
        let pick = next() * total;
        const behaviour = behaviours.find(([weight]) => (pick -= weight) < 0)![1];
        await behaviour();
        await pause(50 + next() * 450);
      }
    }),
  );
  clearInterval(sampler);
  const end = await sample(start);
  // Abandoned sessions expire after the idle timeout (the sweep runs every idle/4).
  await pause((idleS + 3) * 1000);
  const settled = await sample(start);
  const totals = await sessions();
  const groups = descendants(child.pid!);
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
  await pause(500);
  return {
    clients,
    seconds,
    done,
    wellBehavedErrors,
    errorSamples,
    samples: { start: first, middle: middle ?? end, end },
    settled,
    leakedProcesses: groups.flatMap(groupMembers).length,
    sessionTotals: { expired: totals.expired, evicted: totals.evicted, refused: totals.refused },
  };
}
