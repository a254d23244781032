import type { BackendConnection } from '@mcp-gateway/core';

type Result = Record<string, unknown>;

/**
 * Resource subscriptions on shared connections, by client session: the backend is asked to subscribe when the first
 * session subscribes to a URI and to unsubscribe when the last one leaves (or ends), so one client's unsubscribe
 * never silences another's updates and a session that vanishes takes its subscriptions with it.
 */
export class SharedSubscriptions {
  /** `backend\nuri` → the client sessions subscribed. */
  private readonly subscribers = new Map<string, Set<string>>();

  /** Handles `resources/subscribe` or `resources/unsubscribe` of `session`, forwarding only what the backend must hear. */
  async request(
    backend: string,
    session: string,
    method: 'resources/subscribe' | 'resources/unsubscribe',
    uri: string,
    forward: () => Promise<Result>,
  ): Promise<Result> {
    const key = `${backend}\n${uri}`;
    const sessions = this.subscribers.get(key);
    if (method === 'resources/unsubscribe') {
      if (!sessions?.delete(session)) return {};
      if (sessions.size > 0) return {};
      this.subscribers.delete(key);
      return forward();
    }
    if (sessions?.has(session)) return {};
    if (sessions) {
      sessions.add(session);
      return {};
    }
    const result = await forward();
    const now = this.subscribers.get(key) ?? new Set<string>();
    now.add(session);
    this.subscribers.set(key, now);
    return result;
  }

  /** A session ended: the URIs it alone held are unsubscribed on their backends. */
  release(session: string, connection: (backend: string) => Promise<BackendConnection> | undefined): void {
    for (const [key, sessions] of this.subscribers) {
      if (!sessions.delete(session) || sessions.size > 0) continue;
      this.subscribers.delete(key);
      const [backend, uri] = key.split('\n') as [string, string];
      void connection(backend)
        ?.then((c) => c.request('resources/unsubscribe', { uri }))
        .catch(() => {}); // the backend is gone: so is its subscription
    }
  }

  /** A backend left or changed (a reload): its subscriptions went with its connection. */
  forget(backend: string): void {
    for (const key of this.subscribers.keys())
      if (key.startsWith(`${backend}\n`)) this.subscribers.delete(key);
  }
}
