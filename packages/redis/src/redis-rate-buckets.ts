import { createHash } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import type { RateBuckets, RateLimitSettings } from '@mcp-gateway/core';
import { Breaker } from './internal/breaker';
import { connectRedis } from './internal/connect';

/**
 * Takes a token from one client's bucket atomically, on Redis's clock (replicas' clocks may differ). A bucket is a
 * hash {tokens, at}; it expires once it would be full again, so that a client at rest costs nothing. Returns -1
 * when granted, else the whole seconds until the next token.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = -1
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return wait
`;

/**
 * {@link RateBuckets} in Redis: every replica takes from the same bucket per client, so a fleet of three allows a
 * client what one gateway would. Keys are `mcpgw:rate:<hash of the client>` (no client names in Redis), each with
 * a TTL. While Redis is away `take` rejects at once, and the gateway counts in its own buckets meanwhile.
 *
 * @example const buckets = RedisRateBuckets.connect('redis://127.0.0.1:6379'); await buckets.take('api-key:alice', { rate: 10, burst: 20 })
 */
export class RedisRateBuckets implements RateBuckets {
  private readonly prefix: string;
  private readonly breaker = new Breaker();

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string } = {},
  ) {
    this.prefix = options.prefix ?? 'mcpgw:';
  }

  static connect(url: string, options: { prefix?: string } = {}, redis: RedisOptions = {}): RedisRateBuckets {
    return new RedisRateBuckets(connectRedis(url, redis), options);
  }

  async take(client: string, { rate, burst }: RateLimitSettings): Promise<number | undefined> {
    const key = `${this.prefix}rate:${createHash('sha256').update(client).digest('base64url')}`;
    const wait = (await this.breaker.run(() => this.redis.eval(TAKE, 1, key, rate, burst))) as number;
    return wait < 0 ? undefined : wait;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
