import { describe, expect, it } from 'vitest';
import { isGatewayError } from '@mcp-gateway/core';
import { Supervisor } from '../src/index';
import { FakeConnection, settings } from './fake-connection';

/** A fake backend whose calls wait until the test lets them finish. */
class SlowConnection extends FakeConnection {
  readonly pending: (() => void)[] = [];
  override async request(method: string): Promise<Record<string, unknown>> {
    if (method !== 'tools/call') return super.request(method);
    await new Promise<void>((resolve) => this.pending.push(resolve));
    return { content: [] };
  }
}

describe('per-backend call limits', () => {
  it('holds calls past max_concurrency in a bounded queue, refuses past max_queue, and reports every call', async () => {
    const slow = new SlowConnection('slow');
    const calls: unknown[] = [];
    await using supervisor = new Supervisor({
      backends: { slow: { ...settings('slow'), limits: { concurrency: 2, queue: 1 } } },
      connect: async () => slow,
      onCall: (call) => calls.push({ method: call.method, error: call.error, client: call.client?.name }),
    });
    const connection = await supervisor.acquire('slow');
    const client = { name: 'alice', via: 'api-key' as const, roles: [], scopes: [] };
    const started = [1, 2, 3].map(() => connection.request('tools/call', { name: 't' }, { client }));
    await new Promise((resolve) => setImmediate(resolve));
    expect([slow.pending.length, supervisor.health().slow]).toMatchObject([2, { in_flight: 2, queued: 1 }]);
    const refused = await connection.request('tools/call', { name: 't' }).catch((e: unknown) => e);
    expect(isGatewayError(refused, 'BACKEND_BUSY') && refused.message).toBe(
      'Backend "slow" is busy: 2 calls in flight and 1 waiting (max_concurrency 2, max_queue 1). Try again shortly.',
    );
    slow.pending.shift()!(); // the first finishes; the queued one takes its place
    await new Promise((resolve) => setImmediate(resolve));
    expect([slow.pending.length, supervisor.health().slow]).toMatchObject([
      2,
      { in_flight: 2, queued: 0, rejected: 1 },
    ]);
    while (slow.pending.length > 0) slow.pending.shift()!();
    await Promise.all(started);
    expect(supervisor.health().slow).toMatchObject({ in_flight: 0, queued: 0 });
    expect(calls).toEqual([
      { method: 'tools/call', error: { code: 'BACKEND_BUSY' }, client: undefined },
      { method: 'tools/call', error: undefined, client: 'alice' },
      { method: 'tools/call', error: undefined, client: 'alice' },
      { method: 'tools/call', error: undefined, client: 'alice' },
    ]);
  });
});
