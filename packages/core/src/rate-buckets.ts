import type { RateLimitSettings } from './settings';

/**
 * Token buckets kept outside the process, one per client, so that every replica of a fleet takes from the same
 * bucket: each request takes a token, tokens come back at `rate` a second up to `burst`. The Redis one is
 * `RedisRateBuckets` in `@mcp-gateway/redis`; the in-process one is `RateLimiter` in `@mcp-gateway/auth`.
 */
export interface RateBuckets {
  /**
   * Takes a token for `client` under `limit`: undefined when granted, else the whole seconds to wait before the
   * next one. Rejects when the store cannot be reached (the caller falls back to its own buckets).
   */
  take(client: string, limit: RateLimitSettings): Promise<number | undefined>;
}
