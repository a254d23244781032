import { describe, expect, it } from 'vitest';
import type { JsonRpcMessage, JsonRpcNotification } from '@mcp-gateway/core';
import { MemoryEventStore } from '../src/index';
import { scopedEvents } from '../src/internal/scoped-events';

const note = (n: number): JsonRpcMessage => ({ jsonrpc: '2.0', method: 'n', params: { n } });

async function replayed(store: MemoryEventStore | ReturnType<typeof scopedEvents>, after: string) {
  const seen: unknown[] = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (_id, message) => void seen.push((message as JsonRpcNotification).params!.n),
  });
  return { stream, seen };
}

describe('MemoryEventStore', () => {
  it("replays one stream's later events in order, and no other stream's", async () => {
    const store = new MemoryEventStore();
    const a1 = await store.storeEvent('a', note(1));
    await store.storeEvent('b', note(2));
    await store.storeEvent('a', note(3));
    await store.storeEvent('a', note(4));
    expect(await replayed(store, a1)).toEqual({ stream: 'a', seen: [3, 4] });
    expect(await store.getStreamIdForEventId(a1)).toBe('a');
    expect(await store.getStreamIdForEventId('nope')).toBeUndefined();
  });

  it('drops the oldest events past its bound, and then does not know them', async () => {
    const store = new MemoryEventStore(3);
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent('a', note(n)));
    expect(await store.getStreamIdForEventId(ids[1]!)).toBeUndefined();
    expect(await replayed(store, ids[2]!)).toEqual({ stream: 'a', seen: [4, 5] });
    await expect(replayed(store, ids[0]!)).rejects.toThrow(/Unknown event id/);
  });

  it('drops the oldest events past its byte bound too', async () => {
    const store = new MemoryEventStore(100, 200);
    const big = (n: number): JsonRpcMessage => ({
      jsonrpc: '2.0',
      method: 'n',
      params: { n, pad: 'x'.repeat(80) },
    });
    const ids = [];
    for (let n = 1; n <= 3; n++) ids.push(await store.storeEvent('a', big(n)));
    expect(await store.getStreamIdForEventId(ids[0]!)).toBeUndefined(); // three of ~120 bytes exceed 200
    expect(await store.getStreamIdForEventId(ids[2]!)).toBe('a');
  });

  it('scoped to a session, sees only that session’s events', async () => {
    const store = new MemoryEventStore();
    const mine = scopedEvents(store, 'session-1');
    const theirs = scopedEvents(store, 'session-2');
    const id = await mine.storeEvent('s', note(1));
    await mine.storeEvent('s', note(2));
    expect(await mine.getStreamIdForEventId(id)).toBe('s');
    expect(await replayed(mine, id)).toEqual({ stream: 's', seen: [2] });
    expect(await theirs.getStreamIdForEventId(id)).toBeUndefined();
    await expect(replayed(theirs, id)).rejects.toThrow(/Unknown event id/);
  });

  it("forgets a session's streams when the session ends, and keeps the others", async () => {
    const store = new MemoryEventStore();
    const ending = scopedEvents(store, 'session-1');
    const staying = scopedEvents(store, 'session-2');
    await ending.storeEvent('s', note(1));
    await ending.storeEvent('t', note(2));
    const kept = await staying.storeEvent('s', note(3));
    await ending.forgetStreams!('');
    expect([store.size, await staying.getStreamIdForEventId(kept)]).toEqual([1, 's']);
    await store.storeEvent('x', note(4)); // the bounds still hold after a forget
    expect(store.size).toBe(2);
  });
});
