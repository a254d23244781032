import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureBackend } from '@mcp-gateway/examples';
import { processStats } from '../proc';

/** The bundled CLI, as users run it (`pnpm bench` builds it first). */
const bin = fileURLToPath(new URL('../../../gateway/dist/bin.js', import.meta.url));

export interface IdleRss {
  backends: number;
  rssMb: number;
}

/** Runs the CLI once; resolves with its URL, its node process id, and a stop function. */
async function runGateway(config: string) {
  const child = spawn(process.execPath, [bin, '--config', config, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const url = await new Promise<URL>((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d;
      const match = /listening on (http:\/\/[^\s"]+)/.exec(seen);
      if (match) resolve(new URL(match[1]!));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${seen}`)));
  });
  const gatewayPid = child.pid!;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGTERM');
    });
  return { url, gatewayPid, stop };
}

/**
 * The gateway's resident memory with `count` configured stdio backends of which none runs: a first run fills the
 * catalog cache (warm-up starts each once), the second, measured run finds it cached and starts nothing.
 */
export async function idleRss(count = 20): Promise<IdleRss> {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-rss-'));
  const config = join(dir, 'servers.yaml');
  const backends = Array.from(
    { length: count },
    (_, i) => `  b${i}:\n    command: "${process.execPath} ${fixtureBackend}"\n    idle_timeout: 1\n`,
  ).join('');
  writeFileSync(config, `state_dir: ${join(dir, 'state')}\nbackends:\n${backends}`);
  const first = await runGateway(config);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const health = (await (await fetch(new URL('/health', first.url))).json()) as {
        backends: Record<string, { tools_cached: number }>;
      };
      if (Object.values(health.backends).every((b) => b.tools_cached > 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await first.stop();
  }
  const second = await runGateway(config);
  let running: number;
  let rss: number;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const health = (await (await fetch(new URL('/health', second.url))).json()) as {
      backends: Record<string, { running: boolean }>;
    };
    running = Object.values(health.backends).filter((b) => b.running).length;
    rss = processStats(second.gatewayPid).rssMb;
  } finally {
    await second.stop();
  }
  if (running > 0)
    throw new Error(`${running} backends started in the measured run; the figure would not be idle RSS`);
  return { backends: count, rssMb: rss };
}
