import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { fixtureBackend, freePort } from '@mcp-gateway/examples';

/** One way to reach the fixture backend, measured by calling its tools through an SDK client. */
export interface Target {
  name: string;
  /** Calls the fixture's `echo` (or `payload` of `bytes`), through whatever this target puts in between. */
  call(bytes?: number): Promise<void>;
  /** The process in the middle (gateway or peer), for RSS and CPU; none for direct. */
  pid: number | undefined;
  close(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const gatewayBin = here('../../../gateway/dist/bin.js');
const bins = {
  mcpProxy: here('../../node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs'),
  supergateway: here('../../node_modules/supergateway/dist/index.js'),
};

function toolCall(bytes?: number) {
  return bytes ? { name: 'payload', arguments: { bytes } } : { name: 'echo', arguments: { message: 'ping' } };
}

async function client(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(transport);
  return c;
}

export async function directStdio(): Promise<Target> {
  const c = await client(new StdioClientTransport({ command: process.execPath, args: [fixtureBackend] }));
  return {
    name: 'direct stdio',
    pid: undefined,
    call: async (bytes) => void (await c.callTool(toolCall(bytes))),
    close: () => c.close(),
  };
}

/** Starts a proxy process on a free port and waits until it answers HTTP. */
async function startProxy(args: (port: number) => string[]): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, args(port), {
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      return { child, port };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`proxy ${args(port).join(' ')} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function httpTarget(
  name: string,
  proxy: { child: ChildProcess; port: number },
  path: string,
  invoke?: boolean,
): Promise<Target> {
  const c = await client(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxy.port}${path}`)));
  return {
    name,
    pid: proxy.child.pid,
    call: async (bytes) => {
      const call = toolCall(bytes);
      await c.callTool(
        invoke
          ? {
              name: 'gateway_invoke',
              arguments: { server: 'fixture', tool: call.name, arguments: call.arguments },
            }
          : call,
      );
    },
    close: async () => {
      await c.close().catch(() => {});
      await new Promise<void>((resolve) => {
        const kill = (signal: NodeJS.Signals) => {
          try {
            process.kill(-proxy.child.pid!, signal);
          } catch {
            resolve(); // the whole group is gone already
          }
        };
        const timer = setTimeout(() => (kill('SIGKILL'), resolve()), 3000);
        proxy.child.once('exit', () => (clearTimeout(timer), resolve()));
        kill('SIGTERM');
      });
    },
  };
}

/** The bundled gateway CLI in its own process with the fixture as its one stdio backend. */
export async function gateway(mode: 'direct' | 'meta'): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-latency-'));
  const config = join(dir, 'servers.yaml');
  writeFileSync(
    config,
    `state_dir: ${join(dir, 'state')}\nlog_level: warn\nbackends:\n  fixture:\n    command: "${process.execPath} ${fixtureBackend}"\n`,
  );
  const proxy = await startProxy((port) => [gatewayBin, '--config', config, '--port', String(port)]);
  return httpTarget(
    mode === 'direct' ? 'gateway /mcp/{backend}' : 'gateway /mcp gateway_invoke',
    proxy,
    mode === 'direct' ? '/mcp/fixture' : '/mcp',
    mode === 'meta',
  );
}

export async function mcpProxy(): Promise<Target> {
  const proxy = await startProxy((port) => [
    bins.mcpProxy,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--',
    process.execPath,
    fixtureBackend,
  ]);
  return httpTarget('mcp-proxy (peer)', proxy, '/mcp');
}

export async function supergateway(): Promise<Target> {
  const proxy = await startProxy((port) => [
    bins.supergateway,
    '--stdio',
    `${process.execPath} ${fixtureBackend}`,
    '--outputTransport',
    'streamableHttp',
    '--stateful',
    '--port',
    String(port),
    '--logLevel',
    'none',
  ]);
  return httpTarget('supergateway (peer)', proxy, '/mcp');
}
