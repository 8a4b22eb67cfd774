import { Injectable } from '@nestjs/common';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';

/**
 * The BullMQ dead-letter queue: one parked job per dead-lettered delivery (no worker consumes it), next to the
 * delivery's `dead_lettered` status in PostgreSQL. A redrive removes the parked job.
 */
@Injectable()
export class DeadLetterQueue {
  constructor(private readonly jobs: JobQueue) {}

  async park(deliveryId: string, reason: string): Promise<void> {
    await this.jobs.add(JobName.DeadLetter, { deliveryId, reason }, { jobId: `dl-${deliveryId}` });
  }
}
