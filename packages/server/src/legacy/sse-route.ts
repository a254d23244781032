import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import type { JsonRpcMessage, Logger } from '@mcp-gateway/core';
import { LOCAL_CALLER, type Caller } from '../internal/caller';
import { readMessages, refuse, sessionsFull } from '../internal/http';
import { traced } from '../internal/tracing';
import type { SessionTable } from '../internal/session-table';
import { SseStream } from '../internal/sse';

/** A posted message's trace target (its answer goes out on the SSE stream). */
const SSE = { route: '/messages', era: 'legacy' } as const;

/**
 * The server side of the 2024-11-05 HTTP+SSE transport as an SDK `Transport`: messages to the client go on the
 * client's one GET stream, which opens with an `endpoint` event naming where to POST; the client's POSTs arrive
 * through {@link SseRoute.post}.
 */
class SseServerTransport implements Transport {
  /** Unguessable; it names the stream, it never authenticates anyone. */
  readonly sessionId: string;
  readonly stream: SseStream;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(
    /** The client that opened the stream: only it may post to it. */
    readonly caller: Caller,
    /** Runs once the stream is over, whoever ended it. */
    private readonly onGone: () => void,
    /** From `SessionTable.newId()`. */
    id: string,
  ) {
    this.sessionId = id;
    this.stream = new SseStream(
      {},
      {
        onCancel: () => {
          onGone();
          this.onclose?.();
        },
      },
    );
    this.stream.event('endpoint', `/messages?sessionId=${this.sessionId}`);
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.stream.send(message as JsonRpcMessage)) throw new Error('The client closed its SSE stream.');
  }

  async close(): Promise<void> {
    if (!this.stream.open) return;
    this.stream.end();
    this.onGone();
    this.onclose?.();
  }
}

/**
 * `GET /sse` (the gateway) and `GET /sse/{backend}` (one backend) with `POST /messages?sessionId=…`, for clients
 * that only speak the 2024-11-05 HTTP+SSE transport. Each stream is served by the same SDK servers as the stdio
 * front door, attached to the transport above.
 */
export class SseRoute {
  private readonly streams = new Map<string, SseServerTransport>();

  constructor(
    private readonly maxBodyBytes: number,
    private readonly logger: Logger,
    /** Counts the streams among the gateway's sessions: a cap reached refuses new ones (an open stream is in use). */
    private readonly table: SessionTable,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Opens a stream and lets `attach` connect a server to it; rejects as `attach` does. */
  async open(
    request: Request,
    attach: (transport: Transport) => Promise<void>,
    caller: Caller = LOCAL_CALLER,
  ): Promise<Response> {
    if (!(request.headers.get('accept') ?? 'text/event-stream').includes('text/event-stream'))
      return refuse(406, 'Not Acceptable: GET /sse opens a stream; send Accept: text/event-stream.');
    const wait = this.table.admit(caller.owner);
    if (wait !== undefined) return sessionsFull(wait);
    const gone = () => {
      this.streams.delete(transport.sessionId);
      this.table.remove(transport.sessionId);
    };
    const transport = new SseServerTransport(caller, gone, this.table.newId());
    this.streams.set(transport.sessionId, transport);
    this.table.add({
      id: transport.sessionId,
      owner: caller.owner,
      busy: () => transport.stream.connected,
      end: () => void transport.close(),
    });
    try {
      await attach(transport);
    } catch (error) {
      gone();
      throw error;
    }
    this.logger.debug('SSE stream opened', { session: transport.sessionId });
    return transport.stream.response;
  }

  /** One client message (or batch) for the stream its `sessionId` names: 202, the answer goes on the stream. */
  async post(
    request: Request,
    body?: AsyncIterable<Uint8Array>,
    caller: Caller = LOCAL_CALLER,
  ): Promise<Response> {
    const id = new URL(request.url).searchParams.get('sessionId');
    const transport = id ? this.streams.get(id) : undefined;
    // Another client's stream looks exactly like none.
    if (!transport || transport.caller.owner !== caller.owner)
      return refuse(404, 'Not Found: no open SSE stream has this sessionId; open one with GET /sse.');
    const posted = await readMessages(request, this.maxBodyBytes, body ?? request.body, false);
    if (posted instanceof Response) return posted;
    this.table.touch(transport.sessionId);
    return traced(request, posted.messages, SSE, caller, async () => {
      for (const message of posted.messages) transport.onmessage?.(message as JSONRPCMessage);
      return new Response('Accepted', { status: 202 });
    });
  }

  /** Ends every stream. */
  async close(): Promise<void> {
    const all = [...this.streams.values()];
    for (const id of this.streams.keys()) this.table.remove(id);
    this.streams.clear();
    await Promise.all(all.map((transport) => transport.close()));
  }
}
