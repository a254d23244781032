import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOWED, readWorkspace, violations, type PackageInfo } from './architecture';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('layering (DESIGN.md)', () => {
  it('holds for every package.json and every import under src/', () => {
    const packages = readWorkspace(root);
    expect(packages.map((p) => p.name).sort()).toEqual(
      [...Object.keys(ALLOWED), '@mcp-gateway/bench', '@mcp-gateway/conformance', 'mcp-gateway'].sort(),
    );
    expect(violations(packages)).toEqual([]);
  });

  it('catches a lower package importing a higher one, undeclared imports, sockets outside apps, and cycles', () => {
    const pkg = (name: string, deps: string[], imports = deps, isApp = false): PackageInfo => ({
      name,
      dir: '',
      isApp,
      dependencies: deps,
      devDependencies: [],
      imports,
    });
    const broken = [
      pkg('@mcp-gateway/core', ['@mcp-gateway/supervisor']),
      pkg('@mcp-gateway/supervisor', ['@mcp-gateway/core']),
      pkg(
        '@mcp-gateway/server',
        ['@mcp-gateway/core', '@hono/node-server'],
        ['@mcp-gateway/core', '@hono/node-server', 'zod'],
      ),
      pkg('mcp-gateway', ['@mcp-gateway/server', '@hono/node-server'], ['@hono/node-server'], true),
    ];
    expect(violations(broken)).toEqual([
      '@mcp-gateway/core may not depend on @mcp-gateway/supervisor',
      '@mcp-gateway/server may not use @hono/node-server (only apps bind sockets)',
      '@mcp-gateway/server imports zod in src/ without declaring it in dependencies',
      'cycle: @mcp-gateway/core -> @mcp-gateway/supervisor -> @mcp-gateway/core',
    ]);
  });
});
