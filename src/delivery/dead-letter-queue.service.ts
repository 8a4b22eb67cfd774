import { Injectable } from '@nestjs/common';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { DeliveryRepository } from './delivery.repository';

/**
 * The BullMQ dead-letter queue: one parked job per dead-lettered delivery (no worker consumes it), next to the
 * delivery's `dead_lettered` status in PostgreSQL. Parking is idempotent (job id `dl-<delivery>`) and recorded, so
 * the maintenance sweep parks whatever a Redis failure left out. A redrive removes the parked job.
 */
@Injectable()
export class DeadLetterQueue {
  constructor(
    private readonly jobs: JobQueue,
    private readonly deliveries: DeliveryRepository,
  ) {}

  async park(deadLetters: { id: string; reason: string }[]): Promise<void> {
    if (!deadLetters.length) return;
    await this.jobs.addBulk(
      JobName.DeadLetter,
      deadLetters.map(({ id, reason }) => ({ data: { deliveryId: id, reason }, options: { jobId: `dl-${id}` } })),
    );
    await this.deliveries.markParked(deadLetters.map(({ id }) => id));
  }

  /** Parks the dead letters that were not parked when they were dead-lettered; returns how many. */
  async parkMissing(minAgeMs: number, limit: number): Promise<number> {
    const missing = await this.deliveries.findUnparked(minAgeMs, limit);
    await this.park(missing);
    return missing.length;
  }
}
