import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TABLE, StaticEmbedder } from '../src/index';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('StaticEmbedder', () => {
  const embedder = StaticEmbedder.load();

  it('loads the committed table within its budget', () => {
    expect(statSync(DEFAULT_TABLE).size).toBeLessThan(15 * 1024 * 1024);
    expect(embedder.size).toBeGreaterThan(15_000);
    expect(embedder.dimensions).toBe(128);
  });

  it('finds words in text, identifiers included, and the base form of an inflected word it lacks', () => {
    expect(embedder.words('peeling hopped')).toEqual(['peel', 'hop']);
    expect(embedder.words('Sending createIssue files, quickly!')).toEqual([
      'sending',
      'create',
      'issue',
      'files',
      'quickly',
    ]);
    expect(embedder.words('zzqx 12345')).toEqual([]);
  });

  it('gives unit vectors in which related words are closer than unrelated ones', () => {
    const [picture, photo, banana] = ['picture', 'photo', 'banana'].map((w) => embedder.embed([w])!);
    expect(Math.hypot(...picture!)).toBeCloseTo(1, 5);
    expect(cosine(picture!, photo!)).toBeGreaterThan(cosine(picture!, banana!) + 0.2);
    expect(embedder.embed([])).toBeUndefined();
    expect(embedder.embed(['picture'], () => 0)).toBeUndefined();
  });

  it('reads the table only when first used, when lazy', () => {
    const lazy = StaticEmbedder.lazy(join(tmpdir(), 'no-such-table.bin'));
    expect(() => lazy.words('hello')).toThrow(/no-such-table/);
  });

  it('refuses a file that is not a table, saying why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-table-'));
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'not a table at all');
    expect(() => StaticEmbedder.load(bad)).toThrow(`${bad} is not a word table: no MGWT header.`);
    const cut = join(dir, 'cut.bin');
    writeFileSync(cut, readFileSync(DEFAULT_TABLE).subarray(0, 100_000));
    expect(() => StaticEmbedder.load(cut)).toThrow('its length does not match its header');
  });
});
