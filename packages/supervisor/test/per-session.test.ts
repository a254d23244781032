import { describe, expect, it, vi } from 'vitest';
import type { JsonRpcNotification } from '@mcp-gateway/core';
import { OWN_IDLE_MS, Supervisor } from '../src/index';
import { FakeConnection, settings } from './fake-connection';
import { httpSettings, startForgetfulServer } from './forgetful-server';

// `isolation: per-session`: each client session gets a connection of its own (a process for stdio, an upstream
// session for HTTP), closed when the session is released.

describe('backends with a connection per client session', () => {
  it('connects once per session, tells only that session what its connection sends, and closes on release', async () => {
    const opened: FakeConnection[] = [];
    const events: [string, string | undefined][] = [];
    await using supervisor = new Supervisor({
      backends: { own: { ...settings('own'), isolation: 'per-session' }, shared: settings('shared') },
      connect: async (s) => {
        const connection = new FakeConnection(s.name);
        opened.push(connection);
        return connection;
      },
    });
    supervisor.onEvent((_backend, n: JsonRpcNotification, session) => events.push([n.method, session]));

    const [a, b, again] = await Promise.all([
      supervisor.acquire('own', 's1'),
      supervisor.acquire('own', 's2'),
      supervisor.acquire('own', 's1'),
    ]);
    expect([a.session, b.session, again.session]).toEqual(['s1', 's2', 's1']);
    expect(opened).toHaveLength(2); // one per session; the shared copy of `own` never started
    expect(supervisor.health().own).toMatchObject({ sessions: 2, running: false });

    const shared = await supervisor.acquire('shared', 's1');
    expect(shared.session).toBeUndefined();
    await supervisor.acquire('shared', 's2');
    expect(opened).toHaveLength(3);

    opened[1]!.emit('notifications/resources/updated');
    expect(events).toEqual([['notifications/resources/updated', 's2']]);

    await supervisor.release('s1');
    expect(opened.map((c) => c.isClosed)).toEqual([true, false, false]);
    expect(supervisor.health().own!.sessions).toBe(1);
    await supervisor.release('s1'); // idempotent

    await supervisor.close();
    expect(opened.every((c) => c.isClosed)).toBe(true);
    await expect(supervisor.acquire('own', 's3')).rejects.toMatchObject({ code: 'GATEWAY_CLOSED' });
    expect(opened).toHaveLength(3);
  });

  it("stops a session's own connection when idle, even if the backend never hibernates", async () => {
    vi.useFakeTimers();
    try {
      const opened: FakeConnection[] = [];
      await using supervisor = new Supervisor({
        backends: { own: { ...settings('own'), isolation: 'per-session' } }, // idle timeout 0: never
        connect: async (s) => opened[opened.push(new FakeConnection(s.name)) - 1]!,
      });
      await supervisor.acquire('own');
      await supervisor.acquire('own', 's1');
      await vi.advanceTimersByTimeAsync(OWN_IDLE_MS + 1000);
      expect(opened.map((c) => c.isClosed)).toEqual([false, true]); // the shared one stays
      expect(supervisor.health().own!.sessions).toBe(0);
      await supervisor.acquire('own', 's1'); // the next use starts it again
      expect(opened).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives each client session its own upstream session on a real HTTP backend, ended on release', async () => {
    await using server = await startForgetfulServer();
    const backend = httpSettings('http', server.url, 'per-session');
    await using supervisor = new Supervisor({ backends: { http: backend } });
    const call = async (session: string) =>
      (await supervisor.acquire('http', session)).request('tools/call', {
        name: 'echo',
        arguments: { message: session },
      });
    expect(await call('s1')).toEqual({ content: [{ type: 'text', text: 's1' }] }); // probes the era first
    expect(await Promise.all([call('s2'), call('s1')])).toEqual(
      ['s2', 's1'].map((text) => ({ content: [{ type: 'text', text }] })),
    );
    // The era probe's session (the probe keeps the verdict) and one per client session.
    expect(server.stats).toEqual({ initializes: 3, calls: 3 });
    const before = server.openSessions();
    await supervisor.release('s1');
    expect(server.openSessions()).toBe(before - 1); // the upstream session was DELETEd
  });
});
