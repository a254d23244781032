import { spawn, type SpawnOptions } from 'node:child_process';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`), with its output. */
export function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}) {
  return new Promise<Ran>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like {@link run}, but rejects unless the command exits 0; resolves with its stdout. */
export async function ok(
  command: string,
  args: string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
) {
  const ran = await run(command, args, options);
  if (ran.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited with ${ran.code}:\n${ran.stderr}\n${ran.stdout}`);
  return ran.stdout;
}

/**
 * The path of a program from a Debian package, installed with apt-get first when it is missing (as root; CI runs
 * on a fresh machine with nothing installed by hand). Throws with what to install otherwise.
 */
export async function debianProgram(program: string, debianPackage: string): Promise<string> {
  const find = () => run('sh', ['-c', `command -v ${program}`]).then((ran) => ran.stdout.trim() || undefined);
  const found = await find();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error(
      `${program} is missing: install it (sudo apt-get install ${debianPackage}) and run again.`,
    );
  await ok('apt-get', ['update', '-qq'], { timeoutMs: 300_000 });
  await ok('apt-get', ['install', '-y', '-qq', '--no-install-recommends', debianPackage], {
    timeoutMs: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = await find();
  if (!installed) throw new Error(`apt-get installed ${debianPackage}, but ${program} is still not on PATH.`);
  return installed;
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
