import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { decodeCursor, keysetAfter, Page, toPage } from '../common/pagination/page';
import { DeliveryStatus, Prisma } from '../generated/prisma/client';

export interface DeliveryListItem {
  id: string;
  eventId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeadLetterItem {
  id: string;
  eventId: string;
  endpointId: string;
  reason: string | null;
  attemptCount: number;
  deadLetteredAt: string;
}

function after(cursor: string | undefined, field: 'createdAt' | 'deadLetteredAt'): Prisma.DeliveryWhereInput {
  return keysetAfter(field, decodeCursor(cursor));
}

/** The read side of deliveries (GET /deliveries, GET /dead-letters, the console's overview and endpoint pages). */
@Injectable()
export class DeliveryQueryService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: {
    eventId?: string;
    endpointId?: string;
    status?: DeliveryStatus;
    limit: number;
    cursor?: string;
  }): Promise<Page<DeliveryListItem>> {
    const rows = await this.prisma.delivery.findMany({
      where: {
        eventId: query.eventId,
        endpointId: query.endpointId,
        status: query.status,
        ...after(query.cursor, 'createdAt'),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(
      rows,
      query.limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => ({
        id: row.id,
        eventId: row.eventId,
        endpointId: row.endpointId,
        status: row.status,
        attemptCount: row.attemptCount,
        nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
        lastError: row.lastError,
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      }),
    );
  }

  async deadLetters(query: { endpointId?: string; limit: number; cursor?: string }): Promise<Page<DeadLetterItem>> {
    const rows = await this.prisma.delivery.findMany({
      where: { status: 'dead_lettered', endpointId: query.endpointId, ...after(query.cursor, 'deadLetteredAt') },
      orderBy: [{ deadLetteredAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    return toPage(
      rows,
      query.limit,
      (row) => ({ at: row.deadLetteredAt!, id: row.id }),
      (row) => ({
        id: row.id,
        eventId: row.eventId,
        endpointId: row.endpointId,
        reason: row.deadLetterReason,
        attemptCount: row.attemptCount,
        deadLetteredAt: row.deadLetteredAt!.toISOString(),
      }),
    );
  }

  countDeadLetters(endpointId?: string): Promise<number> {
    return this.prisma.delivery.count({ where: { status: 'dead_lettered', endpointId } });
  }

  /** Dead letters per hour since `since` (hours without any are absent). */
  deadLettersPerHour(since: Date): Promise<{ at: Date; count: number }[]> {
    return this.prisma.$queryRaw<{ at: Date; count: number }[]>`
      SELECT date_trunc('hour', dead_lettered_at) AS at, count(*)::int AS count
      FROM deliveries WHERE status = 'dead_lettered' AND dead_lettered_at >= ${since}
      GROUP BY 1 ORDER BY 1`;
  }

  /** The latest attempts to one endpoint, newest first. */
  recentAttempts(endpointId: string, limit: number) {
    return this.prisma.deliveryAttempt.findMany({
      where: { delivery: { endpointId } },
      orderBy: { startedAt: 'desc' },
      take: limit,
      select: {
        id: true,
        number: true,
        responseStatus: true,
        outcome: true,
        error: true,
        durationMs: true,
        startedAt: true,
        delivery: { select: { eventId: true } },
      },
    });
  }
}
