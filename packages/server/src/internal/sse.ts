import type { JsonRpcMessage } from '@mcp-gateway/core';

const encoder = new TextEncoder();

/** One server-sent-events response, written message by message. */
export class SseStream {
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private ended = false;

  /** `onCancel` runs when the client goes away before the stream ended. */
  constructor(headers: Record<string, string>, onCancel?: () => void) {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => void (this.controller = controller),
      cancel: () => {
        this.ended = true;
        onCancel?.();
      },
    });
    this.response = new Response(body, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers },
    });
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Writes one message; false when the stream has ended (the client is gone). */
  send(message: JsonRpcMessage): boolean {
    return this.event('message', JSON.stringify(message));
  }

  /** Writes one event of any type (`data` on one line); false when the stream has ended. */
  event(type: string, data: string): boolean {
    if (this.ended) return false;
    this.controller.enqueue(encoder.encode(`event: ${type}\ndata: ${data}\n\n`));
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.controller.close();
  }
}
