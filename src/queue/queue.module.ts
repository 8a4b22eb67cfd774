import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobQueue } from './job-queue.service';
import { QueueConnection, QueueConnectionModule, queuePrefix } from './queue-connection';
import { QueueName } from './queue-names';
import { WorkerRunner } from './worker-runner';

// Queues share the root connection options: workers need BullMQ's own settings (no per-request retry limit,
// offline queue on). Producers fail fast through JobQueue instead (see job-queue.service.ts). A queue's processor
// takes the queue's options, its prefix included.
const queues = Object.values(QueueName).map((name) =>
  BullModule.registerQueueAsync({
    name,
    inject: [AppConfig],
    useFactory: (config: AppConfig) => ({ prefix: queuePrefix(config.redis, name) }),
  }),
);

/**
 * BullMQ wiring shared by both roles: the queues (producers) and the typed JobQueue. Processors live in their
 * feature modules, worker role only.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [QueueConnectionModule],
      inject: [AppConfig, QueueConnection],
      useFactory: (config: AppConfig, queueConnection: QueueConnection) => ({
        prefix: config.redis.prefix,
        connection: queueConnection.connection,
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
