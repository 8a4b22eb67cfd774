import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventQueryRepository } from '../events/event-query.repository';
import { EventStoreRepository } from '../events/event-store.repository';
import { JobQueue } from '../queue/job-queue.service';
import { ReplayRepository } from '../replay/replay.repository';
import { MetricsService } from './metrics/metrics.service';

const STORED_STATE_TTL_MS = 30_000;
const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/** Fills the queue and outbox gauges at scrape time from BullMQ and PostgreSQL. */
@Injectable()
export class QueueMetricsCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly jobs: JobQueue,
    private readonly store: EventStoreRepository,
    private readonly events: EventQueryRepository,
    private readonly replays: ReplayRepository,
  ) {}

  private storedStateAt = 0;

  onModuleInit(): void {
    this.metrics.onCollect(() => this.collectQueues());
    this.metrics.onCollect(async () => this.metrics.outboxBacklog.set((await this.store.handOffBacklog()).count));
    this.metrics.onCollect(() => this.collectStoredState());
  }

  /** Counting events scans a large table: done at most every STORED_STATE_TTL_MS whatever the scrape rate. */
  private async collectStoredState(): Promise<void> {
    if (Date.now() - this.storedStateAt < STORED_STATE_TTL_MS) return;
    this.storedStateAt = Date.now();
    const byStatus = await this.events.countByStatus();
    this.metrics.eventsByStatus.reset();
    for (const { status, count } of byStatus) this.metrics.eventsByStatus.set({ status }, count);
    const replays = await this.replays.activeTotals();
    this.metrics.replaysActive.set({ measure: 'requests' }, replays.requests);
    this.metrics.replaysActive.set({ measure: 'enqueued' }, replays.enqueued);
    this.metrics.replaysActive.set({ measure: 'completed' }, replays.completed);
  }

  private async collectQueues(): Promise<void> {
    await Promise.all(
      this.jobs.allQueues().map(async (queue) => {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
        const [oldest] = await queue.getJobs(['waiting'], -1, -1, true);
        this.metrics.queueOldestWaiting.set(
          { queue: queue.name },
          oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0,
        );
      }),
    );
  }
}
