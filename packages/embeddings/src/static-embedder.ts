import { readFileSync } from 'node:fs';
import type { TextEmbedder } from '@mcp-gateway/core';

/** The table that ships with this package (see scripts/build-table.mjs and README). */
export const DEFAULT_TABLE = new URL('../table/words.bin', import.meta.url);

/**
 * A static word table distilled from a sentence encoder: one int8 vector per word, looked up and averaged. No
 * model runs at query time; encoding a query costs microseconds.
 *
 * @example const embedder = StaticEmbedder.load(); embedder.embed(embedder.words('send a slack message'))
 */
export class StaticEmbedder implements TextEmbedder {
  private constructor(
    readonly dimensions: number,
    private readonly index: Map<string, number>,
    private readonly vectors: Int8Array,
    private readonly scale: Float32Array,
  ) {}

  /** Reads a table in the format build-table.mjs writes; throws a readable error on anything else. */
  static load(file: URL | string = DEFAULT_TABLE): StaticEmbedder {
    const bytes = readFileSync(file);
    const fail = (what: string) => new Error(`${String(file)} is not a word table: ${what}.`);
    if (bytes.length < 16 || bytes.toString('ascii', 0, 4) !== 'MGWT') throw fail('no MGWT header');
    if (bytes.readUInt32LE(4) !== 1) throw fail(`version ${bytes.readUInt32LE(4)}, expected 1`);
    const count = bytes.readUInt32LE(8);
    const dims = bytes.readUInt32LE(12);
    const scaleAt = 16;
    const textAt = scaleAt + 4 * dims + 4;
    const textLength = bytes.readUInt32LE(textAt - 4);
    const vectorsAt = textAt + textLength;
    if (bytes.length !== vectorsAt + count * dims) throw fail('its length does not match its header');
    const scale = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + scaleAt, bytes.byteOffset + textAt - 4),
    );
    const words = bytes.toString('utf8', textAt, vectorsAt).split('\n');
    if (words.length !== count) throw fail(`${words.length} words, header says ${count}`);
    const vectors = new Int8Array(bytes.buffer, bytes.byteOffset + vectorsAt, count * dims);
    return new StaticEmbedder(dims, new Map(words.map((word, i) => [word, i])), vectors, scale);
  }

  /**
   * The same embedder, reading its table only when first used (a gateway that never searches never pays for it).
   */
  static lazy(file: URL | string = DEFAULT_TABLE): TextEmbedder {
    let table: StaticEmbedder | undefined;
    const load = () => (table ??= StaticEmbedder.load(file));
    return {
      get dimensions() {
        return load().dimensions;
      },
      words: (text) => load().words(text),
      embed: (words, weight) => load().embed(words, weight),
    };
  }

  /** How many words have a vector. */
  get size(): number {
    return this.index.size;
  }

  words(text: string): string[] {
    return knownWords(text, (word) => this.index.has(word));
  }

  embed(words: string[], weight: (word: string) => number = () => 1): Float32Array | undefined {
    const sum = new Float32Array(this.dimensions);
    let any = false;
    for (const word of words) {
      const row = this.index.get(word);
      if (row === undefined) continue;
      const w = weight(word);
      if (!(w > 0)) continue;
      any = true;
      const at = row * this.dimensions;
      for (let d = 0; d < this.dimensions; d++) sum[d]! += w * this.vectors[at + d]! * this.scale[d]!;
    }
    if (!any) return undefined;
    let norm = 0;
    for (let d = 0; d < this.dimensions; d++) norm += sum[d]! * sum[d]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return undefined;
    for (let d = 0; d < this.dimensions; d++) sum[d]! /= norm;
    return sum;
  }
}

/**
 * The words of `text` that `has` knows (identifiers split, lower case), each as it is or by a base form
 * (files → file, sending → send, created → create). The table's word rules, shared with its build script.
 */
export function knownWords(text: string, has: (word: string) => boolean): string[] {
  const found: string[] = [];
  for (const raw of splitWords(text)) {
    const word = has(raw) ? raw : baseForms(raw).find(has);
    if (word) found.push(word);
  }
  return found;
}

/** The lower-case runs of Latin letters in `text`, identifiers split (`createIssue` → create, issue). */
export function splitWords(text: string): string[] {
  const spaced = text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return spaced
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** Candidate base forms of an inflected English word, most likely first. */
function baseForms(word: string): string[] {
  const forms: string[] = [];
  const add = (stem: string) => stem.length >= 2 && forms.push(stem);
  if (word.endsWith('ies')) add(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) add(word.slice(0, -2));
  if (word.endsWith('s')) add(word.slice(0, -1));
  for (const suffix of ['ing', 'ed']) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    add(stem);
    add(`${stem}e`);
    if (/(.)\1$/.test(stem)) add(stem.slice(0, -1));
    if (stem.endsWith('i')) add(`${stem.slice(0, -1)}y`);
  }
  if (word.endsWith('ly')) add(word.slice(0, -2));
  return forms;
}
