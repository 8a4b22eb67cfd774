import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { EventStoreRepository } from '../events/event-store.repository';
import { JobQueue } from '../queue/job-queue.service';
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
    private readonly prisma: PrismaService,
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
    const byStatus = await this.prisma.event.groupBy({ by: ['status'], _count: { _all: true } });
    this.metrics.eventsByStatus.reset();
    for (const row of byStatus) this.metrics.eventsByStatus.set({ status: row.status }, row._count._all);
    const replays = await this.prisma.replayRequest.aggregate({ where: { status: { in: ['pending', 'running'] } }, _count: { _all: true }, _sum: { enqueued: true, completed: true } });
    this.metrics.replaysActive.set({ measure: 'requests' }, replays._count._all);
    this.metrics.replaysActive.set({ measure: 'enqueued' }, replays._sum.enqueued ?? 0);
    this.metrics.replaysActive.set({ measure: 'completed' }, replays._sum.completed ?? 0);
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
