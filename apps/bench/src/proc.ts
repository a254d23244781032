import { readFileSync } from 'node:fs';

/** Resident memory (MB) and CPU time used so far (user + system, ms) of a process, from /proc (Linux). */
export function processStats(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name in parentheses, utime and stime are the 12th and 13th fields, in 10 ms ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  return { rssMb: Math.round(rssKb / 102.4) / 10, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}
