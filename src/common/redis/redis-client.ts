import { Injectable } from '@nestjs/common';
import IORedis, { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { redisConnectionOptions } from './redis-options';

export const REDIS = Symbol('REDIS');

/**
 * The app's own Redis connection (dedup markers, rate limits, health). Commands fail fast instead of queueing
 * while Redis is down: callers fall back (PostgreSQL decides duplicates) rather than hang a request.
 */
export function createRedis(config: AppConfig): Redis {
  const client = new IORedis({
    ...redisConnectionOptions(config.redis),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
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
}
