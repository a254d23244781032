import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { everythingServer, fixtureBackend, freePort, startEverythingHttp } from '@mcp-gateway/examples';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { HttpClient } from './http-client';
import { SseClient } from './sse-client';
import { StdioClient } from './stdio-client';

/** A backend the latency phase measures: our fixture (near-zero cost) or server-everything. */
export interface BenchBackend {
  name: 'fixture' | 'everything';
  /** The stdio command line, as argv. */
  argv: string[];
  /** Whether it has the `payload` tool. */
  payloads: boolean;
}

export const BACKENDS: Record<BenchBackend['name'], BenchBackend> = {
  fixture: { name: 'fixture', argv: [process.execPath, fixtureBackend], payloads: true },
  everything: { name: 'everything', argv: [process.execPath, everythingServer, 'stdio'], payloads: false },
};

/** One way to reach a backend, measured by calling its tools. */
export interface Target {
  name: string;
  /** Calls `echo` (or the fixture's `payload` of `bytes`), through whatever this target puts in between. */
  call(bytes?: number): Promise<void>;
  /** The process in the middle (gateway or peer), for RSS and CPU; none for direct. */
  pid: number | undefined;
  /**
   * Whether two clients at once each get their own answers and nobody else's (see {@link safeWithTwoClients});
   * undefined where there is nothing in the middle to share.
   */
  twoClientsSafe?: () => Promise<boolean>;
  close(): Promise<void>;
}

/** Turns a tool call into what the target is sent (`gateway_invoke` wraps it). */
type Wrap = (call: { name: string; arguments: Record<string, unknown> }) => Record<string, unknown>;

/** What the bench needs of a client session: {@link HttpClient}, {@link SseClient} or {@link StdioClient}. */
interface BenchClient {
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** Answers it got to requests it never sent (only a client that reads a shared stream can tell). */
  foreign?: number;
  close(): Promise<void>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const gatewayBin = here('../../../gateway/dist/bin.js');
const minimalRelayScript = here('../../fixtures/minimal-relay.mjs');
const bins = {
  mcpProxy: here('../../node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs'),
  supergateway: here('../../node_modules/supergateway/dist/index.js'),
};

function toolCall(bytes?: number, message = 'ping') {
  return bytes ? { name: 'payload', arguments: { bytes } } : { name: 'echo', arguments: { message } };
}

/** A minimal client over stdio, straight to the backend: the floor. */
export async function directStdio(backend: BenchBackend): Promise<Target> {
  const client = await StdioClient.start(backend.argv);
  return {
    name: 'direct stdio',
    pid: undefined,
    call: async (bytes) => void (await client.call('tools/call', toolCall(bytes))),
    close: () => client.close(),
  };
}

/** The SDK client over stdio, straight to the backend: what the SDK's own client adds, for comparison. */
export async function directStdioSdk(backend: BenchBackend): Promise<Target> {
  const [command, ...args] = backend.argv;
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StdioClientTransport({ command: command!, args }));
  return {
    name: 'direct stdio (SDK client)',
    pid: undefined,
    call: async (bytes) => void (await c.callTool(toolCall(bytes))),
    close: () => c.close(),
  };
}

/** server-everything's own Streamable HTTP server, straight: the floor for HTTP. */
export async function directHttp(): Promise<Target> {
  const server = await startEverythingHttp('streamableHttp');
  const client = await HttpClient.connect(server.url);
  return {
    name: 'direct Streamable HTTP',
    pid: undefined,
    call: async () => void (await client.call('tools/call', toolCall())),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Starts a proxy process on a free port and waits until it answers HTTP. */
async function startProxy(
  args: (port: number) => string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, args(port), {
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
    env: { ...process.env, ...env },
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

/**
 * Two clients of the same server at once, each echoing its own messages 20 times, concurrently: safe when each
 * gets exactly its own answers and nothing else. A server that sends every answer to every client fails it.
 */
async function safeWithTwoClients(
  connect: (firstId: number) => Promise<BenchClient>,
  wrap: Wrap,
): Promise<boolean> {
  const [a, b] = await Promise.all([connect(1), connect(1_000_000)]);
  const echo = async (client: BenchClient, text: string) => {
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000).unref());
    const answer = await Promise.race([client.call('tools/call', wrap(toolCall(undefined, text))), timeout]);
    const echoed = (answer as { content?: { text?: string }[] } | undefined)?.content?.[0]?.text;
    return echoed === text || echoed === `Echo: ${text}`; // the fixture's echo, and server-everything's
  };
  try {
    for (let i = 0; i < 20; i++) {
      const [mine, theirs] = await Promise.all([echo(a, `a-${i}`), echo(b, `b-${i}`)]);
      if (!mine || !theirs) return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // stray answers still on their way
    return (a.foreign ?? 0) + (b.foreign ?? 0) === 0;
  } catch {
    return false;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** A target that reaches the proxy through `connect`'s client (HTTP or SSE), and the proxy's two-client check. */
async function clientTarget(
  name: string,
  proxy: { child: ChildProcess; port: number },
  connect: (firstId: number) => Promise<BenchClient>,
  wrap: Wrap = (c) => c,
): Promise<Target> {
  const client = await connect(1);
  return {
    name,
    pid: proxy.child.pid,
    call: async (bytes) => void (await client.call('tools/call', wrap(toolCall(bytes)))),
    twoClientsSafe: () => safeWithTwoClients(connect, wrap),
    close: async () => {
      await client.close().catch(() => {});
      await stop(proxy.child);
    },
  };
}

/** Streamable HTTP: answers in the POST's own response (JSON or a stream). */
function httpTarget(
  name: string,
  proxy: { child: ChildProcess; port: number },
  path: string,
  wrap?: Wrap,
  headers: Record<string, string> = {},
): Promise<Target> {
  const url = new URL(`http://127.0.0.1:${proxy.port}${path}`);
  return clientTarget(name, proxy, () => HttpClient.connect(url, headers), wrap);
}

/** The 2024-11-05 HTTP+SSE transport: answers on the client's GET stream. */
function sseTarget(
  name: string,
  proxy: { child: ChildProcess; port: number },
  path: string,
): Promise<Target> {
  const url = new URL(`http://127.0.0.1:${proxy.port}${path}`);
  return clientTarget(name, proxy, (firstId) => SseClient.connect(url, {}, firstId));
}

const BENCH_KEY = 'bench-api-key-0b7d3e91f2';

/** A minimal issuer on 127.0.0.1 for the JWT target: its JWKS, and tokens it signs for the gateway. */
async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] };
  const server = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    token: (audience: string) =>
      new SignJWT({ scope: 'mcp' })
        .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
        .setIssuer(url)
        .setAudience(audience)
        .setSubject('bench')
        .setExpirationTime('2h')
        .sign(privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** SIGTERM to the proxy's process group, SIGKILL after 3 s. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        resolve(); // the whole group is gone already
      }
    };
    const timer = setTimeout(() => (kill('SIGKILL'), resolve()), 3000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    kill('SIGTERM');
  });
}

/** How a client reaches the backend through the gateway. */
export type GatewayPath =
  'json' | 'modern' | 'sse' | 'legacy-sse' | 'sdk' | 'invoke' | 'api-key' | 'jwt' | 'traced';

const GATEWAY_TARGETS: Record<GatewayPath, string> = {
  json: 'gateway /mcp/{backend} (JSON)',
  modern: 'gateway /mcp/{backend} (modern era, JSON)',
  sse: 'gateway /mcp/{backend} (SSE)',
  'legacy-sse': 'gateway /sse/{backend} (HTTP+SSE)',
  sdk: 'gateway /mcp/{backend} (SDK client)',
  invoke: 'gateway /mcp gateway_invoke',
  'api-key': 'gateway /mcp/{backend} (JSON, API key)',
  jwt: 'gateway /mcp/{backend} (JSON, OAuth JWT)',
  traced: 'gateway /mcp/{backend} (JSON, tracing to OTLP)',
};

/**
 * A stand-in OpenTelemetry collector on 127.0.0.1: takes OTLP/HTTP trace exports and counts them, so that the
 * traced target pays for building, batching and sending its spans as it would in production.
 */
async function startCollector() {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      res.setHeader('content-type', 'application/json').end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    exports: () => exports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The bundled gateway CLI in its own process with the backend as its one stdio backend. `sse` asks for progress
 * on every call, which makes the gateway stream its answer; `sdk` measures with the SDK's own HTTP client.
 */
export async function gateway(backend: BenchBackend, path: GatewayPath): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-latency-'));
  const config = join(dir, 'servers.yaml');
  // Authenticated targets: every call carries the credential; the audit line per call is off, to measure the check.
  const issuer = path === 'jwt' ? await startIssuer() : undefined;
  const auth =
    path === 'api-key'
      ? `auth:\n  api_keys:\n    - { name: bench, key: "${BENCH_KEY}" }\naudit: { enabled: false }\n`
      : issuer
        ? `auth:\n  oauth: { issuer: "${issuer.url}", jwks_url: "${issuer.url}/jwks" }\naudit: { enabled: false }\n`
        : '';
  writeFileSync(
    config,
    `state_dir: ${join(dir, 'state')}\nlog_level: warn\n${auth}backends:\n  ${backend.name}:\n    command: "${backend.argv.join(' ')}"\n`,
  );
  const collector = path === 'traced' ? await startCollector() : undefined;
  const proxy = await startProxy(
    (port) => [gatewayBin, '--config', config, '--port', String(port)],
    collector ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } : {},
  );
  const name = GATEWAY_TARGETS[path];
  if (collector) {
    const target = await httpTarget(name, proxy, `/mcp/${backend.name}`);
    return {
      ...target,
      close: async () => {
        await target.close(); // the gateway flushes its spans as it stops
        if (collector.exports() === 0) throw new Error('the traced gateway exported no spans');
        await collector.close();
      },
    };
  }
  if (path === 'api-key' || issuer) {
    const credential = issuer ? await issuer.token(`http://127.0.0.1:${proxy.port}/mcp`) : BENCH_KEY;
    const target = await httpTarget(name, proxy, `/mcp/${backend.name}`, undefined, {
      authorization: `Bearer ${credential}`,
    });
    return { ...target, close: async () => (await target.close(), await issuer?.close()) };
  }
  if (path === 'invoke') {
    return httpTarget(name, proxy, '/mcp', (call) => ({
      name: 'gateway_invoke',
      arguments: { server: backend.name, tool: call.name, arguments: call.arguments },
    }));
  }
  if (path === 'sse') {
    let token = 0;
    return httpTarget(name, proxy, `/mcp/${backend.name}`, (call) => ({
      ...call,
      _meta: { progressToken: ++token },
    }));
  }
  if (path === 'json') return httpTarget(name, proxy, `/mcp/${backend.name}`);
  if (path === 'modern') {
    const url = new URL(`http://127.0.0.1:${proxy.port}/mcp/${backend.name}`);
    return clientTarget(name, proxy, async () => HttpClient.modern(url));
  }
  if (path === 'legacy-sse') return sseTarget(name, proxy, `/sse/${backend.name}`);
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${proxy.port}/mcp/${backend.name}`)),
  );
  return {
    name,
    pid: proxy.child.pid,
    call: async (bytes) => void (await c.callTool(toolCall(bytes))),
    close: async () => {
      await c.close().catch(() => {});
      await stop(proxy.child);
    },
  };
}

/** The reference relay (fixtures/minimal-relay.mjs): what any Node relay pays for HTTP and a pipe here. */
export async function minimalRelay(backend: BenchBackend): Promise<Target> {
  const proxy = await startProxy((port) => [minimalRelayScript, String(port), ...backend.argv]);
  return httpTarget('reference: minimal Node relay (no checks)', proxy, '/mcp');
}

/**
 * How a peer serves: `http` is Streamable HTTP (answers in the POST's response), `sse` the 2024-11-05 transport
 * (answers on the client's GET stream), each peer's default and usually its fastest.
 */
export type PeerMode = 'http' | 'sse';

/** mcp-proxy serves both transports from one process: `/mcp` and `/sse`. */
export async function mcpProxy(backend: BenchBackend, mode: PeerMode): Promise<Target> {
  const proxy = await startProxy((port) => [
    bins.mcpProxy,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--',
    ...backend.argv,
  ]);
  return mode === 'sse'
    ? sseTarget('mcp-proxy, SSE (peer)', proxy, '/sse')
    : httpTarget('mcp-proxy, Streamable HTTP (peer)', proxy, '/mcp');
}

/**
 * supergateway's default output is SSE, with one backend process for every client; its Streamable HTTP output is
 * stateful here (a process per session; stateless starts one per request, far slower).
 */
export async function supergateway(backend: BenchBackend, mode: PeerMode): Promise<Target> {
  const output = mode === 'sse' ? [] : ['--outputTransport', 'streamableHttp', '--stateful'];
  const proxy = await startProxy((port) => [
    bins.supergateway,
    '--stdio',
    backend.argv.join(' '),
    ...output,
    '--port',
    String(port),
    '--logLevel',
    'none',
  ]);
  return mode === 'sse'
    ? sseTarget('supergateway, SSE (peer)', proxy, '/sse')
    : httpTarget('supergateway, Streamable HTTP (peer)', proxy, '/mcp');
}
