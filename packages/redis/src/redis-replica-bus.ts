import type { Redis } from 'ioredis';
import type { ReplicaBus } from '@mcp-gateway/core';
import { Breaker } from './internal/breaker';
import { connectRedis } from './internal/connect';

/**
 * A {@link ReplicaBus} over Redis pub/sub: each replica listens on its own channel (`mcpgw:bus:r1`). Nothing is
 * stored, so nothing needs a TTL; a message sent while its replica is away is lost, and `send` says so (0
 * received). Replica names must be unique in the fleet.
 *
 * @example const bus = RedisReplicaBus.connect('redis://127.0.0.1:6379', { replica: 'r1' }); createGatewayApp({ ..., replica: 'r1', bus })
 */
export class RedisReplicaBus implements ReplicaBus {
  private readonly handlers = new Set<(message: unknown) => void>();
  private readonly prefix: string;
  private readonly breaker = new Breaker();

  constructor(
    private readonly publisher: Redis,
    /** A connection of its own: one that subscribes can do nothing else. */
    private readonly subscriber: Redis,
    options: { replica: string; prefix?: string },
  ) {
    this.prefix = options.prefix ?? 'mcpgw:';
    const mine = this.channel(options.replica);
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== mine) return;
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return; // not one of ours
      }
      for (const handler of this.handlers) handler(message);
    });
    void subscriber.subscribe(mine).catch(() => {}); // queued until Redis is there; ioredis resubscribes after a reconnect
  }

  /** Connects twice to `url` (to send and to listen); the listening side waits for Redis while it is away. */
  static connect(url: string, options: { replica: string; prefix?: string }): RedisReplicaBus {
    // It waits as long as it takes: a subscribed connection only listens, and resubscribes after a reconnect.
    const subscriber = connectRedis(url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    return new RedisReplicaBus(connectRedis(url), subscriber, options);
  }

  send(replica: string, message: unknown): Promise<number> {
    return this.breaker.run(() => this.publisher.publish(this.channel(replica), JSON.stringify(message)));
  }

  receive(handler: (message: unknown) => void): () => void {
    this.handlers.add(handler);
    return () => void this.handlers.delete(handler);
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.all(
      [this.publisher, this.subscriber].map((redis) => redis.quit().catch(() => redis.disconnect())),
    );
  }

  private channel(replica: string): string {
    return `${this.prefix}bus:${replica}`;
  }
}
