import { Injectable } from '@nestjs/common';
import { ApplicationBacklogs } from '../applications/application-backlogs';
import { AppConfig } from '../config/app-config';

/**
 * Fairness between applications on one worker (contract §7.1). Without it an application whose endpoints are slow
 * takes every delivery slot as soon as its endpoints' caps add up to the worker's concurrency, and the others'
 * deliveries wait behind its whole backlog (BullMQ's queue is one line for every application).
 *
 * While other applications have deliveries coming (ApplicationBacklogs: N applications in all), an application
 * takes a slot when it holds less than its fair share (⌊slots / N⌋, at least 1), or when a reserve of free slots
 * (a tenth, at least 1) remains after it. So the reserve stays free for whoever is next in the queue: jobs over
 * their share go round it quickly and wait behind every job not held back, the others' deliveries get those slots,
 * and applications that all have backlogs settle at about their shares. Alone, an application uses every slot;
 * with others it gives up at most the reserve, however many they are.
 */
@Injectable()
export class ApplicationShare {
  private readonly inFlight = new Map<string, number>();
  private total = 0;
  private readonly slots: number;
  private readonly reserve: number;

  constructor(
    private readonly backlogs: ApplicationBacklogs,
    config: AppConfig,
  ) {
    this.slots = config.delivery.concurrency;
    this.reserve = Math.max(1, Math.floor(this.slots / 10));
  }

  /** Takes one of this worker's slots for the application, or false: it waits, and comes back behind the others. */
  take(applicationId: string): boolean {
    const held = this.inFlight.get(applicationId) ?? 0;
    const applications = this.backlogs.applicationsWithWork();
    if (applications > 1) {
      const fairShare = Math.max(1, Math.floor(this.slots / Math.min(applications, this.slots)));
      if (held >= fairShare && this.slots - (this.total + 1) < this.reserve) return false;
    }
    this.inFlight.set(applicationId, held + 1);
    this.total += 1;
    return true;
  }

  release(applicationId: string): void {
    const held = (this.inFlight.get(applicationId) ?? 0) - 1;
    if (held > 0) this.inFlight.set(applicationId, held);
    else this.inFlight.delete(applicationId);
    this.total = Math.max(0, this.total - 1);
  }
}
