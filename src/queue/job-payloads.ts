import { JobName } from './queue-names';

/** W3C trace context carried in a job so the worker's spans join (or link to) the producer's trace. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** Payloads carry ids only: the state lives in PostgreSQL and a retried job re-reads it. */
export interface JobPayloads {
  /**
   * `applicationId`, `type` and `integration` route the event without reading it (absent in jobs queued by older
   * versions, which read them).
   */
  [JobName.ProcessEvent]: {
    eventId: string;
    applicationId?: string;
    type?: string;
    integration?: string;
  } & TraceCarrier;
  /** `endpointId` lets the worker hold a job back for its endpoint before claiming the delivery (absent in older jobs). */
  [JobName.Deliver]: { deliveryId: string; endpointId?: string; replayRequestId?: string } & TraceCarrier;
  [JobName.DeadLetter]: { deliveryId: string; reason: string };
  [JobName.RunReplay]: { replayRequestId: string } & TraceCarrier;
  [JobName.RelayOutbox]: Record<string, never>;
  [JobName.PurgeExpired]: Record<string, never>;
}

/** The payload type of one job name. */
export type JobOf<N extends JobName> = JobPayloads[N];
