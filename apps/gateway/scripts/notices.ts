import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Writes `<dist>/THIRD-PARTY-NOTICES.md`: the name, version, licence and licence text of every npm package the
 * bundle inlined (read from esbuild's metafile), as their licences ask; and copies the repository's LICENSE.
 */
export function writeNotices(dist: string): void {
  const metafile = join(dist, 'metafile-esm.json');
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> };
  rmSync(metafile); // read once here; not part of the package
  const packages = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(resolve(match[1]!));
  }
  const sections = [...packages]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        license?: string;
      };
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
      const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)';
      return {
        id: `${pkg.name}@${pkg.version}`,
        body: `## ${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`,
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const unique = sections.filter((s, i) => i === 0 || s.id !== sections[i - 1]!.id);
  writeFileSync(
    join(dist, 'THIRD-PARTY-NOTICES.md'),
    `# Third-party software in this bundle\n\n${unique.map((s) => s.body).join('\n')}`,
  );
  copyFileSync(fileURLToPath(new URL('../../../LICENSE', import.meta.url)), join(dist, 'LICENSE'));
}
