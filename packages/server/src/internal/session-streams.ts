import { randomUUID } from 'node:crypto';
import { errorMessage, type EventStore, type JsonRpcMessage } from '@mcp-gateway/core';
import { refuse } from './http';
import { eventScope, scopedEvents } from './scoped-events';
import { SseStream, replay } from './sse';

/**
 * The SSE streams of one Streamable HTTP session (2025 era): the standalone GET stream, for messages no request
 * caused, and the streams POST answers became, resumable with `Last-Event-ID` when the gateway keeps events.
 */
export class SessionStreams {
  /** The client's standalone GET stream. */
  private standalone: SseStream | undefined;
  /** Resumable streams not yet ended, by stream id. */
  private readonly resumable = new Map<string, SseStream>();
  /** This session's part of the event store, when the gateway keeps one. */
  private readonly events: EventStore | undefined;

  constructor(
    private readonly sessionId: string,
    events?: EventStore,
    /** Whose session it is (`Caller.owner`): its events are stored under the owner and the id. */
    owner = 'local',
  ) {
    this.events = events && scopedEvents(events, eventScope(owner, sessionId));
  }

  /** The headers of every response of the session. */
  get headers(): Record<string, string> {
    return { 'mcp-session-id': this.sessionId };
  }

  /** Whether a client reads one of the streams now (which keeps the session from expiring). */
  get connected(): boolean {
    if (this.standalone?.connected) return true;
    for (const stream of this.resumable.values()) if (stream.connected) return true;
    return false;
  }

  /** A new stream for a POST's answer, resumable when the gateway keeps events. */
  open = (): SseStream => {
    if (!this.events) return new SseStream(this.headers);
    const streamId = randomUUID();
    const stream = new SseStream(this.headers, {
      resumable: { store: this.events, streamId },
      onEnd: () => this.resumable.delete(streamId),
    });
    this.resumable.set(streamId, stream);
    return stream;
  };

  /** Opens the standalone stream (one at a time: 409 while a client reads one). */
  listen(): Response {
    if (this.standalone?.connected)
      return new Response('Conflict: this session already has a GET stream open.', { status: 409 });
    this.standalone?.end();
    this.standalone = this.open();
    return this.standalone.response;
  }

  /**
   * Continues the stream an event of this session was sent on, from that event (a GET with `Last-Event-ID`): the
   * stored events after it, then whatever the stream still carries.
   */
  async resume(lastEventId: string): Promise<Response> {
    let streamId: string | undefined;
    try {
      streamId = await this.events?.getStreamIdForEventId(lastEventId);
    } catch (error) {
      return storeUnavailable(error);
    }
    if (!this.events || streamId === undefined)
      return refuse(
        400,
        `Bad Request: Last-Event-ID "${lastEventId}" names no event this session kept; open a new GET stream without it.`,
      );
    const stream = this.resumable.get(streamId);
    if (stream?.connected)
      return new Response('Conflict: a client already reads the stream of that event.', { status: 409 });
    return stream ? stream.resume(lastEventId) : replay(this.headers, this.events, lastEventId);
  }

  /** Sends a message no request caused on the standalone stream; with none open there is nothing to deliver to. */
  sendStandalone(message: JsonRpcMessage): void {
    this.standalone?.send(message);
  }

  /** Ends every stream and forgets the session's stored events. Idempotent. */
  close(): void {
    this.standalone?.end();
    for (const stream of this.resumable.values()) stream.end();
    void this.events?.forgetStreams?.('').catch(() => {}); // this session's part of the store
  }
}

/** 503 for a resume the shared event store cannot answer now (Redis away): the client may retry. */
export function storeUnavailable(error: unknown): Response {
  return refuse(
    503,
    `Service Unavailable: the event store cannot be read now (${errorMessage(error)}); retry, or open a new GET stream without Last-Event-ID.`,
    undefined,
    { 'retry-after': '5' },
  );
}
