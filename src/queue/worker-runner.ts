import { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { AppConfig } from '../config/app-config';

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

/** Applies this process's worker settings to an idle worker and starts it taking jobs. */
export function startWorker(worker: Worker, config: AppConfig, concurrency = 1): void {
  const { lockDurationMs, stalledIntervalMs } = config.worker;
  Object.assign(worker.opts, { lockDuration: lockDurationMs, lockRenewTime: lockDurationMs / 2, stalledInterval: stalledIntervalMs });
  (worker as unknown as WorkerWithLockManager).createLockManager();
  worker.concurrency = concurrency;
  // run() settles only when the worker closes; a failure to run is logged, not left unhandled.
  worker.run().catch((error: Error) => new Logger('Worker').error(`worker of queue ${worker.name} stopped: ${error.message}`, error.stack));
}
