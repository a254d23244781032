import { GatewayError, type BackendLimits } from '@mcp-gateway/core';

/**
 * Calls in flight to one backend, capped, with a bounded queue: a slow backend holds at most `concurrency` calls
 * and `queue` waiting ones, and refuses the rest at once, so it cannot take the gateway's memory or the capacity
 * of other backends.
 */
export class CallLimit {
  inFlight = 0;
  rejected = 0;
  private readonly waiting: { start: () => void }[] = [];

  constructor(
    private readonly backend: string,
    private readonly limits: BackendLimits,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `call` once a place is free; rejects with `BACKEND_BUSY` when the queue is full too. */
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.inFlight >= this.limits.concurrency) await this.wait(signal);
    else this.inFlight++;
    try {
      return await call();
    } finally {
      // The place goes straight to the next waiting call, so no newcomer can slip in between.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.inFlight--;
    }
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.waiting.length >= this.limits.queue) {
      this.rejected++;
      return Promise.reject(
        new GatewayError(
          'BACKEND_BUSY',
          `Backend "${this.backend}" is busy: ${this.inFlight} calls in flight and ${this.waiting.length} waiting (max_concurrency ${this.limits.concurrency}, max_queue ${this.limits.queue}). Try again shortly.`,
        ),
      );
    }
    const cancelled = () =>
      new GatewayError('REQUEST_CANCELLED', `A call to "${this.backend}" was cancelled while it waited.`);
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}
