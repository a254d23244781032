import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/** Signals the child's whole process group (it was spawned detached, so its pid is the group id). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await delay(20);
  }
  return true;
}

/**
 * Stops a child the polite way first: close stdin (MCP's shutdown signal for stdio), then SIGTERM, then SIGKILL,
 * each to the whole process group, each after `graceMs`. The waits keep the event loop alive on purpose: the
 * sequence is bounded (3 × graceMs), and a gateway that exited halfway would orphan the group.
 */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  child.stdin?.end();
  if (!(await waitFor(() => exited(child), graceMs))) killGroup(child, 'SIGTERM');
  if (!(await waitFor(() => exited(child) && !groupAlive(child), graceMs))) killGroup(child, 'SIGKILL');
  await waitFor(() => exited(child) && !groupAlive(child), graceMs);
}
