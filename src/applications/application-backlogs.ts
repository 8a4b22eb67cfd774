import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { REDIS, RedisKeys } from '../common/redis/redis-client';

/** An application counts as having deliveries coming for this long after its last were queued. */
export const BACKLOG_WINDOW_MS = 10_000;
/** How often a worker reads how many applications have deliveries coming; between reads it uses the last count. */
const COUNT_EVERY_MS = 500;

/**
 * Which applications have deliveries coming, across every process (Redis: a sorted set of application → when its
 * deliveries were last queued). The ingress and the replays announce; each worker counts, so that while several
 * applications have work one of them does not take every delivery slot (ApplicationShare). Announcing never fails
 * or delays its caller; without Redis the count stays at its last value (1 at first: no share applies).
 */
@Injectable()
export class ApplicationBacklogs {
  private readonly logger = new Logger(ApplicationBacklogs.name);
  private count = 1;
  private countedAt = 0;
  private counting = false;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Deliveries of these applications were just queued. */
  announce(applicationIds: Iterable<string>): void {
    const now = Date.now();
    const members = [...new Set(applicationIds)].flatMap((id) => [now, id]);
    if (!members.length) return;
    this.redis.zadd(this.key(), ...members).catch((error: Error) => {
      this.logger.debug(`application backlogs not announced: ${error.message}`);
    });
  }

  /** How many applications had deliveries queued within the window, as last counted (at least 1). */
  applicationsWithWork(): number {
    if (!this.counting && Date.now() - this.countedAt >= COUNT_EVERY_MS) void this.recount();
    return this.count;
  }

  private async recount(): Promise<void> {
    this.counting = true;
    const since = Date.now() - BACKLOG_WINDOW_MS;
    try {
      const results = await this.redis
        .pipeline()
        .zremrangebyscore(this.key(), '-inf', `(${since}`)
        .zcard(this.key())
        .exec();
      const counted = Number(results?.[1]?.[1] ?? 1);
      this.count = Math.max(1, counted);
    } catch {
      // Kept as last counted: Redis is down, and so are the deliveries' jobs.
    } finally {
      this.countedAt = Date.now();
      this.counting = false;
    }
  }

  private key(): string {
    return this.keys.key('application-backlogs');
  }
}
