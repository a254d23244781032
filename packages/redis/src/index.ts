// Public API of @mcp-gateway/redis: state that gateway replicas share through Redis.
export { RedisEventStore } from './redis-event-store';
export type { RedisEventStoreOptions } from './redis-event-store';
export { RedisReplicaBus } from './redis-replica-bus';
export { RedisRateBuckets } from './redis-rate-buckets';
export { RedisCatalogSnapshots } from './redis-catalog-snapshots';
