import type { JsonRpcMessage } from './jsonrpc';

/**
 * Keeps the messages written on SSE streams, so that a client that lost a stream can resume it with
 * `Last-Event-ID`. The same shape as the MCP SDK's `EventStore`, so one store serves both the SDK's transport and
 * the gateway's own streams. The in-memory one is `MemoryEventStore` in `@mcp-gateway/server`; a shared store
 * (Redis, say) lets another replica resume a stream.
 */
export interface EventStore {
  /** Stores one message of a stream; resolves with its event id, unique across every stream of the store. */
  storeEvent(streamId: string, message: JsonRpcMessage): Promise<string>;
  /** The stream an event belongs to, or `undefined` for an id the store does not know (or no longer keeps). */
  getStreamIdForEventId(eventId: string): Promise<string | undefined>;
  /** Sends, in order, the messages of the event's stream stored after it; resolves with that stream's id. */
  replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JsonRpcMessage) => Promise<void> },
  ): Promise<string>;
  /** Drops every stream whose id starts with `prefix`, and its events (a session ended). Optional. */
  forgetStreams?(prefix: string): Promise<void>;
}
