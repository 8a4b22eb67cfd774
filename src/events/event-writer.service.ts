import { Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/database/database-errors';
import { DeliveryToQueue, deliveryJobs, FIRST_RUN } from '../queue/delivery-jobs';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { EventStoreRepository } from './event-store.repository';
import { IncomingEvent, PendingHandOff, StoreResult } from './event-store.types';

/** Most webhooks one statement stores; more waiting go into the next batch. */
const MAX_BATCH = 256;

interface Waiting {
  item: IncomingEvent;
  resolve: (result: StoreResult) => void;
  reject: (error: unknown) => void;
}

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
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly store: EventStoreRepository,
    private readonly jobs: JobQueue,
  ) {}

  write(item: IncomingEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // One turn of the event loop lets requests that arrived together share the first batch.
        setImmediate(() => void this.drain());
      }
    });
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

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) await this.commit(this.waiting.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: Waiting[]): Promise<void> {
    const outcomes = await this.storeIsolated(batch.map((waiting) => waiting.item));
    const unrouted: PendingHandOff[] = [];
    const deliveries: DeliveryToQueue[] = [];
    batch.forEach(({ item, resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) return reject(outcome);
      if (!outcome.duplicate && !item.routes)
        unrouted.push({
          eventId: item.eventId,
          type: item.type,
          integration: item.integrationSlug,
          traceparent: item.traceparent,
        });
      for (const delivery of outcome.duplicate ? [] : (outcome.deliveries ?? [])) {
        const route = item.routes?.find((candidate) => candidate.endpointId === delivery.endpointId);
        deliveries.push({ ...delivery, maxAttempts: route?.maxAttempts ?? null, trace: carrier(item.traceparent) });
      }
      resolve(outcome);
    });
    void this.handOff(unrouted);
    void this.queueDeliveries(deliveries);
  }

  /** The first run of deliveries created at ingress; on failure they stay `pending` for the relay. */
  private async queueDeliveries(deliveries: DeliveryToQueue[]): Promise<void> {
    if (!deliveries.length) return;
    await this.jobs.addBulk(JobName.Deliver, deliveryJobs(deliveries, FIRST_RUN)).catch((error: Error) =>
      this.logger.warn({
        message: 'delivery jobs not enqueued; the relay will queue them',
        count: deliveries.length,
        error: error.message,
      }),
    );
  }

  /**
   * Each item's result or its own error. When a batch fails for a reason other than an unreachable database, its
   * items are stored one by one, so a webhook PostgreSQL refuses fails alone (contract §6.2).
   */
  private async storeIsolated(items: IncomingEvent[]): Promise<(StoreResult | Error)[]> {
    try {
      return await this.store.storeBatch(items);
    } catch (error) {
      if (items.length === 1 || isDatabaseUnavailable(error)) return items.map(() => error as Error);
      this.logger.warn({
        message: 'a batch failed; storing its webhooks one by one',
        count: items.length,
        error: (error as Error).message,
      });
      const outcomes: (StoreResult | Error)[] = [];
      for (const item of items)
        outcomes.push(
          await this.store.storeBatch([item]).then(
            ([result]) => result,
            (failure: Error) => failure,
          ),
        );
      return outcomes;
    }
  }
}
