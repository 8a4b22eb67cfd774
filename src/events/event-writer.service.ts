import { Injectable, Logger } from '@nestjs/common';
import { CallBatcher } from '../common/async/call-batcher';
import { isDatabaseUnavailable } from '../common/database/database-errors';
import { DeliveryToQueue, deliveryJobs, FIRST_RUN } from '../queue/delivery-jobs';
import { ApplicationBacklogs } from '../applications/application-backlogs';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { EventStoreRepository } from './event-store.repository';
import { IncomingEvent, PendingHandOff, StoreResult } from './event-store.types';

/** Most webhooks one statement stores; more waiting go into the next batch. */
const MAX_BATCH = 256;

/** W3C traceparent → the job payload's trace carrier. */
function carrier(traceparent: string | null) {
  return traceparent ? { traceparent } : {};
}

/**
 * Durable write, then hand-off. One batch is committed at a time: webhooks that arrive while it commits wait and
 * form the next batch (the group commit of PostgreSQL's own WAL writer, without a timer). A webhook's promise
 * resolves right after the commit that holds it; the hand-off to BullMQ (one addBulk per batch) runs after the
 * answers and never delays them. A routed event's deliveries were created in the commit and their Deliver jobs are
 * queued directly; an event stored unrouted gets a processing job (fan-out). Whatever is not queued (Redis down, a
 * crash after the commit) the worker's relay queues later: the event stays `received`, the delivery `pending`.
 */
@Injectable()
export class EventWriter {
  private readonly logger = new Logger(EventWriter.name);
  private readonly batches: CallBatcher<IncomingEvent, StoreResult>;

  constructor(
    private readonly store: EventStoreRepository,
    private readonly jobs: JobQueue,
    private readonly backlogs: ApplicationBacklogs,
  ) {
    this.batches = new CallBatcher((items) => this.store.storeBatch(items), {
      maxBatch: MAX_BATCH,
      failsAll: isDatabaseUnavailable,
      afterBatch: (items, outcomes) => this.handOffBatch(items, outcomes),
      onIsolating: (error, count) =>
        this.logger.warn({ message: 'a batch failed; storing its webhooks one by one', count, error: error.message }),
    });
  }

  /** Resolves right after the commit that holds the webhook; its hand-off to BullMQ follows (handOffBatch). */
  write(item: IncomingEvent): Promise<StoreResult> {
    return this.batches.submit(item);
  }

  /**
   * Hands stored events to BullMQ. The job id is the event id, so handing the same event over twice is a no-op;
   * a `run` names a deliberate second hand-off (of an event whose first job failed or was lost).
   */
  async handOff(entries: PendingHandOff[], run?: string): Promise<boolean> {
    if (!entries.length) return true;
    try {
      await this.jobs.addBulk(
        JobName.ProcessEvent,
        entries.map((entry) => ({
          data: {
            eventId: entry.eventId,
            applicationId: entry.applicationId,
            type: entry.type,
            integration: entry.integration,
            ...carrier(entry.traceparent),
          },
          options: { jobId: run ? `${entry.eventId}-${run}` : entry.eventId },
        })),
      );
    } catch (error) {
      this.logger.warn({
        message: 'processing jobs not enqueued; the relay will hand them over',
        count: entries.length,
        error: (error as Error).message,
      });
      return false;
    }
    await this.store.markQueued(entries.map((entry) => entry.eventId)).catch((error: Error) =>
      this.logger.warn({
        message: 'events handed over but not marked queued',
        count: entries.length,
        error: error.message,
      }),
    );
    return true;
  }

  /** Queues what a committed batch needs: processing jobs for events stored unrouted, Deliver jobs for the rest. */
  private handOffBatch(items: IncomingEvent[], outcomes: (StoreResult | Error)[]): void {
    const unrouted: PendingHandOff[] = [];
    const deliveries: DeliveryToQueue[] = [];
    const ordered: string[] = [];
    items.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error || outcome.duplicate) return;
      if (!item.routes)
        unrouted.push({
          eventId: item.eventId,
          applicationId: item.applicationId,
          type: item.type,
          integration: item.integrationSlug,
          traceparent: item.traceparent,
        });
      for (const delivery of outcome.deliveries ?? []) {
        const route = item.routes?.find((candidate) => candidate.endpointId === delivery.endpointId);
        deliveries.push({ ...delivery, maxAttempts: route?.maxAttempts ?? null, trace: carrier(item.traceparent) });
        if (route?.fifo) ordered.push(delivery.id);
      }
    });
    const withDeliveries = items.filter((item, index) => {
      const outcome = outcomes[index];
      return !(outcome instanceof Error) && !outcome.duplicate && (!item.routes || outcome.deliveries?.length);
    });
    this.backlogs.announce(withDeliveries.map((item) => item.applicationId));
    void this.handOff(unrouted);
    void this.queueDeliveries(deliveries, ordered);
  }

  /**
   * The first run of deliveries created at ingress; on failure they stay `pending` for the relay. A delivery to a
   * `fifo` endpoint that waits for an earlier one of its key gets no job now: that one's final outcome queues it.
   */
  private async queueDeliveries(deliveries: DeliveryToQueue[], ordered: string[]): Promise<void> {
    if (ordered.length) {
      const waiting = await this.store.waitingForTheirKey(ordered).catch((error: Error) => {
        // Queued all the same: a job that finds its delivery waiting ends without an attempt.
        this.logger.warn({ message: 'could not tell which deliveries wait for their key', error: error.message });
        return new Set<string>();
      });
      deliveries = deliveries.filter((delivery) => !waiting.has(delivery.id));
    }
    if (!deliveries.length) return;
    await this.jobs.addBulk(JobName.Deliver, deliveryJobs(deliveries, FIRST_RUN)).catch((error: Error) =>
      this.logger.warn({
        message: 'delivery jobs not enqueued; the relay will queue them',
        count: deliveries.length,
        error: error.message,
      }),
    );
  }
}
