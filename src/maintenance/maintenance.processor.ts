import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { DeadLetterQueue } from '../delivery/dead-letter-queue.service';
import { DeliveryDispatcher } from '../delivery/delivery-dispatcher.service';
import { EventStoreRepository } from '../events/event-store.repository';
import { EventWriter } from '../events/event-writer.service';
import { settleFinalFailure } from '../queue/final-failure';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';

const SWEEP_BATCH = 500;
const SWEEP_SCHEDULER_ID = 'outbox-relay';

/**
 * The maintenance sweep, so that nothing acknowledged is stranded whatever failed:
 * - accepted events never handed to BullMQ (still `received`: Redis was down at the time, or the api died
 *   between commit and hand-off) go to the processing queue, and the first-run deliveries the ingress created but
 *   could not queue go to the delivery queue;
 * - events still not fanned out STUCK_EVENT_AFTER after their last change (their job failed for good, or Redis
 *   lost it) are handed over again under a new job id; so are open deliveries nothing moved for that long;
 * - dead letters whose job could not be parked in the dead-letter queue are parked.
 * Runs every OUTBOX_RELAY_INTERVAL_MS through a BullMQ job scheduler: one worker sweeps at a time however many run.
 */
@Processor(QueueName.Maintenance, IDLE_WORKER)
@Injectable()
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly store: EventStoreRepository,
    private readonly writer: EventWriter,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly deadLetters: DeadLetterQueue,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.runner.start(this.worker);
    void this.runner.schedule(
      this.maintenance,
      SWEEP_SCHEDULER_ID,
      this.config.outbox.relayIntervalMs,
      JobName.RelayOutbox,
    );
  }

  /** Nothing to record: the scheduler runs the sweep again at its next interval. */
  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): Promise<void> {
    return settleFinalFailure(this.logger, job, error, async () => undefined);
  }

  async process(): Promise<{
    relayed: number;
    firstRuns: number;
    events: number;
    deliveries: number;
    parked: number;
  }> {
    const { relayMinAgeMs, stuckAfterMs } = this.config.outbox;
    const pending = await this.store.findNotHandedOff(relayMinAgeMs, SWEEP_BATCH);
    if (pending.length && !(await this.writer.handOff(pending)))
      throw new Error(`could not hand ${pending.length} accepted events to the processing queue`);
    // Re-queued under their first job id: a no-op for those whose job waits in the queue.
    const firstRuns = await this.dispatcher.relayFirstRuns(relayMinAgeMs, SWEEP_BATCH);
    const stuck = await this.store.findStuck(stuckAfterMs, SWEEP_BATCH);
    if (stuck.length && !(await this.writer.handOff(stuck, `stuck-${Math.floor(Date.now() / stuckAfterMs)}`))) {
      throw new Error(`could not hand ${stuck.length} stuck events to the processing queue`);
    }
    const deliveries = await this.dispatcher.resumeStuck(stuckAfterMs, SWEEP_BATCH);
    const parked = await this.deadLetters.parkMissing(relayMinAgeMs, SWEEP_BATCH);
    if (pending.length + stuck.length + deliveries + parked) {
      this.logger.log({
        message: 'handed over again what was not moving',
        notHandedOff: pending.length,
        stuckEvents: stuck.length,
        stuckDeliveries: deliveries,
        deadLettersParked: parked,
      });
    }
    return { relayed: pending.length, firstRuns, events: stuck.length, deliveries, parked };
  }
}
