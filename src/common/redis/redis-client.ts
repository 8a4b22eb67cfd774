import { Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { createClusterClient, RedisClient, redisConnectionOptions } from './redis-options';

export const REDIS = Symbol('REDIS');

/** Per command, and on the way to a server: the app's own client fails fast rather than queue. */
const FAIL_FAST = { maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 1_000 } as const;
const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);

/**
 * The app's own Redis connection (dedup markers, rate limits, health). Commands fail fast instead of queueing
 * while Redis is down: callers fall back (PostgreSQL decides duplicates) rather than hang a request.
 */
export function createRedis(config: AppConfig): RedisClient {
  const client = config.redis.cluster
    ? createClusterClient(config.redis, FAIL_FAST, { enableOfflineQueue: false, clusterRetryStrategy: retryStrategy })
    : new IORedis({
        ...redisConnectionOptions(config.redis),
        ...FAIL_FAST,
        enableOfflineQueue: false,
        lazyConnect: false,
        retryStrategy,
      });
  // Outages surface through failed commands and the readiness check; without a listener ioredis prints each
  // reconnect error to stderr as an "unhandled error event".
  client.on('error', () => undefined);
  return client;
}

/** Redis keys of this deployment, all under HOOKGATE_REDIS_PREFIX. */
@Injectable()
export class RedisKeys {
  constructor(private readonly config: AppConfig) {}

  key(...parts: string[]): string {
    return [this.config.redis.prefix, ...parts].join(':');
  }

  /**
   * A key of `group`, whose keys one script uses together: in a Redis Cluster they share the hash tag `{group}`, so
   * they live in one slot (a script may only touch one); on one server the key is `key(group, ...parts)`.
   */
  grouped(group: string, ...parts: string[]): string {
    return this.key(this.config.redis.cluster ? `{${group}}` : group, ...parts);
  }
}
