/** Actor names used when no operator key is involved. */
export const SYSTEM_ACTORS = { ingress: 'system:ingress', worker: 'system:worker', boot: 'system:boot' } as const;

/** One fact for the audit trail: who did what to which subject (and which event, when one is concerned). */
export interface AuditRecord {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  eventId?: string | null;
  details?: Record<string, unknown>;
}

/** The filters of GET /audit-entries. */
export interface AuditSearch {
  eventId?: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}
