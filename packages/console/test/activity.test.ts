import { describe, expect, it } from 'vitest';
import type { CallRecord } from '@mcp-gateway/core';
import { ActivityRing } from '../src/index';
import { LiveUpdates } from '../src/live';

const call = (name: string, extra: Partial<CallRecord> = {}): CallRecord => ({
  backend: 'b',
  method: 'tools/call',
  params: { name, arguments: { secret: 'hunter2' } },
  client: null,
  durationMs: 1.234,
  ...extra,
});

describe('ActivityRing', () => {
  it('keeps the last `capacity` calls, newest first, without arguments or results', () => {
    const ring = new ActivityRing(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) ring.record(call(name));
    expect(ring.recent().map((a) => a.target)).toEqual(['e', 'd', 'c']);
    expect(ring.recent(2).map((a) => a.seq)).toEqual([5, 4]);
    expect(JSON.stringify(ring.recent())).not.toContain('hunter2');
  });

  it('says the outcome: ok, tool error, or the error code; and who called', () => {
    const ring = new ActivityRing();
    ring.record(call('ok'));
    ring.record(call('tool', { result: { isError: true } }));
    ring.record(call('failed', { error: { code: 'BACKEND_TIMEOUT' } }));
    ring.record(call('mine', { client: { name: 'alice', via: 'api-key', roles: [], scopes: [] } }));
    expect(ring.recent().map((a) => [a.target, a.outcome, a.client])).toEqual([
      ['mine', 'ok', 'alice'],
      ['failed', 'BACKEND_TIMEOUT', 'local'],
      ['tool', 'tool error', 'local'],
      ['ok', 'ok', 'local'],
    ]);
  });
});

describe('LiveUpdates', () => {
  it('refuses pages past its cap with 503, and drops a page that stops reading', async () => {
    const live = new LiveUpdates(2);
    const reading = live.open();
    live.open(); // never read
    expect(live.open().status).toBe(503);
    const reader = reading.body!.getReader();
    for (let i = 0; i < 400; i++) {
      live.send('call', { i });
      await reader.read();
    }
    expect(live.size).toBe(1); // the page that never read was dropped, the reader kept
    live.close();
  });
});
