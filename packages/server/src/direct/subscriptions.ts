/**
 * Resource subscriptions on shared backends, counted across client sessions: the backend is asked to subscribe
 * when the first session subscribes to a URI, and to unsubscribe when the last one leaves, so one client's
 * unsubscribe never silences another's updates.
 */
export class Subscriptions {
  private readonly counts = new Map<string, number>();

  /** Counts a session in; true when it is the first, so the backend must be asked. */
  add(backend: string, uri: string): boolean {
    const key = `${backend}\n${uri}`;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count === 1;
  }

  /** Counts a session out; true when it was the last, so the backend must be told. */
  remove(backend: string, uri: string): boolean {
    const key = `${backend}\n${uri}`;
    const count = (this.counts.get(key) ?? 0) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
    return count === 0;
  }
}
