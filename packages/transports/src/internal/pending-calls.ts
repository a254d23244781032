import type { CallOptions } from '@mcp-gateway/core';

export interface PendingCall {
  id: number;
  method: string;
  options: CallOptions;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: unknown) => void;
  /** The caller's progress token, restored on the way back. */
  clientToken: unknown;
  /** Ours on the backend side (the request id, which is unique on this connection). */
  upstreamToken: number | undefined;
  /** When the call times out (`performance.now()`); never while it awaits the client or has no timeout. */
  deadline: number;
  timeoutMs: number;
  onTimeout: () => void;
  /** Backend→client requests of this call still waiting for the client; the timeout waits while any do. */
  awaitingClient: number;
  /**
   * When the backend last got something to work on for this call: the request itself, or a client's answer to one
   * of its requests (`performance.now()`, which is monotonic and finer than a millisecond).
   */
  resumedAt: number;
  /** Whether the backend has got a client's answer for this call, and so is likely finishing it. */
  answered: boolean;
  /** When a backend→client request was last put down to this call (`performance.now()`); -Infinity if never. */
  askedAt: number;
  cleanup: (() => void)[];
}

type Open = Pick<PendingCall, 'method' | 'options' | 'resolve' | 'reject' | 'clientToken'>;

/**
 * A backend asks for a call within moments of taking it up. A call it took up longer ago than this and still works
 * on is busy with its own work (a long operation), so a request that comes now more likely belongs to a call taken
 * up since.
 */
const BUSY_AFTER_MS = 1000;

/** Whether the backend more likely asks for `a` than for `b` now: one it took up lately first, then the earlier. */
function asksBefore(a: PendingCall, b: PendingCall, now: number): boolean {
  const aBusy = now - a.resumedAt > BUSY_AFTER_MS;
  const bBusy = now - b.resumedAt > BUSY_AFTER_MS;
  return aBusy === bBusy ? a.resumedAt < b.resumedAt : bBusy;
}

/**
 * The calls one upstream connection is waiting on, by request id and by progress token. Their timeouts share one
 * timer, set for the earliest deadline: a call that opens or settles touches no timer unless it comes due first.
 */
export class PendingCalls {
  private nextId = 1;
  private readonly byId = new Map<number, PendingCall>();
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires; Infinity when none is set. */
  private wakeAt = Infinity;

  get size(): number {
    return this.byId.size;
  }

  open(init: Open): PendingCall {
    const id = this.nextId++;
    // Written out rather than spread: on Node 20, properties added after a spread cost microseconds each.
    const call: PendingCall = {
      method: init.method,
      options: init.options,
      resolve: init.resolve,
      reject: init.reject,
      clientToken: init.clientToken,
      id,
      upstreamToken: init.clientToken === undefined ? undefined : id,
      deadline: Infinity,
      timeoutMs: 0,
      onTimeout: () => {},
      awaitingClient: 0,
      resumedAt: performance.now(),
      answered: false,
      askedAt: -Infinity,
      cleanup: [],
    };
    this.byId.set(id, call);
    return call;
  }

  get(id: number): PendingCall | undefined {
    return this.byId.get(id);
  }

  byToken(token: unknown): PendingCall | undefined {
    return typeof token === 'number' ? this.byId.get(token) : undefined;
  }

  /** The most recently opened call that matches, for attributing unlabelled backend traffic. */
  latest(match: (call: PendingCall) => boolean): PendingCall | undefined {
    let found: PendingCall | undefined;
    for (const call of this.byId.values()) if (match(call)) found = call;
    return found;
  }

  /** The backend got a client's answer for this call and works on it again. */
  resumed(call: PendingCall): void {
    call.resumedAt = performance.now();
    call.answered = true;
  }

  /**
   * The call a backend→client request (sampling, elicitation, roots) belongs to, when the backend does not say:
   * of the calls that can relay one and are not waiting on their client, the one the backend took up (or resumed)
   * first, leaving out those busy since long before (see {@link BUSY_AFTER_MS}) unless all are; else, of those
   * waiting on their client, the one that asked last. A backend handles what it receives in order and asks while
   * handling it, so the first call it took up and still works on is the one asking. An older call whose request
   * the client just answered was resumed after a newer call went out, so the newer call comes first. When every
   * call waits, the one that just asked is sending the rest of a burst (several requests at once are written
   * apart), while one that asked long ago and was never answered has nothing more to ask.
   */
  askingCall(): PendingCall | undefined {
    const now = performance.now();
    let working: PendingCall | undefined;
    let waiting: PendingCall | undefined;
    for (const call of this.byId.values()) {
      if (!call.options.onRequest) continue;
      if (call.awaitingClient > 0) {
        if (!waiting || call.askedAt > waiting.askedAt) waiting = call;
      } else if (!working || asksBefore(call, working, now)) working = call;
    }
    return working ?? waiting;
  }

  /**
   * Whether {@link askingCall} is a guess that the next moment may settle: it picks a call the backend got an answer
   * for, while another call could be asking too. Such a call usually just finishes; if its response comes, the
   * request was the other call's.
   */
  unsure(): boolean {
    const asking = this.askingCall();
    if (!asking?.answered || asking.awaitingClient > 0) return false;
    for (const call of this.byId.values()) {
      if (call !== asking && call.options.onRequest && call.awaitingClient === 0) return true;
    }
    return false;
  }

  /** (Re)starts the call's timeout, unless it awaits the client; `onTimeout` runs when it expires. */
  armTimer(call: PendingCall, timeoutMs = call.timeoutMs): void {
    call.timeoutMs = timeoutMs;
    call.deadline = timeoutMs > 0 && call.awaitingClient === 0 ? performance.now() + timeoutMs : Infinity;
    if (call.deadline < this.wakeAt) this.wakeUpAt(call.deadline);
  }

  settle(call: PendingCall): void {
    for (const fn of call.cleanup) fn();
    this.byId.delete(call.id);
  }

  rejectAll(error: unknown): void {
    for (const call of [...this.byId.values()]) {
      this.settle(call);
      call.reject(error);
    }
    clearTimeout(this.timer);
    this.wakeAt = Infinity;
  }

  /**
   * Unref'd: what a pending call waits on (a pipe, a socket) keeps the process running, and a timer left over
   * from calls that settled must not.
   */
  private wakeUpAt(at: number): void {
    clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - performance.now()));
    this.timer.unref();
  }

  /** Times out the calls that are due, and sets the timer for the next deadline. */
  private expire(): void {
    this.wakeAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const call of [...this.byId.values()]) {
      if (call.deadline <= now) call.onTimeout();
      else next = Math.min(next, call.deadline);
    }
    if (next < Infinity) this.wakeUpAt(next);
  }
}
