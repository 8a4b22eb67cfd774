import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../common/redis/redis-options';
import { REDIS, RedisKeys } from '../common/redis/redis-client';
import { AppConfig } from '../config/app-config';
import { OperationalEvents } from '../events/operational-events.service';

/**
 * `hookgate.delivery.dead_lettered` (§6.6): at most one per endpoint per OPERATIONAL_DEAD_LETTER_WINDOW, with the
 * count. Every worker counts its dead letters in Redis under the endpoint's current window; the one whose count
 * opened the window emits the total when the window ends (at once when it shuts down).
 */
@Injectable()
export class DeadLetterNotices implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadLetterNotices.name);
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; flush: () => Promise<void> }>();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
    private readonly operational: OperationalEvents,
  ) {}

  /** Counts one dead letter of the endpoint; never fails the caller. */
  async count(endpointId: string): Promise<void> {
    const windowMs = this.config.operationalEvents.deadLetterWindowMs;
    const windowStart = Math.floor(Date.now() / windowMs) * windowMs;
    const key = this.keys.key('dead-letter-notices', endpointId, String(windowStart));
    try {
      if ((await this.redis.incr(key)) !== 1) return;
      await this.redis.pexpire(key, windowMs * 10);
    } catch (error) {
      this.logger.warn({
        message: 'dead letter not counted for its notice',
        endpointId,
        error: (error as Error).message,
      });
      return;
    }
    // Runs from a timer: a failure (Redis or PostgreSQL down at that moment) is logged here, never left unhandled.
    const flush = async () => {
      this.pending.delete(key);
      try {
        const count = Number(await this.redis.getdel(key));
        if (count > 0) {
          await this.operational.emit('hookgate.delivery.dead_lettered', {
            endpointId,
            count,
            windowStart: new Date(windowStart).toISOString(),
            windowEnd: new Date(windowStart + windowMs).toISOString(),
          });
        }
      } catch (error) {
        this.logger.warn({
          message: 'dead-letter notice not sent',
          endpointId,
          windowStart: new Date(windowStart).toISOString(),
          error: (error as Error).message,
        });
      }
    };
    const timer = setTimeout(() => void flush(), windowStart + windowMs - Date.now());
    this.pending.set(key, { timer, flush });
  }

  /** Before the last phase, which closes the database pools and Redis that sending a notice needs. */
  async beforeApplicationShutdown(): Promise<void> {
    const pending = [...this.pending.values()];
    pending.forEach(({ timer }) => clearTimeout(timer));
    await Promise.all(pending.map(({ flush }) => flush()));
  }
}
