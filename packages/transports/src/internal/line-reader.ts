/**
 * Splits a byte stream into UTF-8 lines without re-scanning what it already looked at. A line longer than
 * `maxBytes` is never built: `onTooLong` is told once, and the reader drops everything after.
 */
export class LineReader {
  private chunks: Buffer[] = [];
  private pending = 0;
  private broken = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = Infinity,
    private readonly onTooLong: () => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      if (this.pending + newline - start > this.maxBytes) return this.tooLong();
      this.chunks.push(chunk.subarray(start, newline));
      const line = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      this.pending = 0;
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      this.pending += chunk.length - start;
      if (this.pending > this.maxBytes) return this.tooLong();
      this.chunks.push(chunk.subarray(start));
    }
  }

  /** Emits what is left without a final newline, if anything (the stream ended). */
  flush(): void {
    if (this.chunks.length === 0 || this.broken) return;
    const line = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    this.pending = 0;
    this.onLine(line);
  }

  private tooLong(): void {
    this.broken = true;
    this.chunks = [];
    this.onTooLong();
  }
}
