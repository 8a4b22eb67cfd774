import type { JobsOptions } from 'bullmq';
import { JobOf, TraceCarrier } from './job-payloads';
import { JobName } from './queue-names';

/** The run of a delivery's first attempts; replays and redrives name theirs after the replay request. */
export const FIRST_RUN = 'initial';

/** A delivery to put on the delivery queue, with its endpoint's attempt limit (null: the job name's default). */
export interface DeliveryToQueue {
  id: string;
  endpointId: string;
  maxAttempts: number | null;
  /** The trace the delivery's attempts join (its event's ingress trace, or a replay's). */
  trace?: TraceCarrier;
}

/**
 * The Deliver jobs of one run of these deliveries. `run` names the run in the job id: the same run of a delivery is
 * never queued twice (queuing it again is a no-op), a new run always is.
 */
export function deliveryJobs(
  deliveries: DeliveryToQueue[],
  run: string,
  replayRequestId?: string,
): { data: JobOf<JobName.Deliver>; options: JobsOptions }[] {
  return deliveries.map((delivery) => ({
    data: {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      ...(replayRequestId ? { replayRequestId } : {}),
      ...delivery.trace,
    },
    options: { jobId: `${delivery.id}-${run}`, ...(delivery.maxAttempts ? { attempts: delivery.maxAttempts } : {}) },
  }));
}
