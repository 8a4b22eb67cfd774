import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { REDIS, RedisKeys } from '../common/redis/redis.module';
import { IngressRejection } from '../providers/ingress-rejection';

const WINDOW_MS = 60_000;

/**
 * Per-integration limit (`rateLimitPerMinute`), counted in Redis by @nestjs/throttler's Redis storage so every api
 * process shares one budget. Fails open: while Redis is unreachable webhooks are not refused for it.
 */
@Injectable()
export class WebhookRateLimiter {
  private readonly logger = new Logger(WebhookRateLimiter.name);
  private readonly storage: ThrottlerStorageRedisService;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.storage = new ThrottlerStorageRedisService(redis);
  }

  async check(integrationId: string, limitPerMinute: number | null): Promise<void> {
    if (!limitPerMinute) return;
    let record;
    try {
      record = await this.storage.increment(this.keys.key('ratelimit', integrationId), WINDOW_MS, limitPerMinute, WINDOW_MS, 'webhooks');
    } catch (error) {
      this.logger.warn(`rate limit not checked (Redis unavailable): ${(error as Error).message}`);
      return;
    }
    if (record.isBlocked) {
      throw new IngressRejection('rate_limited', `Rate limit of ${limitPerMinute} webhooks per minute exceeded`, record.timeToBlockExpire || record.timeToExpire);
    }
  }
}
