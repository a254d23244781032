import type { Redis, RedisOptions } from 'ioredis';
import type { BackendCatalog, CatalogSnapshots } from '@mcp-gateway/core';
import { Breaker } from './internal/breaker';
import { connectRedis } from './internal/connect';

/**
 * {@link CatalogSnapshots} in Redis: one key per backend and settings fingerprint (`mcpgw:catalog:<backend>:<fp>`),
 * kept `ttlSeconds` after its last write (a day by default), so that a replica starting afresh in a fleet knows the
 * tools the others learned without starting every backend. A snapshot larger than `maxBytes` is not shared.
 *
 * @example const catalogs = RedisCatalogSnapshots.connect('redis://127.0.0.1:6379'); new Supervisor({ backends, sharedCatalog: catalogs })
 */
export class RedisCatalogSnapshots implements CatalogSnapshots {
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly maxBytes: number;
  private readonly breaker = new Breaker();

  constructor(
    private readonly redis: Redis,
    options: { prefix?: string; ttlSeconds?: number; maxBytes?: number } = {},
  ) {
    this.prefix = options.prefix ?? 'mcpgw:';
    this.ttl = options.ttlSeconds ?? 86_400;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  static connect(
    url: string,
    options: { prefix?: string; ttlSeconds?: number; maxBytes?: number } = {},
    redis: RedisOptions = {},
  ): RedisCatalogSnapshots {
    // Commands wait while the connection is being made (a replica reads snapshots as it starts): they are rare,
    // and each waits at most the command timeout, so the queue stays short.
    return new RedisCatalogSnapshots(connectRedis(url, { enableOfflineQueue: true, ...redis }), options);
  }

  async read(backend: string, fingerprint: string): Promise<BackendCatalog | undefined> {
    const stored = await this.breaker.run(() => this.redis.get(this.key(backend, fingerprint)));
    return stored ? (JSON.parse(stored) as BackendCatalog) : undefined;
  }

  async write(backend: string, fingerprint: string, catalog: BackendCatalog): Promise<void> {
    const text = JSON.stringify(catalog);
    if (Buffer.byteLength(text) > this.maxBytes) return;
    await this.breaker.run(() => this.redis.set(this.key(backend, fingerprint), text, 'EX', this.ttl));
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(backend: string, fingerprint: string): string {
    return `${this.prefix}catalog:${backend}:${fingerprint}`;
  }
}
