/** SQL expressions (not values) for the columns of audit rows written inside another statement. */
export interface AuditRowSql {
  actor: string;
  action: string;
  applicationId: string;
  eventId: string;
  subjectType: string;
  subjectId: string;
  details: string;
}

/**
 * The audit rows of a hot-path statement, as one of its CTEs: `INSERT … SELECT … FROM source`. The hot path
 * writes its audit in the statement that makes the change (one round trip, same commit); everything else goes
 * through AuditService.record. Both are the audit module's, so the row's shape is decided in one place.
 */
export function auditRowsFrom(source: string, row: AuditRowSql): string {
  return `INSERT INTO audit_entries (id, at, actor, action, application_id, event_id, subject_type, subject_id, details)
    SELECT hookgate_uuid_v7(), now(), ${row.actor}, ${row.action}, ${row.applicationId}, ${row.eventId}, ${row.subjectType},
           ${row.subjectId}, ${row.details}
    FROM ${source}`;
}
