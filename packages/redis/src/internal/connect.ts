import { Redis, type RedisOptions } from 'ioredis';

/**
 * How long a command may go unanswered (a Redis round trip takes about a millisecond): past it the command fails,
 * as when Redis is down, instead of holding up the request that needs it.
 */
export const COMMAND_TIMEOUT_MS = 1000;

/**
 * A connection to `url` (`redis://[:password@]host:port/db`, `rediss://` for TLS) that fails fast while Redis is
 * away (no offline queue builds up) or does not answer within {@link COMMAND_TIMEOUT_MS}, and reconnects by itself
 * when it is back.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
  client.on('error', () => {}); // every command says why it failed; the socket's errors need no extra log
  return client;
}
