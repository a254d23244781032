import type { CallRecord } from '@mcp-gateway/core';

/** One finished call as the console shows it: no arguments and no results, which may hold secrets. */
export interface Activity {
  /** Counts up from 1 over the gateway's life. */
  seq: number;
  /** When the call finished (ms since the epoch). */
  at: number;
  /** The client's name (API key name or token subject), or `local`. */
  client: string;
  backend: string;
  method: string;
  /** The tool or prompt name, or the resource URI. */
  target: string | undefined;
  durationMs: number;
  /** `ok`, `tool error` (a result with `isError`), or the error's code. */
  outcome: string;
}

/**
 * The most recent calls, in memory, bounded: past `capacity` the oldest go. Listeners hear of each new one (the
 * console's live page).
 *
 * @example const activity = new ActivityRing(); supervisorOptions.onCall = (call) => activity.record(call);
 */
export class ActivityRing {
  /** A circular buffer: slot `seq % capacity` holds call `seq` (no shifting on the call path). */
  private readonly ring: Activity[] = [];
  private seq = 0;
  private readonly listeners = new Set<(activity: Activity) => void>();

  constructor(readonly capacity = 500) {}

  record(call: CallRecord): void {
    const target = call.params?.name ?? call.params?.uri;
    const activity: Activity = {
      seq: ++this.seq,
      at: Date.now(),
      client: call.client?.name ?? 'local',
      backend: call.backend,
      method: call.method,
      target: typeof target === 'string' ? target : undefined,
      durationMs: Math.round(call.durationMs * 100) / 100,
      outcome: call.error ? String(call.error.code) : call.result?.isError === true ? 'tool error' : 'ok',
    };
    this.ring[activity.seq % this.capacity] = activity;
    for (const listener of this.listeners) listener(activity);
  }

  /** Newest first. */
  recent(limit = this.capacity): Activity[] {
    const recent: Activity[] = [];
    for (let seq = this.seq; seq > Math.max(0, this.seq - Math.min(limit, this.capacity)); seq--)
      recent.push(this.ring[seq % this.capacity]!);
    return recent;
  }

  onRecord(listener: (activity: Activity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
