import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import {
  Client,
  StreamableHTTPClientTransport,
  type ClientOptions,
  type Transport,
} from '@modelcontextprotocol/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendants, exampleConfig, processAlive } from '@mcp-gateway/examples';
import { silentLogger } from '@mcp-gateway/core';
import { Gateway, GatewayConfig } from '../src/index';

export { descendants, exampleConfig };

export const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
/** Node's flags that run TypeScript source in one process (tsx as a loader), so signals reach the CLI itself. */
export const tsx = ['--import', new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href];

/** An SDK client on one gateway endpoint; `await using` closes it. */
export async function connectClient(url: URL) {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url));
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

/** An SDK client that answers every sampling request with `text`; `await using` closes it. */
export async function samplingClient(transport: Transport, text: string, options: ClientOptions = {}) {
  const client = new Client(
    { name: 'sampling-client', version: '1.0.0' },
    { capabilities: { sampling: {} }, ...options },
  );
  client.setRequestHandler('sampling/createMessage', async () => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text },
  }));
  await client.connect(transport);
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

/**
 * The real CLI in a child process, as a user runs it from source. It leads its own process group so `killTree`
 * can clean up after a failed test.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [...tsx, bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** SIGKILLs the CLI's process group and every descendant (backends lead groups of their own). */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  for (const pid of [...descendants(child.pid), child.pid]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Collects a child's output and exit code. */
export async function finished(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** Resolves with the URL the CLI logs once it listens. */
export function listeningUrl(child: ChildProcess): Promise<URL> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d;
      const match = /listening on (http:\/\/[^\s"]+)/.exec(seen);
      if (match) resolve(new URL(match[1]!));
    });
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code} before listening:\n${seen}`)));
  });
}

/** What the tests read of `/health`. */
export interface Health {
  backends: Record<string, { pid: number | null; state: string; tools_cached: number }>;
  config: { generation: number; loaded_at: string; last_error: string | null };
}

/** Polls `/health` of the gateway at `base` until `until` holds (by default: every backend runs); fails after 20 s. */
export async function healthUntil(
  base: URL,
  until: (health: Health) => boolean = (h) => Object.values(h.backends).every((b) => b.pid !== null),
): Promise<Health> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const health = (await (await fetch(new URL('/health', base))).json()) as Health;
    if (until(health)) return health;
    if (Date.now() > deadline) throw new Error(`/health never got there: ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pids among `pids` that still run (zombies do not count). */
export const alive = (pids: number[]) => pids.filter(processAlive);

/**
 * The gateway on the example config, on a free port with a fresh state directory, once its first-start warm-up
 * has learned every backend's tools.
 */
export async function startExampleGateway(
  mode: 'meta' | 'aggregate',
): Promise<{ gateway: Gateway; url: URL }> {
  const stateDir = mkdtempSync(join(tmpdir(), `mcpgw-${mode}-`));
  const config = GatewayConfig.fromYaml(exampleConfig).withOverrides({ port: 0, stateDir, mode });
  const gateway = new Gateway(config, { logger: silentLogger });
  const url = new URL('/mcp', await gateway.start());
  const deadline = Date.now() + 20_000;
  while (!Object.values(gateway.health()).every((b) => b.tools_cached > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { gateway, url };
}

/**
 * The example gateway for the tests of one file: started before them (see {@link startExampleGateway}), closed
 * after. Read `url` (the `/mcp` endpoint) inside tests, once it has started.
 */
export function exampleGatewayForFile(mode: 'meta' | 'aggregate'): { url: URL } {
  const started = {} as { gateway?: Gateway; url: URL };
  beforeAll(async () => Object.assign(started, await startExampleGateway(mode)), 60_000);
  afterAll(() => started.gateway?.close());
  return started;
}
