import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from './redis-options';
import { AppConfig } from '../../config/app-config';
import { ChangeFeed } from './change-feed';
import { createRedis, REDIS, RedisKeys } from './redis-client';
import { WindowCounter } from './window-counter';

export { createRedis, REDIS, RedisKeys };

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

@Global()
@Module({
  providers: [
    { provide: REDIS, inject: [AppConfig], useFactory: createRedis },
    RedisKeys,
    RedisCloser,
    ChangeFeed,
    WindowCounter,
  ],
  exports: [REDIS, RedisKeys, ChangeFeed, WindowCounter],
})
export class RedisModule {}
