// The arithmetic of the table's build: principal components, projection, and fitting word vectors so that a
// sentence's weighted mean of them points where the teacher's vector of the whole sentence points.

/** Mean of `n` rows of `width` numbers. */
export function meanOf(rows: Float32Array, width: number): Float64Array {
  const n = rows.length / width;
  const mean = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let d = 0; d < width; d++) mean[d]! += rows[i * width + d]! / n;
  return mean;
}

/** The top `k` principal directions of the rows about their `mean`, by subspace iteration from a fixed start. */
export function principalDirections(rows: Float32Array, mean: Float64Array, k: number): Float64Array[] {
  const width = mean.length;
  const n = rows.length / width;
  const cov = new Float64Array(width * width);
  const row = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < width; d++) row[d] = rows[i * width + d]! - mean[d]!;
    for (let a = 0; a < width; a++) {
      const x = row[a]! / n;
      for (let b = a; b < width; b++) cov[a * width + b]! += x * row[b]!;
    }
  }
  for (let a = 0; a < width; a++) for (let b = 0; b < a; b++) cov[a * width + b] = cov[b * width + a]!;
  let basis = Array.from({ length: k }, (_, j) =>
    Float64Array.from({ length: width }, (_, d) => Math.sin((j + 1) * (d + 1) * 0.7) + (d === j ? 1 : 0)),
  );
  for (let round = 0; round < 60; round++) {
    basis = basis.map((v) =>
      Float64Array.from({ length: width }, (_, a) => {
        let s = 0;
        for (let b = 0; b < width; b++) s += cov[a * width + b]! * v[b]!;
        return s;
      }),
    );
    basis.forEach((v, j) => {
      for (const u of basis.slice(0, j)) {
        const dot = v.reduce((sum, x, d) => sum + x * u[d]!, 0);
        for (let d = 0; d < width; d++) v[d]! -= dot * u[d]!;
      }
      const norm = Math.hypot(...v) || 1;
      for (let d = 0; d < width; d++) v[d]! /= norm;
    });
  }
  return basis;
}

/** Each row minus `mean`, on `basis`; of length 1 when `unit`. */
export function project(
  rows: Float32Array,
  mean: Float64Array,
  basis: Float64Array[],
  unit: boolean,
): Float32Array {
  const width = mean.length;
  const k = basis.length;
  const n = rows.length / width;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    basis.forEach((b, j) => {
      let s = 0;
      for (let d = 0; d < width; d++) s += (rows[i * width + d]! - mean[d]!) * b[d]!;
      out[i * k + j] = s;
      norm += s * s;
    });
    if (unit) for (let j = 0; j < k; j++) out[i * k + j]! /= Math.sqrt(norm) || 1;
  }
  return out;
}

export interface FitInput {
  /** Starting word vectors, `dims` per word. */
  words: Float32Array;
  dims: number;
  /** Each sentence as the rows of its words. */
  sentences: Int32Array[];
  /** The teacher's vector of each sentence, of length 1, `dims` each. */
  targets: Float32Array;
  epochs: number;
  /** Told each pass's mean 1 − cosine over the sentences (the build prints it). */
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Adjusts the word vectors (Adam, mini-batches of 256 in a fixed shuffled order) so that each sentence's mean of
 * its words' vectors, weighted by their inverse document frequency over the sentences as the gateway weighs
 * them, has the largest cosine to the teacher's vector of the sentence. Returns the adjusted copy.
 */
export function fitToSentences({ words, dims, sentences, targets, epochs, onEpoch }: FitInput): Float32Array {
  const count = words.length / dims;
  const df = new Float64Array(count);
  for (const sentence of sentences) for (const w of new Set(sentence)) df[w]!++;
  const weight = Float64Array.from(df, (n) => Math.log(1 + sentences.length / Math.max(1, n)));
  const table = Float32Array.from(words);
  const grad = new Float32Array(words.length);
  const m = new Float32Array(words.length); // Adam's running mean of the gradient
  const v = new Float32Array(words.length); // and of its square
  const touched = new Uint8Array(count);
  const p = new Float64Array(dims);
  const g = new Float64Array(dims);
  const order = sentences.map((_, i) => i);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (let start = 0; start < order.length; start += 256) {
      const seen: number[] = [];
      for (const s of order.slice(start, start + 256)) {
        const sentence = sentences[s]!;
        if (sentence.length === 0) continue;
        p.fill(0);
        for (const w of sentence) for (let d = 0; d < dims; d++) p[d]! += weight[w]! * table[w * dims + d]!;
        const norm = Math.hypot(...p) || 1e-9;
        let cos = 0;
        for (let d = 0; d < dims; d++) cos += (p[d]! / norm) * targets[s * dims + d]!;
        loss += 1 - cos;
        // Gradient of -cos(p, target) with respect to p.
        for (let d = 0; d < dims; d++) g[d] = -(targets[s * dims + d]! - (cos * p[d]!) / norm) / norm;
        for (const w of sentence) {
          if (!touched[w]) seen.push(w);
          touched[w] = 1;
          for (let d = 0; d < dims; d++) grad[w * dims + d]! += weight[w]! * g[d]!;
        }
      }
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      for (const w of seen) {
        touched[w] = 0;
        for (let i = w * dims; i < (w + 1) * dims; i++) {
          m[i] = 0.9 * m[i]! + 0.1 * grad[i]!;
          v[i] = 0.999 * v[i]! + 0.001 * grad[i]! * grad[i]!;
          grad[i] = 0;
          table[i]! -= (0.01 * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + 1e-8);
        }
      }
    }
    onEpoch?.(epoch + 1, loss / sentences.length);
  }
  return table;
}
