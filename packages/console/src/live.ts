const encoder = new TextEncoder();
/** Events a slow page may have waiting before it is dropped (it reconnects and gets a fresh page). */
const BACKLOG = 256;
const KEEPALIVE_MS = 25_000;

/**
 * The console's live updates: one Server-Sent Events stream per open page, each event sent to all. Bounded: at
 * most `max` pages at once (503 past that), and a page that stops reading is dropped rather than buffered.
 */
export class LiveUpdates {
  private readonly pages = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private readonly keepalive: NodeJS.Timeout;

  constructor(private readonly max = 32) {
    this.keepalive = setInterval(() => this.write(encoder.encode(': keepalive\n\n')), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get size(): number {
    return this.pages.size;
  }

  /** A new page's stream, or a 503 when `max` are open. */
  open(): Response {
    if (this.pages.size >= this.max)
      return new Response('Too many console pages are open.', {
        status: 503,
        headers: { 'retry-after': '5' },
      });
    let page: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          page = controller;
          this.pages.add(controller);
          controller.enqueue(encoder.encode('retry: 2000\n\n'));
        },
        cancel: () => void this.pages.delete(page!),
      },
      new CountQueuingStrategy({ highWaterMark: BACKLOG }),
    );
    return new Response(body, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
    });
  }

  /** Sends `event` with `data` (JSON) to every open page. */
  send(event: string, data: unknown): void {
    if (this.pages.size > 0) this.write(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  }

  close(): void {
    clearInterval(this.keepalive);
    for (const page of this.pages) page.close();
    this.pages.clear();
  }

  private write(chunk: Uint8Array): void {
    for (const page of this.pages) {
      if ((page.desiredSize ?? 1) <= 0) {
        this.pages.delete(page);
        page.error(new Error('the page stopped reading'));
        continue;
      }
      page.enqueue(chunk);
    }
  }
}
