import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { REDIS, RedisKeys } from '../common/redis/redis-client';

/** An application counts as having deliveries coming for this long after its last were queued or worked on. */
export const BACKLOG_WINDOW_MS = 10_000;
/** How often a worker reads how many applications have deliveries coming; between reads it uses the last count. */
const COUNT_EVERY_MS = 500;

/** Redis's own clock, the same for every process (hosts' clocks may differ by more than the window). */
const NOW = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/** KEYS: the sorted set. ARGV: application ids. Marks each as having work now. */
const ANNOUNCE = `${NOW}
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
return #ARGV`;

/** KEYS: the sorted set. ARGV: the window in ms, then application ids to mark first. Returns how many have work. */
const COUNT = `${NOW}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))
return redis.call('ZCARD', KEYS[1])`;

interface BacklogCommands {
  applicationsAnnounce(key: string, ...applicationIds: string[]): Promise<number>;
  applicationsCount(key: string, windowMs: number, ...applicationIds: string[]): Promise<number>;
}

/**
 * Which applications have deliveries coming, across every process (Redis: a sorted set of application → when it last
 * had work, by Redis's clock). The ingress and the replays announce what they queue; each worker notes the
 * applications whose jobs it takes (a backlog queued long ago still counts while it is worked on) and counts them,
 * so that while several applications have work one of them does not take every delivery slot (ApplicationShare).
 * Announcing never fails or delays its caller; without Redis the count stays at its last value (1 at first: no
 * share applies).
 */
@Injectable()
export class ApplicationBacklogs {
  private readonly logger = new Logger(ApplicationBacklogs.name);
  private readonly redis: RedisClient & BacklogCommands;
  private readonly working = new Set<string>();
  private count = 1;
  private countedAt = 0;
  private counting = false;

  constructor(
    @Inject(REDIS) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('applicationsAnnounce', { numberOfKeys: 1, lua: ANNOUNCE });
    redis.defineCommand('applicationsCount', { numberOfKeys: 1, lua: COUNT });
    this.redis = redis as RedisClient & BacklogCommands;
  }

  /** Deliveries of these applications were just queued. */
  announce(applicationIds: Iterable<string>): void {
    const ids = [...new Set(applicationIds)];
    if (!ids.length) return;
    this.redis.applicationsAnnounce(this.key(), ...ids).catch((error: Error) => {
      this.logger.debug(`application backlogs not announced: ${error.message}`);
    });
  }

  /** A job of this application is being worked on here; told to Redis with the next count. */
  noteWorking(applicationId: string): void {
    this.working.add(applicationId);
  }

  /** How many applications had deliveries queued or worked on within the window, as last counted (at least 1). */
  applicationsWithWork(): number {
    if (!this.counting && Date.now() - this.countedAt >= COUNT_EVERY_MS) void this.recount();
    return this.count;
  }

  private async recount(): Promise<void> {
    this.counting = true;
    const working = [...this.working];
    this.working.clear();
    try {
      this.count = Math.max(1, await this.redis.applicationsCount(this.key(), BACKLOG_WINDOW_MS, ...working));
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
