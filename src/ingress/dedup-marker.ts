import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS, RedisKeys } from '../common/redis/redis.module';

const MARKER_TTL_SECONDS = 24 * 3600;

/**
 * The fast half of deduplication: a Redis `SET NX` marker per (integration, idempotency key). It only decides
 * whether to look for an existing event first; PostgreSQL's unique index stays the truth, and with Redis down
 * the marker is skipped.
 */
@Injectable()
export class DedupMarker {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** True when this key was seen before (marker present); false when the marker was set now or Redis is down. */
  async seenBefore(integrationId: string, idempotencyKey: string, eventId: string): Promise<boolean> {
    try {
      const set = await this.redis.set(this.key(integrationId, idempotencyKey), eventId, 'EX', MARKER_TTL_SECONDS, 'NX');
      return set === null;
    } catch {
      return false;
    }
  }

  /** Removes a marker whose event was never committed, so a retry is not sent down the duplicate path. */
  async forget(integrationId: string, idempotencyKey: string): Promise<void> {
    await this.redis.del(this.key(integrationId, idempotencyKey)).catch(() => undefined);
  }

  private key(integrationId: string, idempotencyKey: string): string {
    return this.keys.key('dedup', integrationId, createHash('sha256').update(idempotencyKey).digest('hex'));
  }
}
