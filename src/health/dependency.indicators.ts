import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { RedisClient } from '../common/redis/redis-options';
import { withTimeout } from '../common/async/with-timeout';
import { DatabaseProbe } from '../common/database/database-probe';
import { REDIS } from '../common/redis/redis.module';

const CHECK_TIMEOUT_MS = 2_000;

const answerWithin = <T>(work: Promise<T>, what: string) =>
  withTimeout(work, CHECK_TIMEOUT_MS, `${what} did not answer within ${CHECK_TIMEOUT_MS} ms`);

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly database: DatabaseProbe,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'database') {
    const indicator = this.indicators.check(key);
    try {
      await answerWithin(this.database.ping(), 'PostgreSQL');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message.split('\n')[0] });
    }
  }
}

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    try {
      await answerWithin(this.pingWhenConnected(), 'Redis');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /** Commands fail fast while disconnected; a connection still being (re)established gets the check's time. */
  private async pingWhenConnected(): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Redis is ${this.redis.status}`)), CHECK_TIMEOUT_MS - 100);
        this.redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await this.redis.ping();
  }
}
