/** Actor names used when no operator key is involved. */
export const SYSTEM_ACTORS = { ingress: 'system:ingress', worker: 'system:worker', boot: 'system:boot' } as const;

/** One fact for the audit trail: who did what to which subject (and which event, when one is concerned). */
export interface AuditRecord {
  actor: string;
  action: string;
  /** The application the subject belongs to (contract §7.1); null for what belongs to none (a global key). */
  applicationId: string | null;
  subjectType: string;
  subjectId: string;
  eventId?: string | null;
  details?: Record<string, unknown>;
}

/** The filters of GET /audit-entries. */
export interface AuditSearch {
  /** Only this application's entries (an application key's own, or the one `?application=` names). */
  applicationId?: string;
  eventId?: string;
  action?: string;
  actor?: string;
  from?: Date;
  to?: Date;
}
