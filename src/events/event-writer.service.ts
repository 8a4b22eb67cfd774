import { Injectable, Logger } from '@nestjs/common';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { EventStoreRepository } from './event-store.repository';
import { IncomingEvent, PendingOutboxEntry, StoreResult } from './event-store.types';

/** Most webhooks one commit takes; concurrent requests beyond it start the next batch. */
const MAX_BATCH = 64;

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
 * Durable write, then hand-off: webhooks arriving together are committed in one transaction (group commit),
 * then their processing jobs are enqueued. A webhook's promise resolves only after its commit; an enqueue
 * failure (Redis down) does not fail it — the outbox keeps the job and the worker's relay enqueues it later.
 */
@Injectable()
export class EventWriter {
  private readonly logger = new Logger(EventWriter.name);
  private queue: Waiting[] = [];
  private flushScheduled = false;

  constructor(
    private readonly store: EventStoreRepository,
    private readonly jobs: JobQueue,
  ) {}

  write(item: IncomingEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        // One turn of the event loop lets requests that arrived together share a commit.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Hands stored events to BullMQ (jobId = event id, so a second hand-off of the same event is a no-op). */
  async enqueue(entries: PendingOutboxEntry[]): Promise<boolean> {
    if (!entries.length) return true;
    const ids = entries.map((entry) => entry.eventId);
    try {
      await this.jobs.addBulk(
        JobName.ProcessEvent,
        entries.map((entry) => ({ data: { eventId: entry.eventId, ...carrier(entry.traceparent) }, options: { jobId: entry.eventId } })),
      );
    } catch (error) {
      this.logger.warn({ message: 'processing jobs not enqueued; the outbox relay will retry', count: ids.length, error: (error as Error).message });
      await this.store.recordEnqueueFailure(ids, (error as Error).message).catch(() => undefined);
      return false;
    }
    await this.store.markEnqueued(ids);
    return true;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (batch.length) void this.commit(batch);
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let results: StoreResult[];
    try {
      results = await this.store.storeBatch(batch.map((waiting) => waiting.item));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    const fresh = batch.filter((_, index) => !results[index].duplicate).map((waiting) => ({ eventId: waiting.item.eventId, traceparent: waiting.item.traceparent }));
    await this.enqueue(fresh).catch((error: Error) => this.logger.warn({ message: 'marking events queued failed', error: error.message }));
    batch.forEach((waiting, index) => waiting.resolve(results[index]));
  }
}
