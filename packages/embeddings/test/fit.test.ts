import { describe, expect, it } from 'vitest';
import { fitToSentences, meanOf, principalDirections, project } from '../scripts/fit';

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};

describe("the table's build arithmetic", () => {
  it('finds the direction the rows spread along, and projects onto it', () => {
    // Points on the line through (1, 1, 5) along (1, 2, 0)/√5, with a little spread across it.
    const rows = Float32Array.from(
      [-2, -1, 0, 1, 2].flatMap((t, i) => [1 + t, 1 + 2 * t + (i % 2 ? 0.01 : -0.01), 5]),
    );
    const mean = meanOf(rows, 3);
    expect([...mean].map((x) => Number(x.toFixed(2)))).toEqual([1, 1, 5]);
    const [first] = principalDirections(rows, mean, 1);
    expect(Math.abs(cosine(first!, [1, 2, 0]))).toBeGreaterThan(0.9999);
    const projected = project(rows, mean, [first!], false);
    expect(Math.abs(projected[4]!)).toBeCloseTo(2 * Math.sqrt(5), 1);
    // Of length 1 when asked: one dimension leaves only the sign.
    expect([...project(rows, mean, [first!], true)].map((x) => Number(Math.abs(x).toFixed(6)))).toEqual([
      1, 1, 1, 1, 1,
    ]);
  });

  it("fits word vectors so that each sentence's mean points at its target", () => {
    // Three words, two dimensions: sentences of one word pin each word; a pair must land between them.
    const words = Float32Array.from([1, 0, 1, 0.1, 0, 1]);
    const sentences = [[0], [1], [2], [0, 1]].map((s) => Int32Array.from(s));
    const unit = Math.SQRT1_2;
    const targets = Float32Array.from([1, 0, 0, 1, 0, 1, unit, unit]);
    const before = cosine(words.subarray(2, 4), [0, 1]);
    const table = fitToSentences({ words, dims: 2, sentences, targets, epochs: 300 });
    expect(cosine(table.subarray(2, 4), [0, 1])).toBeGreaterThan(Math.max(before, 0.99));
    expect(cosine(table.subarray(0, 2), [1, 0])).toBeGreaterThan(0.99);
    expect([...words]).toEqual([1, 0, 1, 0.1, 0, 1].map((x) => Math.fround(x))); // the input is left as it was
  });
});
