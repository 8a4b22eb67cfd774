import { Injectable } from '@nestjs/common';
import { ApplicationBacklogs } from '../applications/application-backlogs';
import { AppConfig } from '../config/app-config';

/**
 * Fairness between applications on one worker (contract §7.1). Without it an application whose endpoints are slow
 * takes every delivery slot as soon as its endpoints' caps add up to the worker's concurrency, and the others'
 * deliveries wait behind its whole backlog (BullMQ's queue is one line for every application).
 *
 * While other applications have deliveries coming (ApplicationBacklogs), an application holds at most half of this
 * worker's slots, as an endpoint does by default (ENDPOINT_CONCURRENCY 10 of 20). Its jobs beyond that wait without
 * an attempt and come back behind every job not held back, and the free half goes round the queue fast enough to
 * reach the others' jobs behind a burst of thousands. Alone, an application uses every slot.
 */
@Injectable()
export class ApplicationShare {
  private readonly inFlight = new Map<string, number>();
  private readonly half: number;

  constructor(
    private readonly backlogs: ApplicationBacklogs,
    config: AppConfig,
  ) {
    this.half = Math.max(1, Math.floor(config.delivery.concurrency / 2));
  }

  /** Takes one of this worker's slots for the application, or false: it waits, and comes back behind the others. */
  take(applicationId: string): boolean {
    this.backlogs.noteWorking(applicationId);
    const held = this.inFlight.get(applicationId) ?? 0;
    if (held >= this.half && this.backlogs.applicationsWithWork() > 1) return false;
    this.inFlight.set(applicationId, held + 1);
    return true;
  }

  release(applicationId: string): void {
    const held = (this.inFlight.get(applicationId) ?? 0) - 1;
    if (held > 0) this.inFlight.set(applicationId, held);
    else this.inFlight.delete(applicationId);
  }
}
