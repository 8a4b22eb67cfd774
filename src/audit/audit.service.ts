import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { AuditRepository } from './audit.repository';
import { AuditRecord, AuditSearch } from './audit.types';

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  applicationId: string | null;
  eventId?: string;
  subjectType: string;
  subjectId: string;
  details: unknown;
}

/** Records audit entries; inside a @Transactional() call they commit or roll back with the change they describe. */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  record(entry: AuditRecord): Promise<void> {
    return this.repository.append(entry);
  }

  /** The trail, newest first, keyset-paginated. */
  async search(filter: AuditSearch, limit: number, cursor?: string): Promise<Page<AuditEntryView>> {
    const rows = await this.repository.search(filter, limit + 1, decodeCursor(cursor));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.at, id: row.id }),
      (row) => ({
        id: row.id,
        at: row.at.toISOString(),
        actor: row.actor,
        action: row.action,
        applicationId: row.applicationId,
        ...(row.eventId ? { eventId: row.eventId } : {}),
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        details: row.details,
      }),
    );
  }

  /** The retention job's purge: up to `limit` entries older than `before` (the only deletion the trail allows). */
  purgeBatch(before: Date, limit: number): Promise<number> {
    return this.repository.purgeBatch(before, limit);
  }
}
