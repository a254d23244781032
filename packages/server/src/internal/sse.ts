import type { EventStore, JsonRpcMessage } from '@mcp-gateway/core';
import { BYTES, backlogged } from './bounded-stream';

const encoder = new TextEncoder();

/** Where a resumable stream keeps its events. */
export interface Resumable {
  store: EventStore;
  streamId: string;
}

export interface SseStreamOptions {
  /** Runs when the client goes away from a stream that cannot be resumed, before it ended. */
  onCancel?: () => void;
  /** Stores every message with an event id, so a client that lost the stream can resume it (`Last-Event-ID`). */
  resumable?: Resumable;
  /** Runs once the stream has ended and written everything. */
  onEnd?: () => void;
}

/**
 * One server-sent-events stream, written message by message. A plain stream lives as long as its HTTP response. A
 * resumable one outlives it: while the client is away its messages are only stored, and {@link resume} continues
 * it on the client's next connection.
 */
export class SseStream {
  readonly response: Response;
  private connection: Connection | undefined;
  private ended = false;
  /** Resumable streams write in order through this chain: each message is stored before it is written. */
  private queue = Promise.resolve();

  constructor(
    private readonly headers: Record<string, string>,
    private readonly options: SseStreamOptions = {},
  ) {
    const connection = this.connect();
    this.connection = connection;
    this.response = connection.response;
  }

  /** Whether messages can still be sent: until {@link end}, or until the client leaves a plain stream. */
  get open(): boolean {
    return !this.ended;
  }

  /** Whether a client is reading the stream now. */
  get connected(): boolean {
    return this.connection !== undefined;
  }

  /** Writes one message; false when the stream has ended (or the client left a plain stream). */
  send(message: JsonRpcMessage): boolean {
    if (this.ended) return false;
    const resumable = this.options.resumable;
    if (!resumable) return this.event('message', JSON.stringify(message));
    this.queue = this.queue.then(async () => {
      const id = await resumable.store.storeEvent(resumable.streamId, message).catch(() => undefined);
      this.connection?.write(frame('message', JSON.stringify(message), id));
    });
    return true;
  }

  /** Writes one event of any type (`data` on one line) at once, unstored; false when the stream has ended. */
  event(type: string, data: string): boolean {
    if (this.ended) return false;
    this.connection?.write(frame(type, data));
    return true;
  }

  /**
   * Continues a resumable stream on a new connection: the stored events after `lastEventId` first, then the live
   * ones. The caller checks that the stream is resumable, its own and not connected.
   */
  resume(lastEventId: string): Response {
    const connection = this.connect();
    const { store } = this.options.resumable!;
    this.queue = this.queue.then(async () => {
      await replayInto(connection, store, lastEventId);
      if (this.ended) connection.close();
      else if (!connection.closed) this.connection = connection; // the client may have left during the replay
    });
    return connection.response;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = this.queue.then(() => {
      this.connection?.close();
      this.connection = undefined;
      this.options.onEnd?.();
    });
  }

  private connect(): Connection {
    const connection: Connection = new Connection(this.headers, () => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      if (this.options.resumable || this.ended) return;
      this.ended = true;
      this.options.onCancel?.();
    });
    return connection;
  }
}

/** A response of the events of a stream that has already ended, stored after `lastEventId`. */
export function replay(headers: Record<string, string>, store: EventStore, lastEventId: string): Response {
  const connection = new Connection(headers, () => {});
  void replayInto(connection, store, lastEventId).then(() => connection.close());
  return connection.response;
}

async function replayInto(connection: Connection, store: EventStore, lastEventId: string): Promise<void> {
  await store
    .replayEventsAfter(lastEventId, {
      send: async (id, message) => void connection.write(frame('message', JSON.stringify(message), id)),
    })
    .catch(() => connection.close()); // the store lost the events: the client sees the stream end
}

function frame(type: string, data: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${data}\n\n`;
}

/**
 * One HTTP response carrying a stream's events, until the client goes away or the stream closes it. A client that
 * leaves more than the allowed backlog unread is treated as gone: the response is dropped (a resumable stream keeps
 * storing, for the client to resume).
 */
class Connection {
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  /** Whether the client left or the stream closed this response. */
  closed = false;

  constructor(
    headers: Record<string, string>,
    private readonly onCancel: () => void,
  ) {
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.controller = controller),
        cancel: () => {
          this.closed = true;
          onCancel();
        },
      },
      BYTES,
    );
    this.response = new Response(body, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers },
    });
  }

  write(chunk: string): void {
    if (this.closed) return;
    if (backlogged(this.controller)) {
      this.closed = true;
      this.controller.error(new Error('The client stopped reading its stream.'));
      return this.onCancel();
    }
    this.controller.enqueue(encoder.encode(chunk));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.controller.close();
  }
}
