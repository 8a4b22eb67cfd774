import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { AuditRecord } from './audit.types';

/** Append-only by design: this class has no update or delete, and a database trigger refuses both. */
@Injectable()
export class AuditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  async append(record: AuditRecord): Promise<void> {
    await this.txHost.tx.auditEntry.create({ data: toRow(record) });
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
