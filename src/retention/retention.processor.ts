import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { settleFinalFailure } from '../queue/final-failure';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';
import { RetentionService } from './retention.service';
import { RetentionRun } from './retention.types';

const RETENTION_SCHEDULER_ID = 'retention';

/**
 * The retention job, every RETENTION_INTERVAL through a BullMQ job scheduler (one scheduler id, so one schedule
 * however many workers upsert it). One run at a time across every worker: the retention queue's global concurrency
 * is 1, so a run longer than the interval delays the next one instead of overlapping it. (Two runs at once would
 * still be correct, each batch skips rows another holds, but would double the load.)
 */
@Processor(QueueName.Retention, IDLE_WORKER)
@Injectable()
export class RetentionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly retention: RetentionService,
    @InjectQueue(QueueName.Retention) private readonly queue: Queue,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Not awaited: BullMQ's commands wait for Redis, and a Redis down at boot must not hold the process's start.
    void this.startWhenRedisAnswers();
  }

  /** The global concurrency is set before this worker takes a job; both it and the scheduler live in Redis. */
  private async startWhenRedisAnswers(): Promise<void> {
    await this.queue
      .setGlobalConcurrency(1)
      .catch((error: Error) => this.logger.warn(`retention concurrency not set yet: ${error.message}`));
    this.runner.start(this.worker);
    await this.runner.schedule(
      this.queue,
      RETENTION_SCHEDULER_ID,
      this.config.retention.intervalMs,
      JobName.PurgeExpired,
    );
  }

  /** Nothing to record: the next scheduled run purges what this one left. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): Promise<void> {
    return settleFinalFailure(this.logger, job, error, async () => undefined);
  }

  process(): Promise<RetentionRun> {
    return this.retention.run(() => !this.worker.closing);
  }
}
