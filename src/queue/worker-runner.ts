import { Injectable, Logger } from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { jobOptions } from './job-options';
import { JobName } from './queue-names';

/**
 * Every processor is declared with these options: its worker is built idle, so it can take the validated config
 * (concurrency, job lock, stalled-job check) before it takes its first job. `@Processor`'s own options are fixed at
 * import time, before any config exists.
 */
export const IDLE_WORKER = { autorun: false } as const;

/** A BullMQ worker's lock manager is built with the worker; rebuilding it is how a changed lock duration takes hold. */
interface WorkerWithLockManager {
  createLockManager(): void;
}

/**
 * Starts this process's BullMQ workers with its settings, and stops them first at shutdown: no new job is taken,
 * the jobs in hand finish and are recorded, and only then are the database pools and HTTP agents closed.
 */
@Injectable()
export class WorkerRunner {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];

  constructor(private readonly config: AppConfig) {}

  start(worker: Worker, concurrency = 1): void {
    const { lockDurationMs, stalledIntervalMs } = this.config.worker;
    Object.assign(worker.opts, {
      lockDuration: lockDurationMs,
      lockRenewTime: lockDurationMs / 2,
      stalledInterval: stalledIntervalMs,
    });
    (worker as unknown as WorkerWithLockManager).createLockManager();
    worker.concurrency = concurrency;
    this.workers.push(worker);
    // Connection errors (Redis restarting) are BullMQ's to recover from; they are logged, not printed raw.
    worker.on('error', (error: Error) => this.logger.warn(`worker of queue ${worker.name}: ${error.message}`));
    // run() settles only when the worker closes; a failure to run is logged, not left unhandled.
    worker
      .run()
      .catch((error: Error) =>
        this.logger.error(`worker of queue ${worker.name} stopped: ${error.message}`, error.stack),
      );
  }

  /**
   * Runs the job `name` every `everyMs` through a BullMQ job scheduler: one scheduler id, so one schedule however many
   * workers upsert it. The scheduler lives in Redis; BullMQ holds the command until Redis answers, so callers do not
   * await it at boot, and a refusal is logged (the next boot, or another worker, schedules it).
   */
  async schedule(queue: Queue, schedulerId: string, everyMs: number, name: JobName): Promise<void> {
    await queue
      .upsertJobScheduler(schedulerId, { every: everyMs }, { name, data: {}, opts: jobOptions(this.config)[name] })
      .catch((error: Error) => this.logger.warn(`${name} not scheduled yet: ${error.message}`));
  }

  /** Stops taking jobs on every worker and waits for the jobs in hand to finish. */
  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
