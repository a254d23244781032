import type { Redis, RedisOptions } from 'ioredis';
import type { EventStore, JsonRpcMessage } from '@mcp-gateway/core';
import { Breaker } from './internal/breaker';
import { connectRedis } from './internal/connect';

export interface RedisEventStoreOptions {
  /** Put in front of every key (`mcpgw:`), so that several fleets can share one Redis. */
  prefix?: string;
  /** How long an event and its stream are kept after the last write (3,600 s). */
  ttlSeconds?: number;
  /** Events kept per stream; older ones go (1,000). */
  maxEventsPerStream?: number;
}

/**
 * An {@link EventStore} in Redis, shared by every replica: a stream written by one replica can be resumed
 * (`Last-Event-ID`) on another, also after the first is gone. Bounded: every key has a TTL and every stream a
 * length cap, so Redis's own `maxmemory` policy is never the only bound. Event ids are one sequence (`INCR`) for
 * the whole store.
 *
 * When Redis cannot be reached, calls reject at once with the reason (no queue builds up): the gateway then sends
 * events without ids (streams still work, resuming them does not), and a resume is answered 503.
 *
 * @example const events = RedisEventStore.connect('redis://127.0.0.1:6379'); createGatewayApp({ ..., eventStore: events })
 */
export class RedisEventStore implements EventStore {
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly max: number;
  private readonly breaker = new Breaker();

  constructor(
    private readonly redis: Redis,
    options: RedisEventStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpgw:';
    this.ttl = options.ttlSeconds ?? 3600;
    this.max = options.maxEventsPerStream ?? 1000;
  }

  /**
   * Connects to `url` (`redis://[:password@]host:port/db`, `rediss://` for TLS). It fails fast while Redis is away
   * and reconnects by itself when it is back.
   */
  static connect(
    url: string,
    options: RedisEventStoreOptions = {},
    redis: RedisOptions = {},
  ): RedisEventStore {
    return new RedisEventStore(connectRedis(url, redis), options);
  }

  storeEvent(streamId: string, message: JsonRpcMessage): Promise<string> {
    return this.breaker.run(async () => {
      const id = String(await this.redis.incr(`${this.prefix}seq`));
      const stream = this.streamKey(streamId);
      await this.redis
        .multi()
        .set(this.eventKey(id), JSON.stringify({ stream: streamId, message }), 'EX', this.ttl)
        .rpush(stream, id)
        .ltrim(stream, -this.max, -1)
        .expire(stream, this.ttl)
        .exec();
      return id;
    });
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    if (!/^\d+$/.test(eventId)) return undefined;
    const stored = await this.breaker.run(() => this.redis.get(this.eventKey(eventId)));
    return stored ? (JSON.parse(stored) as { stream: string }).stream : undefined;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JsonRpcMessage) => Promise<void> },
  ): Promise<string> {
    const streamId = await this.getStreamIdForEventId(lastEventId);
    if (streamId === undefined) throw new Error(`Unknown event id "${lastEventId}".`);
    const after = Number(lastEventId);
    const listed = await this.breaker.run(() => this.redis.lrange(this.streamKey(streamId), 0, -1));
    const ids = listed.filter((id) => Number(id) > after);
    if (ids.length === 0) return streamId;
    const events = await this.breaker.run(() => this.redis.mget(ids.map((id) => this.eventKey(id))));
    for (const [i, stored] of events.entries())
      if (stored) await send(ids[i]!, (JSON.parse(stored) as { message: JsonRpcMessage }).message);
    return streamId;
  }

  async forgetStreams(prefix: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.streamKey(globEscape(prefix))}*`,
        'COUNT',
        200,
      );
      cursor = next;
      for (const key of keys) {
        const ids = await this.redis.lrange(key, 0, -1);
        await this.redis.del(key, ...ids.map((id) => this.eventKey(id)));
      }
    } while (cursor !== '0');
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private eventKey(id: string): string {
    return `${this.prefix}event:${id}`;
  }

  private streamKey(streamId: string): string {
    return `${this.prefix}stream:${streamId}`;
  }
}

/** `text` matched literally by a Redis glob. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
