import { Injectable } from '@nestjs/common';
import { DeliveryQueryService } from '../delivery/delivery-query.service';
import { EndpointService } from '../endpoints/endpoint.service';
import { EndpointHealth } from '../endpoints/endpoint-gate';
import { EventQueryRepository } from '../events/event-query.repository';
import { MetricsService } from '../observability/metrics/metrics.service';
import { TenantContext } from '../common/tenancy/tenant-context';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The overview shows endpoints by health for at most this many endpoints (one Redis read each). */
const MAX_ENDPOINTS = 500;

export interface Series {
  points: { at: Date; count: number }[];
  stepMs: number;
}

/** The gateway's own figures (queues, outbox, ingress), shared by every application. */
export interface SystemFigures {
  ingressOutcomes: { outcome: string; count: number }[];
  queues: {
    queue: string;
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    oldestWaitingSeconds: number;
  }[];
  outboxBacklog: number;
  eventsByStatus: { status: string; count: number }[];
}

export interface Overview {
  ingestPerMinute: Series;
  /** Absent when the page shows one application: these figures are every application's together. */
  system: SystemFigures | null;
  deadLettersPerHour: Series;
  deadLettersTotal: number;
  endpoints: { id: string; url: string; enabled: boolean; health: EndpointHealth }[];
}

/** Fills gaps so a chart has one point per step from `since` to now. */
function dense(rows: { at: Date; count: number }[], since: Date, stepMs: number): Series {
  const byStep = new Map(rows.map((row) => [Math.floor(row.at.getTime() / stepMs), row.count]));
  const points = [];
  for (let step = Math.floor(since.getTime() / stepMs); step <= Math.floor(Date.now() / stepMs); step++)
    points.push({ at: new Date(step * stepMs), count: byStep.get(step) ?? 0 });
  return { points, stepMs };
}

/**
 * The overview's numbers: the queue, outbox and ingress figures are the /metrics gauges and counters (same
 * collectors), shown only on a page of every application; the time series come from PostgreSQL (events received
 * per minute, dead letters per hour), of the page's application when it shows one.
 */
@Injectable()
export class ConsoleOverviewService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly events: EventQueryRepository,
    private readonly deliveries: DeliveryQueryService,
    private readonly endpoints: EndpointService,
    private readonly tenant: TenantContext,
  ) {}

  async overview(): Promise<Overview> {
    const hourAgo = new Date(Date.now() - HOUR);
    const dayAgo = new Date(Date.now() - 24 * HOUR);
    const applicationId = this.tenant.applicationId();
    const [system, perMinute, perHour, endpoints] = await Promise.all([
      applicationId ? null : this.systemFigures(),
      this.events.receivedPerMinute(hourAgo, applicationId),
      this.deliveries.deadLettersPerHour(dayAgo, applicationId),
      this.endpoints.list(MAX_ENDPOINTS),
    ]);
    const deadLettersPerHour = dense(perHour, dayAgo, HOUR);
    return {
      ingestPerMinute: dense(perMinute, hourAgo, MINUTE),
      system,
      deadLettersPerHour,
      deadLettersTotal: deadLettersPerHour.points.reduce((sum, point) => sum + point.count, 0),
      endpoints: await Promise.all(
        endpoints.data.map(async (endpoint) => ({
          id: endpoint.id,
          url: endpoint.url,
          enabled: endpoint.enabled,
          health: (await this.endpoints.get(endpoint.id)).health,
        })),
      ),
    };
  }

  private async systemFigures(): Promise<SystemFigures> {
    const snapshot = await this.metrics.snapshot();
    const values = (name: string) => snapshot.find((metric) => metric.name === name)?.values ?? [];
    const queueNames = [...new Set(values('hookgate_queue_jobs').map((value) => String(value.labels.queue)))];
    const jobs = (queue: string, state: string) =>
      values('hookgate_queue_jobs').find((value) => value.labels.queue === queue && value.labels.state === state)
        ?.value ?? 0;
    const outcomes = new Map<string, number>();
    for (const value of values('hookgate_ingress_requests_total'))
      outcomes.set(String(value.labels.outcome), (outcomes.get(String(value.labels.outcome)) ?? 0) + value.value);
    return {
      ingressOutcomes: [...outcomes].map(([outcome, count]) => ({ outcome, count })).sort((a, b) => b.count - a.count),
      queues: queueNames.map((queue) => ({
        queue,
        waiting: jobs(queue, 'waiting') + jobs(queue, 'prioritized'),
        active: jobs(queue, 'active'),
        delayed: jobs(queue, 'delayed'),
        failed: jobs(queue, 'failed'),
        oldestWaitingSeconds:
          values('hookgate_queue_oldest_waiting_seconds').find((value) => value.labels.queue === queue)?.value ?? 0,
      })),
      outboxBacklog: values('hookgate_outbox_backlog')[0]?.value ?? 0,
      eventsByStatus: values('hookgate_events').map((value) => ({
        status: String(value.labels.status),
        count: value.value,
      })),
    };
  }
}
