/** Splits a byte stream into UTF-8 lines without re-scanning what it already looked at. */
export class LineReader {
  private chunks: Buffer[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      this.chunks.push(chunk.subarray(start, newline));
      const line = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
  }

  /** Emits what is left without a final newline, if anything (the stream ended). */
  flush(): void {
    if (this.chunks.length === 0) return;
    const line = Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    this.onLine(line);
  }
}
