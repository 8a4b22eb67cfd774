import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventStoreRepository } from '../events/event-store.repository';
import { JobQueue } from '../queue/job-queue.service';
import { MetricsService } from './metrics/metrics.service';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/** Fills the queue and outbox gauges at scrape time from BullMQ and PostgreSQL. */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly jobs: JobQueue,
    private readonly store: EventStoreRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.onCollect(() => this.collectQueues());
    this.metrics.onCollect(async () => this.metrics.outboxBacklog.set((await this.store.outboxBacklog()).count));
  }

  private async collectQueues(): Promise<void> {
    await Promise.all(
      this.jobs.allQueues().map(async (queue) => {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
        const [oldest] = await queue.getJobs(['waiting'], -1, -1, true);
        this.metrics.queueOldestWaiting.set({ queue: queue.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
      }),
    );
  }
}
