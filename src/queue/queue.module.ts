import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobQueue } from './job-queue.service';
import { QueueName } from './queue-names';
import { redisConnectionOptions } from '../common/redis/redis-options';
import { WorkerRunner } from './worker-runner';

// Queues share the root connection options: workers need BullMQ's own settings (no per-request retry limit,
// offline queue on). Producers fail fast through JobQueue instead (see job-queue.service.ts).
const queues = Object.values(QueueName).map((name) => BullModule.registerQueue({ name }));

/**
 * BullMQ wiring shared by both roles: the queues (producers) and the typed JobQueue. Processors live in their
 * feature modules, worker role only.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        prefix: config.redis.prefix,
        connection: { ...redisConnectionOptions(config.redis), maxRetriesPerRequest: null },
        // BullMQ's per-queue event stream, trimmed to about this many entries (its default is 10,000).
        streams: { events: { maxLen: 1_000 } },
      }),
    }),
    ...queues,
  ],
  providers: [JobQueue, WorkerRunner],
  exports: [JobQueue, WorkerRunner, BullModule],
})
export class QueueModule {}
