import type { RateLimitSettings } from '@mcp-gateway/core';

/** Clients tracked at once; past that, full buckets (clients at rest) are forgotten first, then the oldest. */
const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client: each request takes a token, tokens come back at `rate` a second up to `burst`. A
 * client without tokens is told how long until the next one.
 *
 * @example const limiter = new RateLimiter({ rate: 10, burst: 20 }); limiter.take('api-key:alice')
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Requests refused so far, for /metrics. */
  refused = 0;

  constructor(
    readonly settings: RateLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `client`: undefined when granted, else the seconds to wait before the next one. */
  take(client: string): number | undefined {
    const now = this.now();
    const bucket = this.refill(client, now);
    // Re-inserted, so that the map's order is least recently used first.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_CLIENTS) this.forget(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    this.refused++;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.settings.rate));
  }

  get clients(): number {
    return this.buckets.size;
  }

  private refill(client: string, now: number): Bucket {
    const { rate, burst } = this.settings;
    const bucket = this.buckets.get(client) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    return bucket;
  }

  private forget(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (this.buckets.size <= MAX_CLIENTS / 2) return;
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.settings.rate >= this.settings.burst)
        this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size <= MAX_CLIENTS) return;
      this.buckets.delete(client);
    }
  }
}
