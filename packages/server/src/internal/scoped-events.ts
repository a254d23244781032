import type { EventStore } from '@mcp-gateway/core';

/** The part of the store one client's session owns: its owner and its id, so no other client can name it. */
export function eventScope(owner: string, session: string): string {
  return `${owner}|${session}`;
}

/**
 * The part of a shared `store` that one client session sees: its streams are stored under `session` (an `eventScope`), and
 * an event id from another session is unknown here, so no client can resume another's stream.
 */
export function scopedEvents(store: EventStore, session: string): EventStore {
  const prefix = `${session}/`;
  const streamOf = async (eventId: string) => {
    const streamId = await store.getStreamIdForEventId(eventId);
    return streamId?.startsWith(prefix) ? streamId.slice(prefix.length) : undefined;
  };
  return {
    storeEvent: (streamId, message) => store.storeEvent(prefix + streamId, message),
    getStreamIdForEventId: streamOf,
    async replayEventsAfter(lastEventId, options) {
      if ((await streamOf(lastEventId)) === undefined) throw new Error(`Unknown event id "${lastEventId}".`);
      return (await store.replayEventsAfter(lastEventId, options)).slice(prefix.length);
    },
    forgetStreams: async (streamPrefix) => store.forgetStreams?.(prefix + streamPrefix),
  };
}
