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
    await this.scheduleEvery(queue, schedulerId, everyMs, name).catch((error: Error) =>
      this.logger.warn(`${name} not scheduled yet: ${error.message}`),
    );
  }

  /**
   * The scheduler's id names its interval, and a scheduler of the same job with another interval is removed first.
   * BullMQ keeps an `every` schedule's offset within its interval, and a job made under one interval carries that
   * offset into the scheduler when it runs after an upsert with another: a 1 h schedule's offset of 29 minutes,
   * carried into a 1 s schedule, put its next run 29 minutes away. A new id starts clean, and the old schedule's last
   * job then updates nothing. (While workers with two intervals run side by side, in a rolling deploy, each replaces
   * the other's schedule; the job keeps running at one of them.)
   */
  private async scheduleEvery(queue: Queue, schedulerId: string, everyMs: number, name: JobName): Promise<void> {
    const id = `${schedulerId}-every-${everyMs}ms`;
    for (const scheduler of await queue.getJobSchedulers())
      if (scheduler.key !== id && (scheduler.key === schedulerId || scheduler.key.startsWith(`${schedulerId}-every-`)))
        await queue.removeJobScheduler(scheduler.key);
    await queue.upsertJobScheduler(id, { every: everyMs }, { name, data: {}, opts: jobOptions(this.config)[name] });
  }

  /** Stops taking jobs on every worker and waits for the jobs in hand to finish. */
  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
