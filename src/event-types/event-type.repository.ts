import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from '../common/database/prisma.service';
import { EventType, Prisma } from '../generated/prisma/client';

/** The event_types table, and the types an application's events carry. */
@Injectable()
export class EventTypeRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  find(applicationId: string, name: string): Promise<EventType | null> {
    return this.txHost.tx.eventType.findUnique({ where: { applicationId_name: { applicationId, name } } });
  }

  /** Declared types in name order, strictly after `after`; `limit` of them. */
  listDeclared(applicationId: string, limit: number, after?: string): Promise<EventType[]> {
    return this.txHost.tx.eventType.findMany({
      where: { applicationId, ...(after !== undefined ? { name: { gt: after } } : {}) },
      orderBy: { name: 'asc' },
      take: limit,
    });
  }

  /**
   * The distinct types of the application's events in name order, strictly after `after`; `limit` of them. A skip
   * scan down the (type, received_at, id) index: one index probe per distinct type, however many events each has.
   */
  async listSeen(applicationId: string, limit: number, after?: string): Promise<string[]> {
    const rows = await this.txHost.tx.$queryRaw<{ type: string }[]>`
      WITH RECURSIVE mine AS (
        SELECT array_agg(id) AS ids FROM integrations WHERE application_id = ${applicationId}::uuid
      ), seen(type) AS (
        (SELECT e.type FROM events e, mine WHERE e.type > ${after ?? ''} AND e.integration_id = ANY(mine.ids)
         ORDER BY e.type LIMIT 1)
        UNION ALL
        SELECT (SELECT e.type FROM events e, mine WHERE e.type > seen.type AND e.integration_id = ANY(mine.ids)
                ORDER BY e.type LIMIT 1)
        FROM seen WHERE seen.type IS NOT NULL
      )
      SELECT type FROM seen WHERE type IS NOT NULL LIMIT ${limit}`;
    return rows.map((row) => row.type);
  }

  create(data: Prisma.EventTypeUncheckedCreateInput): Promise<EventType> {
    return this.txHost.tx.eventType.create({ data });
  }

  update(id: string, data: Prisma.EventTypeUpdateInput): Promise<EventType> {
    return this.txHost.tx.eventType.update({ where: { id }, data });
  }
}
