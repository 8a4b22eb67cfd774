import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { KeysetPosition, keysetAfter } from '../common/pagination/page';
import { AuditEntry, Prisma } from '../generated/prisma/client';
import { AuditRecord, AuditSearch } from './audit.types';

/** Append-only by design: this class has no update or delete, and a database trigger refuses both. */
@Injectable()
export class AuditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  async append(record: AuditRecord): Promise<void> {
    await this.txHost.tx.auditEntry.create({ data: toRow(record) });
  }

  /** Newest first, strictly after `after`; `limit` rows. */
  search(filter: AuditSearch, limit: number, after?: KeysetPosition): Promise<AuditEntry[]> {
    return this.txHost.tx.auditEntry.findMany({
      where: { eventId: filter.eventId, action: filter.action, actor: filter.actor, at: { gte: filter.from, lt: filter.to }, ...keysetAfter('at', after) },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }
}

function toRow(record: AuditRecord): Prisma.AuditEntryCreateManyInput {
  return {
    actor: record.actor,
    action: record.action,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    eventId: record.eventId ?? null,
    details: (record.details ?? {}) as Prisma.InputJsonValue,
  };
}
