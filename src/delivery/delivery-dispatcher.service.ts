import { Injectable } from '@nestjs/common';
import { ApplicationBacklogs } from '../applications/application-backlogs';
import { AppConfig } from '../config/app-config';
import { ActiveEndpoints } from '../endpoints/active-endpoints';
import { EndpointFilter, hasPayloadConditions } from '../endpoints/endpoint-filter';
import { routesTo } from '../endpoints/event-router';
import { matchesPayload } from '../endpoints/payload-filter';
import { EndpointRepository } from '../endpoints/endpoint.repository';
import { EventStoreRepository } from '../events/event-store.repository';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { DeliveryToQueue, deliveryJobs, FIRST_RUN } from '../queue/delivery-jobs';
import { JobQueue } from '../queue/job-queue.service';
import { JobName, QueueName } from '../queue/queue-names';
import { DeliveryRepository, StuckDelivery } from './delivery.repository';

/**
 * Puts deliveries on the delivery queue: the first run of a fan-out, and later runs (replays, redrives) of the
 * same delivery rows, so `webhook-id` (the delivery id) stays the same for the same event and endpoint. Every
 * batch is a few statements and one addBulk, whatever its size.
 */
@Injectable()
export class DeliveryDispatcher {
  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly repository: DeliveryRepository,
    private readonly events: EventStoreRepository,
    private readonly endpoints: EndpointRepository,
    private readonly activeEndpoints: ActiveEndpoints,
    private readonly backlogs: ApplicationBacklogs,
  ) {}

  /** Queues one run of these deliveries (see deliveryJobs); returns how many. */
  async enqueue(deliveries: DeliveryToQueue[], run: string, replayRequestId?: string): Promise<number> {
    if (!deliveries.length) return 0;
    const trace = captureTraceContext();
    // Only for the fair shares: an endpoint the cache cannot give is left out, never the jobs.
    const endpoints = await Promise.all(
      [...new Set(deliveries.map((delivery) => delivery.endpointId))].map((id) =>
        this.activeEndpoints.find(id).catch(() => undefined),
      ),
    );
    this.backlogs.announce(endpoints.flatMap((endpoint) => (endpoint ? [endpoint.applicationId] : [])));
    await this.jobs.addBulk(
      JobName.Deliver,
      deliveryJobs(
        deliveries.map((delivery) => ({ ...delivery, trace })),
        run,
        replayRequestId,
      ),
    );
    return deliveries.length;
  }

  /**
   * Queues again first-run deliveries that were never attempted, `minAgeMs` after they were created: their jobs were
   * not queued (Redis was unreachable after the ingress committed them, or the api died in between). A delivery whose
   * job waits in the queue is queued again under the same job id, which is a no-op.
   */
  async relayFirstRuns(minAgeMs: number, limit: number): Promise<number> {
    return this.enqueue(await this.repository.findFirstRunsNotStarted(minAgeMs, limit), FIRST_RUN);
  }

  /** Hands stuck open deliveries to the queue again (a new job per window, with the attempts they have left). */
  async resumeStuck(stuckAfterMs: number, limit: number): Promise<number> {
    const stuck = await this.repository.findStuck(stuckAfterMs, this.config.delivery.retryScheduleMs.length + 1, limit);
    if (!stuck.length) return 0;
    await Promise.all(stuck.map((delivery) => this.releaseDeadClaim(delivery)));
    const window = Math.floor(Date.now() / stuckAfterMs);
    await this.jobs.addBulk(
      JobName.Deliver,
      stuck.map((delivery) => ({
        data: {
          deliveryId: delivery.id,
          endpointId: delivery.endpointId,
          ...(delivery.replayRequestId ? { replayRequestId: delivery.replayRequestId } : {}),
        },
        options: { jobId: `${delivery.id}-stuck-${window}`, attempts: delivery.attemptsLeft },
      })),
    );
    return stuck.length;
  }

  /**
   * A delivery left in flight by a job that failed for good (e.g. it could not record its attempt while PostgreSQL
   * was down) or that Redis no longer has: its claim is released. A job that may still run (active, waiting,
   * delayed) keeps its claim: it records its own attempt, or claims the delivery again when it runs.
   */
  private async releaseDeadClaim(delivery: StuckDelivery): Promise<void> {
    if (!delivery.claimedBy) return;
    const job = await this.jobs.queue(QueueName.Delivery).getJob(delivery.claimedBy);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'failed' || state === 'completed' || state === 'unknown') {
      await this.repository.releaseClaim(delivery.id, delivery.claimedBy);
    }
  }

  /** Delivers events again: to all currently matching endpoints, or only `endpointId`. Returns jobs enqueued. */
  async redeliverEvents(
    eventIds: string[],
    options: { endpointId?: string; replayRequestId: string },
  ): Promise<number> {
    if (!eventIds.length) return 0;
    const routings = await this.events.findRoutings(eventIds);
    const endpoints = options.endpointId
      ? [await this.endpoints.findLive(options.endpointId)].filter((endpoint) => endpoint !== null)
      : (await this.endpoints.findActive()).filter((endpoint) => endpoint.routable);
    const filterOf = (endpoint: { filter: unknown }) => endpoint.filter as EndpointFilter;
    const routed = routings.flatMap((event) =>
      endpoints
        // A replay to one endpoint skips its filter, never its application (§7.1).
        .filter((endpoint) =>
          options.endpointId ? endpoint.applicationId === event.applicationId : routesTo(endpoint, event),
        )
        .map((endpoint) => ({ event, endpoint })),
    );
    // Payload filters need the envelopes: one read for the batch, only of the events such an endpoint was routed.
    const needEnvelope = options.endpointId
      ? []
      : routed.filter(({ endpoint }) => hasPayloadConditions(filterOf(endpoint)));
    const envelopes = needEnvelope.length
      ? await this.events.findEnvelopes([...new Set(needEnvelope.map(({ event }) => event.eventId))])
      : new Map();
    const pairs = routed
      .filter(
        ({ event, endpoint }) =>
          options.endpointId ||
          !hasPayloadConditions(filterOf(endpoint)) ||
          matchesPayload(filterOf(endpoint).payload, envelopes.get(event.eventId)),
      )
      .map(({ event, endpoint }) => ({ eventId: event.eventId, endpointId: endpoint.id }));
    return this.rerun(await this.repository.ensureDeliveries(pairs), options.replayRequestId);
  }

  /** Runs exactly these deliveries again (dead-letter redrive) and removes their parked dead-letter jobs. */
  async redriveDeliveries(deliveryIds: string[], options: { replayRequestId: string }): Promise<number> {
    const deliveries = await this.repository.resetForRun(deliveryIds, options.replayRequestId);
    const deadLetters = this.jobs.queue(QueueName.DeadLetter);
    await Promise.all(deliveries.map((delivery) => deadLetters.remove(`dl-${delivery.id}`)));
    return this.enqueue(deliveries, `replay-${options.replayRequestId}`, options.replayRequestId);
  }

  private async rerun(deliveryIds: string[], replayRequestId: string): Promise<number> {
    const deliveries = await this.repository.resetForRun(deliveryIds, replayRequestId);
    return this.enqueue(deliveries, `replay-${replayRequestId}`, replayRequestId);
  }
}
