import type { EventStore, JsonRpcMessage } from '@mcp-gateway/core';

/**
 * An {@link EventStore} in this process's memory, bounded: past `maxEvents` events or about `maxBytes` of JSON, the
 * oldest are dropped, and a client that resumes from one of them is told the id is unknown. Event ids are sequence
 * numbers; the gateway scopes them to a session before a client can name one.
 */
export class MemoryEventStore implements EventStore {
  private readonly events = new Map<number, { streamId: string; message: JsonRpcMessage; size: number }>();
  /** Each stream's event numbers, oldest first. */
  private readonly streams = new Map<string, number[]>();
  private last = 0;
  private bytes = 0;

  constructor(
    private readonly maxEvents = 10_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  async storeEvent(streamId: string, message: JsonRpcMessage): Promise<string> {
    const seq = ++this.last;
    const size = approximateSize(message);
    this.events.set(seq, { streamId, message, size });
    this.bytes += size;
    const stream = this.streams.get(streamId) ?? [];
    stream.push(seq);
    this.streams.set(streamId, stream);
    while (this.events.size > this.maxEvents || (this.bytes > this.maxBytes && this.events.size > 1))
      this.dropOldest();
    return String(seq);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.get(Number(eventId))?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JsonRpcMessage) => Promise<void> },
  ): Promise<string> {
    const after = Number(lastEventId);
    const event = this.events.get(after);
    if (!event) throw new Error(`Unknown event id "${lastEventId}".`);
    for (const seq of [...this.streams.get(event.streamId)!])
      if (seq > after && this.events.has(seq)) await send(String(seq), this.events.get(seq)!.message);
    return event.streamId;
  }

  async forgetStreams(prefix: string): Promise<void> {
    for (const [streamId, seqs] of this.streams) {
      if (!streamId.startsWith(prefix)) continue;
      for (const seq of seqs) {
        this.bytes -= this.events.get(seq)?.size ?? 0;
        this.events.delete(seq);
      }
      this.streams.delete(streamId);
    }
  }

  /** Events kept now, for tests and /metrics. */
  get size(): number {
    return this.events.size;
  }

  private dropOldest(): void {
    const [seq, { streamId, size }] = this.events.entries().next().value!;
    this.events.delete(seq);
    this.bytes -= size;
    const stream = this.streams.get(streamId)!;
    stream.shift();
    if (stream.length === 0) this.streams.delete(streamId);
  }
}

/** About how many characters `value` takes as JSON, without building the JSON (which costs more for large results). */
function approximateSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 8;
  let size = 2;
  if (Array.isArray(value)) for (const item of value) size += approximateSize(item) + 1;
  else for (const [key, item] of Object.entries(value)) size += key.length + 4 + approximateSize(item);
  return size;
}
