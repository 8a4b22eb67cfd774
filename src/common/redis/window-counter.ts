import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
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
 * Fixed-window counters of bad behaviour (failed authentications, refused webhooks), counted in Redis so every
 * process shares them. Only the bad requests touch Redis: a counter found over its limit is remembered here until
 * its window ends, so checking a good request costs nothing. They fail open while Redis is unreachable.
 */
@Injectable()
export class WindowCounter {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Counts one more in `name`'s current window; blocked once the count is over `limit`. */
  async hit(name: string[], limit: number, windowMs: number): Promise<WindowCount> {
    const key = this.keys.key('window', ...name);
    let count: number;
    let ttlMs: number;
    try {
      const replies = (await this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec()) as [Error | null, number][];
      [count, ttlMs] = [Number(replies[0][1]), Number(replies[2][1])];
    } catch {
      return OPEN;
    }
    if (count <= limit) return OPEN;
    this.blockedUntil.delete(key);
    this.blockedUntil.set(key, Date.now() + ttlMs);
    if (this.blockedUntil.size > MAX_REMEMBERED) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
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
