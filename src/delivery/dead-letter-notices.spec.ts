import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisKeys } from '../common/redis/redis-client';
import { AppConfig } from '../config/app-config';
import { OperationalEvents } from '../events/operational-events.service';
import { DeadLetterNotices } from './dead-letter-notices';

/** Against the suite's Redis; only the emitter is a stand-in (for a PostgreSQL that is down when the window ends). */
describe('DeadLetterNotices', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  const config = {
    redis: { prefix: `hgtest-notices-${randomBytes(4).toString('hex')}` },
    operationalEvents: { deadLetterWindowMs: 60_000 },
  } as AppConfig;

  afterAll(() => redis.quit());

  it('counts a window into one notice, and a notice that cannot be emitted is logged, never thrown', async () => {
    const emit = jest.fn().mockRejectedValue(new Error('database down'));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const notices = new DeadLetterNotices(redis, new RedisKeys(config), config, {
      emit,
    } as unknown as OperationalEvents);

    await notices.count('endpoint-1');
    await notices.count('endpoint-1');
    await expect(notices.beforeApplicationShutdown()).resolves.toBeUndefined();

    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith(
      'hookgate.delivery.dead_lettered',
      expect.objectContaining({ endpointId: 'endpoint-1', count: 2 }),
    );
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'dead-letter notice not sent', error: 'database down' }),
    );
    warn.mockRestore();
  });
});
