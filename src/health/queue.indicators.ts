import { withTimeout } from '../common/async/with-timeout';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { EventStoreRepository } from '../events/event-store.repository';
import { JobQueue } from '../queue/job-queue.service';
import { QueueName } from '../queue/queue-names';
import { ReadinessService } from './readiness.service';

const ROUND_TRIP_TIMEOUT_MS = 2_000;

/**
 * Readiness beyond "Redis answers PING": BullMQ itself answers (a job-count round trip on the processing queue),
 * and accepted webhooks are not piling up in the outbox (the oldest pending row is younger than the threshold).
 */
@Injectable()
export class QueueHealthIndicators implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly indicators: HealthIndicatorService,
    private readonly jobs: JobQueue,
    private readonly store: EventStoreRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.readiness.addCheck(() => this.queueRoundTrip());
    this.readiness.addCheck(() => this.outboxAge());
  }

  private async queueRoundTrip() {
    const indicator = this.indicators.check('queue');
    try {
      const counts = await withTimeout(
        this.jobs.queue(QueueName.Processing).getJobCounts('waiting', 'active', 'delayed'),
        ROUND_TRIP_TIMEOUT_MS,
        `BullMQ did not answer within ${ROUND_TRIP_TIMEOUT_MS} ms`,
      );
      return indicator.up({ processingBacklog: (counts.waiting ?? 0) + (counts.delayed ?? 0) });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async outboxAge() {
    const indicator = this.indicators.check('outbox');
    try {
      const { count, oldestAgeSeconds } = await this.store.handOffBacklog();
      const limit = this.config.health.outboxMaxAgeSeconds;
      return oldestAgeSeconds > limit
        ? indicator.down({ pending: count, oldestAgeSeconds, limitSeconds: limit })
        : indicator.up({ pending: count, oldestAgeSeconds });
    } catch (error) {
      return indicator.down({ message: (error as Error).message.split('\n')[0] });
    }
  }
}
