import type { JobsOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { JobName } from './queue-names';

/** Name of the BullMQ custom backoff strategy that follows DELIVERY_RETRY_SCHEDULE (registered by the delivery worker). */
export const DELIVERY_BACKOFF_STRATEGY = 'delivery-schedule';

/**
 * Redis stays bounded (PostgreSQL is the record of every event, delivery and attempt; finished jobs in Redis are
 * only the operator's recent view): at most this many finished jobs per queue, and not older than this.
 */
const KEEP_COMPLETED = { age: 3600, count: 1_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 5_000 };

/** Options of every job name, in one place, from validated config. */
export function jobOptions(config: AppConfig): Record<JobName, JobsOptions> {
  return {
    [JobName.ProcessEvent]: {
      attempts: 8,
      backoff: { type: 'exponential', delay: config.processing.retryDelayMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    },
    [JobName.Deliver]: {
      attempts: config.delivery.retryScheduleMs.length + 1,
      backoff: { type: DELIVERY_BACKOFF_STRATEGY },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    },
    [JobName.DeadLetter]: { attempts: 1, removeOnComplete: false, removeOnFail: false },
    [JobName.RunReplay]: {
      attempts: 5,
      backoff: { type: 'exponential', delay: config.replay.retryDelayMs },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    },
    [JobName.RelayOutbox]: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
    // The last runs stay: readiness shows the latest one's figures.
    [JobName.PurgeExpired]: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } },
  };
}
