import type { JsonRpcId, JsonRpcMessage, JsonRpcRequest, JsonRpcResponse } from '@mcp-gateway/core';
import type { SseStream } from './sse';

/**
 * The HTTP answer to one POST that carried requests. It is a plain JSON body when every response is ready before
 * anything else has to be said, which is the common case and the cheapest. It becomes an SSE stream as soon as a
 * message related to one of the requests (progress, a backend→client request) must go first, or from the start
 * when a request asks for progress.
 */
export class Exchange {
  readonly response: Promise<Response>;
  private resolve!: (response: Response) => void;
  private readonly waiting: Set<JsonRpcId>;
  private readonly answered: JsonRpcResponse[] = [];
  private stream: SseStream | undefined;

  constructor(
    requests: JsonRpcRequest[],
    private readonly batch: boolean,
    private readonly headers: Record<string, string>,
    /** Opens the stream the exchange becomes (resumable when the session keeps events). */
    private readonly openStream: () => SseStream,
  ) {
    this.response = new Promise((resolve) => (this.resolve = resolve));
    this.waiting = new Set(requests.map((r) => r.id));
    if (requests.some((r) => (r.params?._meta as { progressToken?: unknown })?.progressToken !== undefined))
      this.upgrade();
  }

  /** A message that belongs to one of the requests but is not its answer; false when the client is gone. */
  send(message: JsonRpcMessage): boolean {
    return this.upgrade().send(message);
  }

  /** The answer to one of the requests; the exchange completes with the last one. */
  answer(response: JsonRpcResponse): void {
    if (!this.waiting.delete(response.id as JsonRpcId)) return;
    if (this.stream) this.stream.send(response);
    else this.answered.push(response);
    if (this.waiting.size > 0) return;
    if (this.stream) this.stream.end();
    else {
      // A string body (not Response.json) takes @hono/node-server's fast path: no web stream in between.
      const body = JSON.stringify(this.batch ? this.answered : this.answered[0]);
      this.resolve(new Response(body, { headers: { 'content-type': 'application/json', ...this.headers } }));
    }
  }

  /** A request that gets no answer (it was cancelled); the exchange still completes. */
  drop(id: JsonRpcId): void {
    if (!this.waiting.delete(id) || this.waiting.size > 0) return;
    this.upgrade().end();
  }

  private upgrade(): SseStream {
    if (this.stream) return this.stream;
    const stream = (this.stream = this.openStream());
    for (const response of this.answered) stream.send(response);
    this.resolve(stream.response);
    return stream;
  }
}
