import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { everythingServer, filesystemServer, memoryServer } from '@mcp-gateway/examples';
import { alive, connectClient, finished, healthUntil, killTree, listeningUrl, runCli } from './helpers';

const backend = (name: string, command: string) => `  ${name}:\n    command: ${command}\n`;
const everything = backend('everything', `node ${everythingServer} stdio`);
const memory = backend('memory', `node ${memoryServer}`);

/** A config file in a folder of its own, and the CLI serving it with `flags`. */
function gatewayOn(text: (head: string) => string, flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpgw-reload-'));
  const file = join(dir, 'servers.yaml');
  const head = `state_dir: ${join(dir, 'state')}\nbackends:\n`;
  writeFileSync(file, text(head));
  const child = runCli(['--config', file, '--port', '0', ...flags]);
  const output = { stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d));
  return { dir, file, head, child, output };
}

describe('config reload (SIGHUP and --watch), from a real CLI process', () => {
  it('on SIGHUP keeps unchanged backends and their sessions, applies the rest, and refuses an invalid config whole', async () => {
    const { dir, file, head, child, output } = gatewayOn(
      (head) => head + everything + memory,
      ['--no-meta-mcp'],
    );
    try {
      const base = await listeningUrl(child);
      const first = await healthUntil(base);
      expect(first.config).toEqual({ generation: 1, loaded_at: expect.any(String), last_error: null });
      await using direct = await connectClient(new URL('/mcp/everything', base));
      await using aggregate = await connectClient(new URL('/mcp', base));
      const listChanged = new Promise<void>((resolve) =>
        aggregate.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
      );
      expect((await aggregate.listTools()).tools.some((t) => t.name.startsWith('memory__'))).toBe(true);

      // SIGHUP: memory goes, filesystem comes, everything stays; a new state_dir needs a restart.
      const filesystem = backend('filesystem', `node ${filesystemServer} ${dir}`);
      writeFileSync(file, `${head.replace('/state', '/moved')}${everything}${filesystem}`);
      child.kill('SIGHUP');
      const second = await healthUntil(
        base,
        (h) => h.config.generation === 2 && h.backends.filesystem?.pid != null,
      );
      expect(Object.keys(second.backends)).toEqual(['everything', 'filesystem']);
      expect(second.backends.everything!.pid).toBe(first.backends.everything!.pid);
      expect(alive([first.backends.memory!.pid!])).toEqual([]);
      expect(await direct.callTool({ name: 'echo', arguments: { message: 'same session' } })).toEqual({
        content: [{ type: 'text', text: 'Echo: same session' }],
      });
      await listChanged;
      const names = (await aggregate.listTools()).tools.map((t) => t.name);
      expect([
        names.some((n) => n.startsWith('memory__')),
        names.includes('filesystem__read_text_file'),
      ]).toEqual([false, true]);
      expect(output.stderr).toContain('restart required to change state_dir');

      // An invalid file changes nothing, and says why exactly as `check` does.
      writeFileSync(file, `${head}  broken: {}\n`);
      child.kill('SIGHUP');
      const refused = await healthUntil(base, (h) => h.config.last_error !== null);
      const problem = `Invalid configuration in ${file} (1 problem):\n  - backends.broken (line 3): expected \`command\` (a stdio backend) or \`http_url\` (an HTTP backend), found neither`;
      expect(refused.config).toEqual({
        generation: 2,
        loaded_at: second.config.loaded_at,
        last_error: problem,
      });
      expect(Object.keys(refused.backends)).toEqual(['everything', 'filesystem']);
      expect(output.stderr).toContain(JSON.stringify(problem));

      const done = finished(child);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    } finally {
      killTree(child);
    }
  });

  it('with --watch reloads when the file is saved, and restarts a backend whose command changed', async () => {
    const { file, head, child } = gatewayOn((head) => head + everything + memory, ['--watch']);
    try {
      const base = await listeningUrl(child);
      const first = await healthUntil(base);
      writeFileSync(file, head + backend('everything', `node ${everythingServer} stdio --changed`) + memory);
      const second = await healthUntil(
        base,
        (h) => h.config.generation === 2 && h.backends.everything?.pid != null,
      );
      expect(second.config.last_error).toBeNull();
      expect(second.backends.everything!.pid).not.toBe(first.backends.everything!.pid);
      expect(second.backends.memory!.pid).toBe(first.backends.memory!.pid);
      const done = finished(child);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    } finally {
      killTree(child);
    }
  });
});
