import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { AuditRepository } from './audit.repository';
import { AuditRecord } from './audit.types';
import { AuditQueryDto } from './dto/audit-query.dto';

/** Records audit entries; inside a @Transactional() call they commit or roll back with the change they describe. */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  record(entry: AuditRecord): Promise<void> {
    return this.repository.append(entry);
  }

  async search(query: AuditQueryDto): Promise<Page<object>> {
    const rows = await this.repository.search(query, query.limit + 1, decodeCursor(query.cursor));
    return toPage(rows, query.limit, (row) => ({ at: row.at, id: row.id }), (row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      ...(row.eventId ? { eventId: row.eventId } : {}),
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      details: row.details,
    }));
  }

  /** The retention job's purge: up to `limit` entries older than `before` (the only deletion the trail allows). */
  purgeBatch(before: Date, limit: number): Promise<number> {
    return this.repository.purgeBatch(before, limit);
  }
}
