/** Every BullMQ queue of Hookgate. */
export enum QueueName {
  Processing = 'processing',
  Delivery = 'delivery',
  DeadLetter = 'dead-letter',
  Replay = 'replay',
  Maintenance = 'maintenance',
  Retention = 'retention',
}

/** Every job name; each belongs to exactly one queue (JOB_QUEUE). */
export enum JobName {
  /** Fan an ingested event out into deliveries. */
  ProcessEvent = 'process-event',
  /** One delivery to one endpoint; BullMQ attempts are the delivery attempts. */
  Deliver = 'deliver',
  /** A delivery that ended without success, parked for inspection and redrive. */
  DeadLetter = 'dead-letter',
  /** Walk a replay request's matches in batches and enqueue their deliveries. */
  RunReplay = 'run-replay',
  /** Re-enqueue outbox rows that never reached BullMQ (Redis was down, or a crash after commit). */
  RelayOutbox = 'relay-outbox',
  /** Purge what is older than the retention periods (raw requests, finished events, audit entries). */
  PurgeExpired = 'purge-expired',
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.ProcessEvent]: QueueName.Processing,
  [JobName.Deliver]: QueueName.Delivery,
  [JobName.DeadLetter]: QueueName.DeadLetter,
  [JobName.RunReplay]: QueueName.Replay,
  [JobName.RelayOutbox]: QueueName.Maintenance,
  [JobName.PurgeExpired]: QueueName.Retention,
};
