// Test helpers: which processes are alive, read from /proc (Linux), ignoring zombies, which `kill(pid, 0)` counts.
import { readFileSync, readdirSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  zombie: boolean;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name in parentheses: state, ppid, pgrp, ...
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), pgid: Number(pgid), zombie: state === 'Z' || state === 'X' };
  } catch {
    return undefined;
  }
}

function allProcs(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProc(Number(entry)))
    .filter((p): p is ProcInfo => p !== undefined);
}

/** True while `pid` runs (a zombie does not count). */
export function processAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && !info.zombie;
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allProcs()
    .filter((p) => p.pgid === pgid && !p.zombie)
    .map((p) => p.pid);
}

/** Every live descendant of `pid`. */
export function descendants(pid: number): number[] {
  const procs = allProcs();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of procs) {
      if (p.ppid !== parent || p.zombie) continue;
      found.push(p.pid);
      queue.push(p.pid);
    }
  }
  return found;
}
