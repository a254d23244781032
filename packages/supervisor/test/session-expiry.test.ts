import { describe, expect, it } from 'vitest';
import { Supervisor } from '../src/index';
import { httpSettings, startForgetfulServer } from './forgetful-server';

describe('an HTTP backend that forgets the session (HTTP 404)', () => {
  it('re-initializes and replays the in-flight call once; not counted as a crash', async () => {
    await using server = await startForgetfulServer();
    const backend = httpSettings('forgetful', server.url);
    await using supervisor = new Supervisor({ backends: { forgetful: backend } });
    const first = await supervisor.acquire('forgetful');
    expect(await first.request('tools/call', { name: 'echo', arguments: { message: 'before' } })).toEqual({
      content: [{ type: 'text', text: 'before' }],
    });
    server.forget();
    expect(await first.request('tools/call', { name: 'echo', arguments: { message: 'after' } })).toEqual({
      content: [{ type: 'text', text: 'after' }],
    });
    // One era probe (this backend is 2025-era, verdict kept), the first session, and the renewed one.
    expect(server.stats).toEqual({ initializes: 3, calls: 2 });
    expect(supervisor.health().forgetful).toMatchObject({
      state: 'ready',
      restart_count: 0,
      last_error: null,
    });
  });
});
