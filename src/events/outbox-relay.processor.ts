import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, startWorker } from '../queue/worker-runner';
import { EventStoreRepository } from './event-store.repository';
import { EventWriter } from './event-writer.service';

const RELAY_BATCH = 500;
const RELAY_SCHEDULER_ID = 'outbox-relay';

/**
 * Hands over accepted events that never reached BullMQ (still `received`): Redis was down when the webhook was
 * accepted, or the api died between commit and hand-off. Runs every few seconds through a BullMQ job scheduler,
 * so exactly one worker relays at a time however many run.
 */
@Processor(QueueName.Maintenance, IDLE_WORKER)
@Injectable()
export class OutboxRelayProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxRelayProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly store: EventStoreRepository,
    private readonly writer: EventWriter,
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    startWorker(this.worker, this.config);
    // The scheduler lives in Redis: when Redis is down at boot, BullMQ's reconnect gets it there later.
    await this.maintenance
      .upsertJobScheduler(RELAY_SCHEDULER_ID, { every: this.config.outbox.relayIntervalMs }, { name: JobName.RelayOutbox, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } })
      .catch((error: Error) => this.logger.warn(`outbox relay not scheduled yet: ${error.message}`));
  }

  async process(): Promise<{ relayed: number }> {
    const pending = await this.store.findNotHandedOff(this.config.outbox.relayMinAgeMs, RELAY_BATCH);
    if (!pending.length) return { relayed: 0 };
    if (!(await this.writer.handOff(pending))) throw new Error(`could not hand ${pending.length} accepted events to the processing queue`);
    this.logger.log({ message: 'relayed accepted events to the processing queue', count: pending.length });
    return { relayed: pending.length };
  }
}
