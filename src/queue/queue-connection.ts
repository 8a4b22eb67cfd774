import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, RedisOptions } from 'ioredis';
import { createClusterClient, redisConnectionOptions } from '../common/redis/redis-options';
import { AppConfig, RedisSettings } from '../config/app-config';

/**
 * The Redis of BullMQ's queues and workers. For one server (or Sentinel) it is options, and BullMQ makes and closes
 * its connections. For a Redis Cluster it is one cluster client, which the queues share and from which each worker
 * duplicates its blocking connection; BullMQ never closes a client it was given, so this closes it at shutdown.
 */
@Injectable()
export class QueueConnection implements OnApplicationShutdown {
  readonly connection: RedisOptions | Cluster;
  private readonly cluster?: Cluster;

  constructor(config: AppConfig) {
    // BullMQ's workers block on Redis: no per-request retry limit (its own requirement).
    if (config.redis.cluster) {
      this.cluster = createClusterClient(config.redis, { maxRetriesPerRequest: null });
      this.connection = this.cluster;
    } else {
      this.connection = { ...redisConnectionOptions(config.redis), maxRetriesPerRequest: null };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
  }
}

/**
 * The key prefix of one queue. In a Redis Cluster every key a BullMQ script touches must share a slot: each queue's
 * keys get a hash tag of their own (`hookgate:{delivery}:delivery:…`), so the queues spread over the primaries.
 * A prefix that carries its own tag (`{hookgate}`) keeps every queue in that one slot.
 */
export function queuePrefix(settings: Pick<RedisSettings, 'prefix' | 'cluster'>, queue: string): string {
  return settings.cluster && !settings.prefix.includes('{') ? `${settings.prefix}:{${queue}}` : settings.prefix;
}

@Module({ providers: [QueueConnection], exports: [QueueConnection] })
export class QueueConnectionModule {}
