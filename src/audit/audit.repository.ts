import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { ReadReplica } from '../common/database/read-replica';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { AuditEntry, Prisma } from '../generated/prisma/client';
import { AuditRecord, AuditSearch } from './audit.types';

/**
 * Append-only by design: this class has no update, and its only delete is the retention purge. A database trigger
 * refuses UPDATE, TRUNCATE and every DELETE except of entries older than `hookgate.audit_purge_before`, a setting
 * only `purgeBatch` makes, transaction-local (migration 20261201100000_retention).
 */
@Injectable()
export class AuditRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>,
    private readonly replica: ReadReplica,
  ) {}

  async append(record: AuditRecord): Promise<void> {
    await this.txHost.tx.auditEntry.create({ data: toRow(record) });
  }

  /** Newest first, strictly after `after` in (at desc, id desc) order; from the read replica when there is one. */
  search(filter: AuditSearch, take: number, after?: KeysetPosition): Promise<AuditEntry[]> {
    return this.replica.client.auditEntry.findMany({
      where: {
        applicationId: filter.applicationId,
        eventId: filter.eventId,
        action: filter.action,
        actor: filter.actor,
        at: { gte: filter.from, lt: filter.to },
        ...keysetAfter('at', after),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /** Oldest first through audit_entries_at_id_idx; `set_config(..., true)` is SET LOCAL: it ends with the transaction. */
  purgeBatch(before: Date, limit: number): Promise<number> {
    return this.txHost.withTransaction(async () => {
      await this.txHost.tx.$executeRaw`SELECT set_config('hookgate.audit_purge_before', ${before.toISOString()}, true)`;
      return this.txHost.tx.$executeRaw`
        DELETE FROM audit_entries WHERE id IN (
          SELECT id FROM audit_entries WHERE at < ${before} ORDER BY at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    });
  }
}

function toRow(record: AuditRecord): Prisma.AuditEntryCreateManyInput {
  return {
    actor: record.actor,
    action: record.action,
    applicationId: record.applicationId,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    eventId: record.eventId ?? null,
    details: (record.details ?? {}) as Prisma.InputJsonValue,
  };
}
