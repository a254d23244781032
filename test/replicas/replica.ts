import { spawn, type ChildProcess } from 'node:child_process';
import { root } from '../deploy/helpers';

/** A gateway replica from source (the CLI as `pnpm mcp-gateway` runs it), in its own process group. */
export function startReplica(name: string, port: number, config: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/gateway/src/bin.ts',
      '--config',
      config,
      '--port',
      String(port),
      '--replica',
      name,
    ],
    { cwd: root, stdio: 'ignore', detached: true },
  );
}

/** `promise`, or a rejection naming the hang once `ms` have passed without it settling. */
export function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}
