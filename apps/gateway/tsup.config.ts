import { defineConfig } from 'tsup';

// Only the CLI is bundled: workspace packages export TypeScript source, so they are inlined (noExternal) and
// their npm dependencies stay external, listed in this package's dependencies.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  noExternal: [/^@mcp-gateway\//],
  dts: false,
  clean: true,
});
