import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Hookgate's Prometheus metrics, one registry per process (not prom-client's global one, so several apps can
 * live in one test process). Feature code increments these; gauges that reflect stored state are filled at
 * scrape time by collectors registered with `onCollect`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly collectors: (() => Promise<void>)[] = [];

  readonly ingressRequests = new Counter({
    name: 'hookgate_ingress_requests_total',
    help: 'Webhook requests by integration and outcome (accepted, duplicate, or the rejection reason)',
    labelNames: ['integration', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly ingressDuration = new Histogram({
    name: 'hookgate_ingress_duration_seconds',
    help: 'Time from receiving a webhook to answering it',
    labelNames: ['integration'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly deliveryAttempts = new Counter({
    name: 'hookgate_delivery_attempts_total',
    help: 'Delivery attempts by outcome (succeeded, retryable, final, gone, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveryDuration = new Histogram({
    name: 'hookgate_delivery_duration_seconds',
    help: 'Duration of one delivery attempt (request to response or error)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly deliveryRetries = new Counter({
    name: 'hookgate_delivery_retries_total',
    help: 'Delivery attempts that failed and were scheduled again',
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'hookgate_dead_letters_total',
    help: 'Deliveries that ended without success and were dead-lettered',
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'hookgate_queue_jobs',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly queueOldestWaiting = new Gauge({
    name: 'hookgate_queue_oldest_waiting_seconds',
    help: 'Age of the oldest waiting job per queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'hookgate_outbox_backlog',
    help: 'Accepted events not yet handed to BullMQ (status received)',
    registers: [this.registry],
  });

  readonly eventsByStatus = new Gauge({
    name: 'hookgate_events',
    help: 'Stored events by status (refreshed at most every 30 s)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly replaysActive = new Gauge({
    name: 'hookgate_replays_active',
    help: 'Replay requests pending or running, and their delivery jobs enqueued and completed so far',
    labelNames: ['measure'] as const,
    registers: [this.registry],
  });

  readonly retentionDeleted = new Counter({
    name: 'hookgate_retention_deleted_total',
    help: 'Rows purged by the retention job, by kind (raw, events, deliveries, attempts, audit)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hookgate_' });
  }

  /** Registers work to run before each scrape (e.g. refresh queue gauges). */
  onCollect(collector: () => Promise<void>): void {
    this.collectors.push(collector);
  }

  /** The same values a scrape would show, as data (the ops console's overview). */
  async snapshot(): Promise<{ name: string; values: { value: number; labels: Record<string, string | number> }[] }[]> {
    await Promise.allSettled(this.collectors.map((collect) => collect()));
    return (await this.registry.getMetricsAsJSON()) as {
      name: string;
      values: { value: number; labels: Record<string, string | number> }[];
    }[];
  }

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.allSettled(this.collectors.map((collect) => collect()));
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
