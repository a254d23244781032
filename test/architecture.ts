import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Which workspace packages each layer may use (DESIGN.md, "Layers"). Apps may use any; nothing may use an app. */
export const ALLOWED: Record<string, string[]> = {
  '@mcp-gateway/core': [],
  '@mcp-gateway/config': ['@mcp-gateway/core'],
  '@mcp-gateway/transports': ['@mcp-gateway/core'],
  '@mcp-gateway/supervisor': ['@mcp-gateway/core', '@mcp-gateway/config', '@mcp-gateway/transports'],
  '@mcp-gateway/meta': ['@mcp-gateway/core', '@mcp-gateway/config'],
  '@mcp-gateway/auth': ['@mcp-gateway/core'],
  '@mcp-gateway/embeddings': ['@mcp-gateway/core'],
  '@mcp-gateway/console': ['@mcp-gateway/core'],
  '@mcp-gateway/redis': ['@mcp-gateway/core'],
  '@mcp-gateway/server': [
    '@mcp-gateway/core',
    '@mcp-gateway/config',
    '@mcp-gateway/meta',
    '@mcp-gateway/auth',
    '@mcp-gateway/console',
  ],
};
/** Test fixtures (real servers from npm), usable by anything as a devDependency. */
const FIXTURES = '@mcp-gateway/examples';
/** Only apps bind sockets. */
const APPS_ONLY = ['@hono/node-server'];

export interface PackageInfo {
  name: string;
  dir: string;
  isApp: boolean;
  dependencies: string[];
  devDependencies: string[];
  /** Bare module specifiers imported by files under src/. */
  imports: string[];
}

export function readWorkspace(root: string): PackageInfo[] {
  const dirs = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => ({ dir: join(root, group, name), isApp: group === 'apps' })),
  );
  return dirs.map(({ dir, isApp }) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return {
      name: pkg.name,
      dir,
      isApp,
      dependencies: Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }),
      devDependencies: Object.keys(pkg.devDependencies ?? {}),
      imports: sourceImports(join(dir, 'src')),
    };
  });
}

function sourceImports(dir: string): string[] {
  const found = new Set<string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry)) {
        for (const match of readFileSync(full, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^'.][^']*)'/g)) {
          const spec = match[1]!;
          found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(dir);
  return [...found].filter((s) => !s.startsWith('node:')).sort();
}

/** Every rule the workspace breaks, one line each; empty when the layering holds. */
export function violations(packages: PackageInfo[]): string[] {
  const problems: string[] = [];
  const workspace = new Set(packages.map((p) => p.name));
  for (const pkg of packages) {
    const edges = [...pkg.dependencies, ...pkg.devDependencies.filter((d) => d !== FIXTURES)];
    for (const dep of edges.filter((d) => workspace.has(d))) {
      const ok = pkg.isApp
        ? !packages.find((p) => p.name === dep)?.isApp || dep === 'mcp-gateway'
        : ALLOWED[pkg.name]?.includes(dep);
      if (!ok) problems.push(`${pkg.name} may not depend on ${dep}`);
    }
    for (const dep of APPS_ONLY) {
      if (!pkg.isApp && (edges.includes(dep) || pkg.imports.includes(dep)))
        problems.push(`${pkg.name} may not use ${dep} (only apps bind sockets)`);
    }
    const declared = new Set([...pkg.dependencies, ...(pkg.isApp ? pkg.devDependencies : [])]);
    for (const spec of pkg.imports) {
      if (!declared.has(spec))
        problems.push(`${pkg.name} imports ${spec} in src/ without declaring it in dependencies`);
    }
  }
  problems.push(...cycles(packages));
  return problems;
}

function cycles(packages: PackageInfo[]): string[] {
  const graph = new Map(
    packages.map((p) => [
      p.name,
      [...p.dependencies, ...p.devDependencies].filter((d) => packages.some((q) => q.name === d)),
    ]),
  );
  const found: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      return void found.push(`cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const next of graph.get(name) ?? []) visit(next, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of graph.keys()) visit(name, []);
  return found;
}
