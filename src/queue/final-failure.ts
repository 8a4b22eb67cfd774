import { Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';

/** True when BullMQ will not run this job again: its attempts are used up, or it failed as unrecoverable. */
export function isFinalFailure(job: Job, error: Error): boolean {
  return (
    job.attemptsMade >= (job.opts.attempts ?? 1) ||
    error instanceof UnrecoverableError ||
    error.name === 'UnrecoverableError'
  );
}

/**
 * The one way every processor meets a job's last failure (from its `@OnWorkerEvent('failed')` handler): the
 * failure is logged with the job, then `settle` records its consequence (a dead letter, a failed replay…). A
 * failure of `settle` itself is logged too, never swallowed; what it could not record, the maintenance sweep
 * finds later (STUCK_EVENT_AFTER).
 */
export async function settleFinalFailure(
  logger: Logger,
  job: Job | undefined,
  error: Error,
  settle: (job: Job) => Promise<void>,
): Promise<void> {
  if (!job || !isFinalFailure(job, error)) return;
  logger.warn({
    message: 'job failed for good',
    queue: job.queueName,
    job: job.name,
    jobId: job.id,
    attempts: job.attemptsMade,
    error: error.message,
  });
  try {
    await settle(job);
  } catch (failure) {
    logger.error({
      message: 'could not record the final failure of a job',
      queue: job.queueName,
      jobId: job.id,
      error: (failure as Error).message,
    });
  }
}
