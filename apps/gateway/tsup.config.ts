import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { writeNotices } from './scripts/notices';

// Only the CLI is bundled, and wholly: workspace packages (which export TypeScript source) and every npm
// dependency are inlined, so the published package has no dependencies and `npm install -g` of its tarball works
// offline. One file also loads faster than hundreds. Licences of what was inlined go to dist/THIRD-PARTY-NOTICES.md.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  noExternal: [/./],
  // Bundled CommonJS code calls `require` for Node builtins; an ES module has none unless given one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Shorter to read and compile at every start. Names are not minified, so functions and classes keep them in
  // stack traces without esbuild's keepNames, which wraps every closure made on the request path in a call that
  // renames it (about a twentieth of the gateway's CPU per call, measured with --cpu-prof). A name two bundled
  // modules share gets a number (`Redis2`); none of their code reads such a name.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  dts: false,
  clean: true,
  onSuccess: async () => {
    writeNotices('dist');
    // The search's word table, where the bundled @mcp-gateway/embeddings looks for it (../table from dist/).
    mkdirSync('table', { recursive: true });
    for (const file of ['words.bin', 'NOTICE'])
      copyFileSync(new URL(`../../packages/embeddings/table/${file}`, import.meta.url), `table/${file}`);
  },
});
