import { randomUUID } from 'node:crypto';

/** How many legacy client sessions the gateway keeps, and for how long without use. */
export interface SessionLimits {
  /** A session unused this long, with nothing in flight and no stream open, ends; 0: never. */
  idleMs: number;
  /** Sessions at once over every endpoint. */
  max: number;
  /** Sessions at once of one identified client (an API key or a token's subject). */
  perClient: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, max: 10_000, perClient: 1000 };

/** One session as the table sees it, whatever endpoint serves it. */
export interface TrackedSession {
  readonly id: string;
  /** Whose it is (`identityKey`); `local` for the trusted local caller, which has no per-client cap. */
  readonly owner: string;
  /** A call in flight or a stream open keeps a session from expiring or being evicted. */
  busy(): boolean;
  /** Ends it: its streams close, what it holds is released, its next request gets 404. */
  end(): void;
}

/**
 * Every legacy client session of every endpoint (`/mcp`, `/mcp/{backend}`, `/sse`, `/sse/{backend}`), so that
 * clients that vanish without a DELETE cannot grow the gateway without bound: sessions idle past `idleMs` end; at
 * `max` (or a client's `perClient`) the least recently used idle session makes room, and when none is idle a new
 * session is refused (503).
 */
export class SessionTable {
  /** Least recently used first: a use moves a session to the end. */
  private readonly sessions = new Map<string, TrackedSession>();
  private readonly perOwner = new Map<string, number>();
  private readonly lastUsed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  readonly counts = { expired: 0, evicted: 0, refused: 0 };

  constructor(
    private limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
    /** This replica's key, put in front of every session id (`r1.<uuid>`) for a load balancer to route by. */
    private readonly replica?: string,
  ) {
    this.update(limits);
  }

  /**
   * A new session id: random and unguessable (it names a session, it never authenticates anyone), led by the
   * replica's key when there is one.
   */
  newId(): string {
    return this.replica ? `${this.replica}.${randomUUID()}` : randomUUID();
  }

  /** Takes new limits (a config reload); open sessions stay, and the next sweep or admission follows them. */
  update(limits: SessionLimits): void {
    this.limits = limits;
    clearInterval(this.timer);
    this.timer = undefined;
    if (limits.idleMs <= 0) return;
    this.timer = setInterval(() => this.sweep(), Math.min(60_000, Math.max(100, limits.idleMs / 4)));
    this.timer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Makes room for a new session of `owner`, evicting the least recently used idle session where a cap is reached.
   * Returns undefined when there is room, else the seconds a client should wait (no session is idle).
   */
  admit(owner: string): number | undefined {
    if (owner !== 'local' && (this.perOwner.get(owner) ?? 0) >= this.limits.perClient) {
      if (!this.evictOne((s) => s.owner === owner)) return this.refuse();
    }
    if (this.sessions.size >= this.limits.max && !this.evictOne(() => true)) return this.refuse();
    return undefined;
  }

  add(session: TrackedSession): void {
    this.sessions.set(session.id, session);
    this.lastUsed.set(session.id, this.now());
    this.perOwner.set(session.owner, (this.perOwner.get(session.owner) ?? 0) + 1);
  }

  /** The session was used (a request for it arrived). */
  touch(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.sessions.set(id, session);
    this.lastUsed.set(id, this.now());
  }

  /** The session ended (DELETE, expiry, eviction, shutdown). Idempotent. */
  remove(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.lastUsed.delete(id);
    const owned = (this.perOwner.get(session.owner) ?? 1) - 1;
    if (owned > 0) this.perOwner.set(session.owner, owned);
    else this.perOwner.delete(session.owner);
  }

  /** Ends the sessions idle past `idleMs`. The timer runs this; tests may call it. */
  sweep(): void {
    if (this.limits.idleMs <= 0) return;
    const cutoff = this.now() - this.limits.idleMs;
    for (const session of [...this.sessions.values()]) {
      if (this.lastUsed.get(session.id)! > cutoff) break; // the rest were used later
      if (session.busy()) continue;
      this.counts.expired++;
      this.end(session);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  private evictOne(which: (session: TrackedSession) => boolean): boolean {
    for (const session of this.sessions.values()) {
      if (!which(session) || session.busy()) continue;
      this.counts.evicted++;
      this.end(session);
      return true;
    }
    return false;
  }

  private end(session: TrackedSession): void {
    this.remove(session.id);
    session.end();
  }

  private refuse(): number {
    this.counts.refused++;
    return 5;
  }
}
