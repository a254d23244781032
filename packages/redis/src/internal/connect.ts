import { Redis, type RedisOptions } from 'ioredis';

/**
 * A connection to `url` (`redis://[:password@]host:port/db`, `rediss://` for TLS) that fails fast while Redis is
 * away (no offline queue builds up) and reconnects by itself when it is back.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
  client.on('error', () => {}); // every command says why it failed; the socket's errors need no extra log
  return client;
}
