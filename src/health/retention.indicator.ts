import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../common/async/with-timeout';
import { JobQueue } from '../queue/job-queue.service';
import { QueueName } from '../queue/queue-names';
import type { RetentionRun } from '../retention/retention.types';
import { ReadinessService } from './readiness.service';

const LOOKUP_TIMEOUT_MS = 2_000;

/**
 * The last retention run's figures (time, rows purged by kind, duration) in readiness details, for every role: the
 * run's BullMQ job keeps them as its return value. Informative only: retention never makes a process unready.
 */
@Injectable()
export class RetentionHealthIndicator implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.readiness.addCheck(() => this.lastRun());
  }

  private async lastRun() {
    const indicator = this.indicators.check('retention');
    try {
      // Bounded like every readiness check: with Redis down, BullMQ would wait for it indefinitely.
      const [latest] = await withTimeout(
        this.jobs.queue(QueueName.Retention).getJobs(['completed'], 0, 0, false),
        LOOKUP_TIMEOUT_MS,
        `BullMQ did not answer within ${LOOKUP_TIMEOUT_MS} ms`,
      );
      return indicator.up({ lastRun: (latest?.returnvalue as RetentionRun | undefined) ?? null });
    } catch (error) {
      return indicator.up({ lastRun: null, message: (error as Error).message });
    }
  }
}
