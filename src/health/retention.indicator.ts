import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../common/async/with-timeout';
import { JobQueue } from '../queue/job-queue.service';
import { QueueName } from '../queue/queue-names';
import type { RetentionRun } from '../retention/retention.types';
import { ReadinessService } from './readiness.service';

const LOOKUP_TIMEOUT_MS = 1_000;

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
      const latest = await withTimeout(
        this.latestRun(),
        LOOKUP_TIMEOUT_MS,
        `BullMQ did not answer within ${LOOKUP_TIMEOUT_MS} ms`,
      );
      return indicator.up({ lastRun: latest });
    } catch (error) {
      return indicator.up({ lastRun: null, message: (error as Error).message });
    }
  }

  /** BullMQ's connection queues commands while Redis is down: asked only when connected, so readiness never waits on it. */
  private async latestRun(): Promise<RetentionRun | null> {
    const queue = this.jobs.queue(QueueName.Retention);
    const client = await queue.client;
    if (client.status !== 'ready') throw new Error(`Redis is ${client.status}`);
    const [latest] = await queue.getJobs(['completed'], 0, 0, false);
    return (latest?.returnvalue as RetentionRun | undefined) ?? null;
  }
}
