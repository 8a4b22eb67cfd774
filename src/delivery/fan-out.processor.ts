import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_EVENT_ID } from '../common/context/request-context';
import { AppConfig } from '../config/app-config';
import { ActiveEndpoints } from '../endpoints/active-endpoints';
import {
  EndpointFilter,
  hasPayloadConditions,
  HOOKGATE_INTEGRATION,
  matchesFilter,
} from '../endpoints/endpoint-filter';
import { matchesPayload } from '../endpoints/payload-filter';
import { EventStoreRepository } from '../events/event-store.repository';
import { inJobSpan } from '../observability/tracing/trace-context';
import { JobOf } from '../queue/job-payloads';
import { settleFinalFailure } from '../queue/final-failure';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryRepository } from './delivery.repository';

type ProcessEventJob = Job<JobOf<JobName.ProcessEvent>>;

/**
 * Processing: an ingested event becomes one delivery per matching endpoint (idempotent under retries). The job
 * carries the event's routing, the endpoints come from a cache, so a fan-out is one statement and one addBulk.
 */
@Processor(QueueName.Processing, IDLE_WORKER)
export class FanOutProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(FanOutProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly endpoints: ActiveEndpoints,
    private readonly events: EventStoreRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly cls: ClsService,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.runner.start(this.worker, this.config.fanOutConcurrency);
  }

  process(job: ProcessEventJob): Promise<{ deliveries: number }> {
    return this.cls.run(() => {
      this.cls.set(CONTEXT_EVENT_ID, job.data.eventId);
      return inJobSpan('process-event', job.data, { 'hookgate.event_id': job.data.eventId }, () =>
        this.fanOut(job.data),
      );
    });
  }

  /** Nothing to record: the event stays accepted, and the maintenance sweep hands it over again (STUCK_EVENT_AFTER). */
  @OnWorkerEvent('failed')
  onFailed(job: ProcessEventJob | undefined, error: Error): Promise<void> {
    return settleFinalFailure(this.logger, job, error, async () => undefined);
  }

  private async fanOut({ eventId, type, integration }: JobOf<JobName.ProcessEvent>): Promise<{ deliveries: number }> {
    const routing = type && integration ? { type, integration } : (await this.events.findRoutings([eventId]))[0];
    if (!routing) throw new UnrecoverableError(`event ${eventId} does not exist`);
    const routed = (await this.endpoints.list()).filter((endpoint) =>
      matchesFilter(endpoint.filter as EndpointFilter, routing),
    );
    const matching = await this.withMatchingPayload(eventId, routing.integration, routed);
    const toQueue = await this.deliveries.createForEvent(
      eventId,
      matching.map((endpoint) => endpoint.id),
    );
    // Deliveries created by an earlier try of this job are queued again; their job ids make that a no-op.
    const maxAttempts = new Map(matching.map((endpoint) => [endpoint.id, endpoint.maxAttempts]));
    await this.dispatcher.enqueue(
      toQueue.map((delivery) => ({ ...delivery, maxAttempts: maxAttempts.get(delivery.endpointId) ?? null })),
      'initial',
    );
    return { deliveries: toQueue.length };
  }

  /**
   * Payload filters (§6.6) need the envelope: one read per event, only when a routed endpoint has such a filter (or
   * for Hookgate's own events, which never go to the paused endpoint they are about).
   */
  private async withMatchingPayload<T extends { id: string; filter: unknown; pausedAt: Date | null }>(
    eventId: string,
    integration: string,
    routed: T[],
  ): Promise<T[]> {
    const operational = integration === HOOKGATE_INTEGRATION;
    if (!operational && !routed.some((endpoint) => hasPayloadConditions(endpoint.filter as EndpointFilter)))
      return routed;
    const envelope = (await this.events.findEnvelopes([eventId])).get(eventId) as
      { data?: { endpointId?: unknown } } | undefined;
    const about = operational ? envelope?.data?.endpointId : undefined;
    return routed.filter(
      (endpoint) =>
        !(endpoint.id === about && endpoint.pausedAt) &&
        matchesPayload((endpoint.filter as EndpointFilter).payload, envelope),
    );
  }
}
