import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage, silentLogger, type BackendSettings, type LiveConnection } from '@mcp-gateway/core';
import { GatewayConfig } from '@mcp-gateway/config';
import { readCatalog } from '@mcp-gateway/supervisor';
import { connectBackend, type EraVerdicts } from '@mcp-gateway/transports';
import type { CliIo } from './cli';

/** Backends checked at once: enough to be quick on a large config, few enough not to swamp the machine. */
const CONCURRENCY = 4;

/** One backend's verdict: what passed, in order, and the first thing that failed with how to fix it. */
interface Verdict {
  passed: string[];
  failed?: { what: string; fix: string };
}

/**
 * `mcp-gateway doctor -c FILE`: starts every backend once, as the gateway would, and prints one line per backend:
 * command found (or file exists), environment variables set, started within its timeout, `initialize` and
 * `tools/list` answered (with the count, and the tools skipped for bad schemas); for HTTP backends, reachable, the
 * era found and the headers sent (names only). Each failure comes with a fix. Resolves with the exit code: 0 when
 * every backend passes, 1 otherwise.
 */
export async function doctor(file: string, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const unset = new Map<string, string[]>();
  const topLevel: string[] = [];
  const config = GatewayConfig.fromYaml(file, {
    env,
    onUnsetVariable: ({ path, message }) => {
      if (path[0] !== 'backends') return void topLevel.push(message);
      const name = String(path[1]);
      unset.set(name, [...(unset.get(name) ?? []), message]);
    },
  });
  const backends = Object.values(config.backends);
  io.out(`${config.source}: ${backends.length} backend(s)`);
  for (const message of topLevel) io.out(`✗ (top level): ${message}`);
  const eras: EraVerdicts = new Map();
  const verdicts = bounded(backends, CONCURRENCY, (backend) =>
    examine(backend, unset.get(backend.name) ?? [], eras),
  );
  let failures = topLevel.length;
  for (const [i, backend] of backends.entries()) {
    const verdict = await verdicts[i]!;
    const kind = backend.target.kind === 'stdio' ? 'stdio' : 'http';
    const name = describeName(backend.name, config.renamed);
    const passed = verdict.passed.join('; ');
    if (verdict.failed) failures++;
    io.out(
      verdict.failed
        ? `✗ ${name} (${kind}): ${passed ? `${passed}; ` : ''}${verdict.failed.what.replace(/\.+$/, '')}. Fix: ${verdict.failed.fix}`
        : `✓ ${name} (${kind}): ${passed}`,
    );
  }
  return failures === 0 ? 0 : 1;
}

/** A backend's name, and the `mcpServers` key it came from when they differ. */
export function describeName(name: string, renamed: Record<string, string> = {}): string {
  return renamed[name] === undefined ? name : `${name} (from "${renamed[name]}")`;
}

async function examine(backend: BackendSettings, unset: string[], eras: EraVerdicts): Promise<Verdict> {
  const verdict: Verdict = { passed: [] };
  const fail = (what: string, fix: string) => ((verdict.failed = { what, fix }), verdict);
  const { target } = backend;
  if (target.kind === 'stdio') {
    const cwd = target.cwd ?? process.cwd();
    if (!existsSync(cwd) || !statSync(cwd).isDirectory())
      return fail(`working directory ${cwd} does not exist`, 'create it, or change `cwd`');
    const found = findCommand(target.command, cwd, target.env.PATH ?? process.env.PATH ?? '');
    if (!found)
      return target.command.includes('/')
        ? fail(`no executable file ${resolve(cwd, target.command)}`, 'check the path in `command`')
        : fail(
            `command "${target.command}" not found on PATH`,
            'install it, or write its full path in `command`',
          );
    verdict.passed.push(`command ${found}`);
  }
  if (unset.length > 0)
    return fail(
      unset.join('; '),
      "set it in the gateway's environment (a shell's export, systemd's Environment=, docker run -e)",
    );
  if (target.kind === 'stdio' && Object.keys(target.env).length > 0)
    verdict.passed.push(`env ${Object.keys(target.env).join(', ')} set`);
  const started = performance.now();
  let connection: LiveConnection;
  try {
    connection = await connectBackend(backend, { logger: silentLogger, eras });
  } catch (error) {
    const timedOut = errorMessage(error).includes('did not answer');
    if (target.kind === 'stdio')
      return fail(
        `did not start: ${errorMessage(error)}`,
        timedOut
          ? 'raise start_timeout, or run the command by hand to see whether it speaks MCP on stdio'
          : `run it by hand to see why: ${[target.command, ...target.args].map(quote).join(' ')}`,
      );
    return fail(
      `${target.url} is not reachable as MCP: ${errorMessage(error)}`,
      'check that the server runs and that the URL and headers are right',
    );
  }
  try {
    const ms = Math.round(performance.now() - started);
    const { serverInfo, protocolVersion } = connection.initializeResult;
    if (target.kind !== 'stdio') {
      const era =
        target.kind === 'sse'
          ? 'legacy SSE'
          : eras.get(target.url) === 'modern'
            ? '2026-07-28'
            : protocolVersion;
      verdict.passed.push(`reachable, era ${era}`);
      const headers = Object.keys(target.headers);
      if (headers.length > 0) verdict.passed.push(`headers sent: ${headers.join(', ')}`);
    }
    verdict.passed.push(`started in ${ms} ms (limit ${backend.timeouts.startMs} ms)`);
    verdict.passed.push(`initialize: ${serverInfo.name} ${serverInfo.version} (${protocolVersion})`);
    const read = await readCatalog(connection, ['tools']);
    const failure = read.failures[0];
    if (failure)
      return fail(`${failure.method} failed: ${failure.error}`, "report it to the backend's authors");
    const tools = read.lists.tools?.length ?? 0;
    const skipped = read.skipped.map((s) => `${s.name} (${s.reason})`);
    verdict.passed.push(
      `tools/list: ${tools} tool(s)${skipped.length > 0 ? `, ${skipped.length} skipped for bad schemas: ${skipped.join(', ')}` : ''}`,
    );
    return verdict;
  } finally {
    await connection.close();
  }
}

/** A word as a POSIX shell would need it written. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Where `command` runs from: a path (relative to `cwd`) that is an executable file, or the first on `path`. */
function findCommand(command: string, cwd: string, path: string): string | undefined {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/** `run` over every item with at most `limit` at once; the promises come back in the items' order. */
function bounded<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R>[] {
  let active = 0;
  const queue: (() => void)[] = [];
  return items.map(async (item) => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await run(item);
    } finally {
      active--;
      queue.shift()?.();
    }
  });
}
