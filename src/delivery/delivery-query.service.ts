import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { DeliveryStatus } from '../generated/prisma/client';
import { DeliveryQueryRepository, RecentAttempt } from './delivery-query.repository';
import { DeadLetterQueryDto, DeliveryQueryDto } from './dto/delivery-query.dto';

export interface DeliveryListItem {
  id: string;
  /** The uid of its endpoint's application. */
  application: string;
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
  application: string;
  eventId: string;
  endpointId: string;
  reason: string | null;
  attemptCount: number;
  deadLetteredAt: string;
}

/** The read side of deliveries (GET /deliveries, GET /dead-letters, the console's overview and endpoint pages). */
@Injectable()
export class DeliveryQueryService {
  constructor(private readonly repository: DeliveryQueryRepository) {}

  async list(query: DeliveryQueryDto): Promise<Page<DeliveryListItem>> {
    const rows = await this.repository.list(query, query.limit + 1, decodeCursor(query.cursor));
    return toPage(
      rows,
      query.limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => ({
        id: row.id,
        application: row.endpoint.application.uid,
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

  async deadLetters(query: DeadLetterQueryDto): Promise<Page<DeadLetterItem>> {
    const rows = await this.repository.deadLetters(query, query.limit + 1, decodeCursor(query.cursor));
    return toPage(
      rows,
      query.limit,
      (row) => ({ at: row.deadLetteredAt!, id: row.id }),
      (row) => ({
        id: row.id,
        application: row.endpoint.application.uid,
        eventId: row.eventId,
        endpointId: row.endpointId,
        reason: row.deadLetterReason,
        attemptCount: row.attemptCount,
        deadLetteredAt: row.deadLetteredAt!.toISOString(),
      }),
    );
  }

  countDeadLetters(endpointId?: string): Promise<number> {
    return this.repository.countDeadLetters(endpointId);
  }

  /** Dead letters per hour since `since` (hours without any are absent). */
  deadLettersPerHour(since: Date, applicationId?: string): Promise<{ at: Date; count: number }[]> {
    return this.repository.deadLettersPerHour(since, applicationId);
  }

  /** The portal's success-rate chart of one endpoint (contract §7.2). */
  attemptsPerHour(endpointId: string, since: Date): Promise<{ at: Date; total: number; succeeded: number }[]> {
    return this.repository.attemptsPerHour(endpointId, since);
  }

  /** The latest attempts to one endpoint, newest first. */
  recentAttempts(endpointId: string, limit: number): Promise<RecentAttempt[]> {
    return this.repository.recentAttempts(endpointId, limit);
  }
}
