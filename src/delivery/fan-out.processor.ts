import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_EVENT_ID } from '../common/context/request-context';
import { AppConfig } from '../config/app-config';
import { HOOKGATE_INTEGRATION } from '../endpoints/endpoint-filter';
import { EventRouter } from '../endpoints/event-router';
import { EndpointRepository } from '../endpoints/endpoint.repository';
import { Endpoint } from '../generated/prisma/client';
import { EventStoreRepository } from '../events/event-store.repository';
import { inJobSpan } from '../observability/tracing/trace-context';
import { JobOf } from '../queue/job-payloads';
import { settleFinalFailure } from '../queue/final-failure';
import { FIRST_RUN } from '../queue/delivery-jobs';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { DeliveryRepository } from './delivery.repository';

type ProcessEventJob = Job<JobOf<JobName.ProcessEvent>>;

/**
 * Processing: an event becomes one delivery per matching endpoint (idempotent under retries). Webhooks are fanned out
 * by the ingress in their own batch statement; this is the path of Hookgate's own events and of webhooks stored while
 * the ingress could not route them. The job carries the event's routing, the endpoints come from a cache, so a
 * fan-out is one statement and one addBulk.
 */
@Processor(QueueName.Processing, IDLE_WORKER)
export class FanOutProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(FanOutProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly router: EventRouter,
    private readonly endpoints: EndpointRepository,
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

  private async fanOut({
    eventId,
    applicationId,
    type,
    integration,
  }: JobOf<JobName.ProcessEvent>): Promise<{ deliveries: number }> {
    const routing =
      applicationId && type && integration
        ? { applicationId, type, integration }
        : (await this.events.findRoutings([eventId]))[0];
    if (!routing) throw new UnrecoverableError(`event ${eventId} does not exist`);
    let envelope: Promise<Record<string, unknown> | undefined> | undefined;
    const readEnvelope = () => (envelope ??= this.events.findEnvelopes([eventId]).then((found) => found.get(eventId)));
    if (routing.integration !== HOOKGATE_INTEGRATION)
      return this.deliver(eventId, await this.router.route(routing, readEnvelope));
    // Hookgate's own events about an endpoint go to endpoints of that endpoint's application only (§7.1), and never
    // to that endpoint while it is paused.
    const about = ((await readEnvelope()) as { data?: { endpointId?: unknown } } | undefined)?.data?.endpointId;
    const subject = typeof about === 'string' ? await this.endpoints.findLive(about) : null;
    const matching = await this.router.route(
      subject ? { ...routing, applicationId: subject.applicationId } : routing,
      readEnvelope,
    );
    return this.deliver(
      eventId,
      matching.filter((endpoint) => !(endpoint.id === about && endpoint.pausedAt)),
    );
  }

  private async deliver(eventId: string, matching: Endpoint[]): Promise<{ deliveries: number }> {
    const toQueue = await this.deliveries.createForEvent(
      eventId,
      matching.map((endpoint) => endpoint.id),
    );
    // Deliveries created by an earlier try of this job are queued again; their job ids make that a no-op.
    const maxAttempts = new Map(matching.map((endpoint) => [endpoint.id, endpoint.maxAttempts]));
    await this.dispatcher.enqueue(
      toQueue.map((delivery) => ({ ...delivery, maxAttempts: maxAttempts.get(delivery.endpointId) ?? null })),
      FIRST_RUN,
    );
    return { deliveries: toQueue.length };
  }
}
