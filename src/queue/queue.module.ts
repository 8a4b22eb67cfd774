import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobQueue } from './job-queue.service';
import { QueueName } from './queue-names';
import { redisOptionsFromUrl } from './redis-options';

const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueueAsync({
    name,
    inject: [AppConfig],
    // Producers fail fast while Redis is down (the outbox relay re-enqueues later) instead of holding the request.
    useFactory: (config: AppConfig) => ({
      connection: { ...redisOptionsFromUrl(config.redis.url), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 },
    }),
  }),
);

/** BullMQ wiring shared by both roles: the queues (producers) and the typed JobQueue. Processors live in their feature modules, worker role only. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: config.redis.prefix,
        connection: { ...redisOptionsFromUrl(config.redis.url), maxRetriesPerRequest: null },
      }),
    }),
    ...queues,
  ],
  providers: [JobQueue],
  exports: [JobQueue, BullModule],
})
export class QueueModule {}
