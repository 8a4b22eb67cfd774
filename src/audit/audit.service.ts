import { Injectable } from '@nestjs/common';
import { AuditRepository } from './audit.repository';
import { AuditRecord } from './audit.types';

/** Records audit entries; inside a @Transactional() call they commit or roll back with the change they describe. */
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  record(entry: AuditRecord): Promise<void> {
    return this.repository.append(entry);
  }

  /** The retention job's purge: up to `limit` entries older than `before` (the only deletion the trail allows). */
  purgeBatch(before: Date, limit: number): Promise<number> {
    return this.repository.purgeBatch(before, limit);
  }
}
