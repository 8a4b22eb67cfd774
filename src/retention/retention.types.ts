/** What one retention run purged; `kind` is also the label of hookgate_retention_deleted_total. */
export type PurgedKind = 'raw' | 'events' | 'deliveries' | 'attempts' | 'audit';

export type PurgedCounts = Record<PurgedKind, number>;

/** The figures of one run, returned by its BullMQ job and shown by readiness. */
export interface RetentionRun {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  deleted: PurgedCounts;
  /** A replay or redrive was still walking its matches: events were left for the next run. */
  eventsDeferred: boolean;
  /** The applications whose events were left so (ids); null when a walk across every application left them all. */
  eventsDeferredApplications: string[] | null;
}

export function noneDeleted(): PurgedCounts {
  return { raw: 0, events: 0, deliveries: 0, attempts: 0, audit: 0 };
}
