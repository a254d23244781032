import { describe, expect, it } from 'vitest';
import { Supervisor } from '../src/index';
import { FakeConnection, settings } from './fake-connection';

/** A fake backend that records the subscription requests it receives. */
class Recording extends FakeConnection {
  readonly received: string[] = [];
  override async request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (method.startsWith('resources/')) this.received.push(`${method} ${String(params?.uri)}`);
    return super.request(method);
  }
}

describe('resource subscriptions on a shared backend', () => {
  it('reach the backend once per URI, leave with the last session, and go when a session ends', async () => {
    const backend = new Recording('a');
    await using supervisor = new Supervisor({ backends: { a: settings('a') }, connect: async () => backend });
    const as = (session: string) => supervisor.acquire('a', session);
    const [alice, bob] = [await as('alice'), await as('bob')];
    await alice.request('resources/subscribe', { uri: 'x://1' });
    await bob.request('resources/subscribe', { uri: 'x://1' });
    await bob.request('resources/subscribe', { uri: 'x://2' });
    await alice.request('resources/unsubscribe', { uri: 'x://1' });
    expect(backend.received).toEqual(['resources/subscribe x://1', 'resources/subscribe x://2']);
    await supervisor.release('bob'); // bob vanishes: what only bob held is unsubscribed
    await new Promise((resolve) => setImmediate(resolve));
    expect(backend.received.slice(2).sort()).toEqual([
      'resources/unsubscribe x://1',
      'resources/unsubscribe x://2',
    ]);
  });
});
