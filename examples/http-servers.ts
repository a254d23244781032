// Runs server-everything in its own HTTP modes on a free loopback port, for tests and benchmarks.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { everythingServer } from './index';

export interface RunningServer {
  /** The MCP endpoint: `/mcp` for Streamable HTTP, `/sse` for legacy SSE. */
  url: URL;
  pid: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `server-everything <mode>` and resolves once it listens. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [everythingServer, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk;
      if (/listening on port|running on port/i.test(seen)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited with ${code}: ${seen}`)));
  });
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        resolve();
      }
    }));
  return {
    url: new URL(mode === 'sse' ? `http://127.0.0.1:${port}/sse` : `http://127.0.0.1:${port}/mcp`),
    pid: child.pid!,
    close,
    [Symbol.asyncDispose]: close,
  };
}
