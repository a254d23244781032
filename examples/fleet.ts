import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shippedSite = fileURLToPath(new URL('../deploy/nginx/mcp-gateway.conf', import.meta.url));

/** A real redis-server on 127.0.0.1:`port`, in memory only (no dump, no append-only file), in its own group. */
export function startRedis(bin: string, port: number): ChildProcess {
  return spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    detached: true,
  });
}

/**
 * `deploy/nginx/mcp-gateway.conf` as shipped, listening on `front`, with the ports of replicas r1, r2 and r3. Give
 * r1's port three times for a fleet of one behind the same configuration.
 */
export function nginxSite(front: number, ports: [number, number, number]): string {
  return readFileSync(shippedSite, 'utf8')
    .replaceAll('127.0.0.1:39400', `127.0.0.1:${front}`)
    .replace(/127\.0\.0\.1:3940([123])/g, (_, n: string) => `127.0.0.1:${ports[Number(n) - 1]}`);
}

/** A real nginx in the foreground serving `site`, with every file it writes in `dir`, in its own group. */
export function startNginx(bin: string, dir: string, site: string): ChildProcess {
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;\nworker_processes auto;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents {}\n` +
      `http {\n  access_log off;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((temp) => `  ${temp}_temp_path ${dir}/${temp};\n`)
        .join('') +
      `  include ${dir}/site.conf;\n}\n`,
  );
  return spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'ignore',
    detached: true,
  });
}

/** Signals the process group a detached child leads, and waits for the child to exit. */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return; // the group is gone already
  }
  await exited;
}
