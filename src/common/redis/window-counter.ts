import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-options';
import { REDIS, RedisKeys } from './redis-client';

/** Where a counter stands: over its limit or not, and when its window ends. */
export interface WindowCount {
  blocked: boolean;
  retryAfterSeconds: number;
}

const OPEN: WindowCount = { blocked: false, retryAfterSeconds: 0 };
/** Counters this process remembers as over their limit (one per abusive address); the oldest go first. */
const MAX_REMEMBERED = 10_000;

/**
 * The one fixed-window limiter of Hookgate (an integration's rate limit, a key's request budget, failed
 * authentications and refused webhooks per address), counted in Redis by @nestjs/throttler's Redis storage so every
 * process shares it. A counter found over its limit is also remembered here until its window ends, so `check()`
 * costs no round trip: limits on bad behaviour touch Redis only for the bad requests. Fails open while Redis is
 * unreachable.
 */
@Injectable()
export class WindowCounter {
  private readonly blockedUntil = new Map<string, number>();
  private readonly storage: ThrottlerStorageRedisService;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    // Its keys carry their own hash tag, so a Redis Cluster client serves as well as a single server's.
    this.storage =
      redis instanceof Cluster ? new ThrottlerStorageRedisService(redis) : new ThrottlerStorageRedisService(redis);
  }

  /** Counts one more in `name`'s current window; blocked once the count is over `limit`. */
  async hit(name: string[], limit: number, windowMs: number): Promise<WindowCount> {
    const key = this.keys.key('window', ...name);
    let record;
    try {
      record = await this.storage.increment(key, windowMs, limit, windowMs, 'window');
    } catch {
      return OPEN;
    }
    if (!record.isBlocked) return OPEN;
    const retryAfterSeconds = Math.max(1, record.timeToBlockExpire || record.timeToExpire);
    this.blockedUntil.delete(key);
    this.blockedUntil.set(key, Date.now() + retryAfterSeconds * 1000);
    if (this.blockedUntil.size > MAX_REMEMBERED) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    return { blocked: true, retryAfterSeconds };
  }

  /** Whether `name` was found over its limit in a window that has not ended (no Redis round trip). */
  check(name: string[]): WindowCount {
    const key = this.keys.key('window', ...name);
    const until = this.blockedUntil.get(key);
    if (until === undefined) return OPEN;
    const remaining = until - Date.now();
    if (remaining <= 0) {
      this.blockedUntil.delete(key);
      return OPEN;
    }
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(remaining / 1000)) };
  }
}
