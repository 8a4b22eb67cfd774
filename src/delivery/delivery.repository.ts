import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTORS } from '../audit/audit.types';
import { PrismaService } from '../common/database/prisma.service';
import { Delivery, DeliveryStatus, Endpoint, Event, Prisma } from '../generated/prisma/client';
import { AttemptResult } from './delivery-sender';

type Tx = Prisma.TransactionClient;

/** A delivery with what an attempt needs to know. */
export type DeliveryContext = Delivery & { event: Event & { integration: { slug: string } }; endpoint: Endpoint };

/** How an attempt leaves the delivery. */
export type Transition =
  | { status: 'succeeded' }
  | { status: 'retrying'; nextAttemptAt: Date }
  | { status: 'dead_lettered'; reason: string; disableEndpoint?: boolean };

/** Deliveries and their attempts. Every attempt is written with the delivery's and the event's new status in one transaction. */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One delivery per (event, endpoint); existing ones are kept (a retried fan-out creates nothing twice). */
  async ensureDeliveries(eventId: string, endpointIds: string[]): Promise<(Delivery & { endpoint: Endpoint })[]> {
    if (endpointIds.length) {
      await this.prisma.delivery.createMany({ data: endpointIds.map((endpointId) => ({ eventId, endpointId })), skipDuplicates: true });
    }
    return this.prisma.delivery.findMany({ where: { eventId }, include: { endpoint: true } });
  }

  findContext(deliveryId: string): Promise<DeliveryContext | null> {
    return this.prisma.delivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true, event: { include: { integration: { select: { slug: true } } } } } });
  }

  async markInFlight(deliveryId: string): Promise<void> {
    await this.prisma.delivery.update({ where: { id: deliveryId }, data: { status: 'in_flight' } });
  }

  /** Records one attempt and applies its transition; returns the attempt number. */
  recordAttempt(context: DeliveryContext, result: AttemptResult, transition: Transition, replayRequestId?: string): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      // Serializes the deliveries of one event, so the event's roll-up sees every sibling's final status.
      await tx.$queryRaw`SELECT id FROM events WHERE id = ${context.eventId}::uuid FOR UPDATE`;
      const { attemptCount } = await tx.delivery.update({ where: { id: context.id }, data: { attemptCount: { increment: 1 } }, select: { attemptCount: true } });
      await tx.deliveryAttempt.create({
        data: {
          deliveryId: context.id,
          number: attemptCount,
          url: context.endpoint.url,
          requestHeaders: result.requestHeaders,
          responseStatus: result.responseStatus,
          responseHeaders: result.responseHeaders ?? undefined,
          responseBody: result.responseBody,
          outcome: result.outcome,
          error: result.error,
          errorClass: result.errorClass,
          durationMs: result.durationMs,
          startedAt: new Date(Date.now() - result.durationMs),
          replayRequestId: replayRequestId ?? null,
        },
      });
      await this.applyTransition(tx, context, transition, result.error, attemptCount);
      if (transition.status !== 'retrying' && replayRequestId) await this.countReplayCompletion(tx, replayRequestId);
      await this.rollUpEvent(tx, context.eventId);
      return attemptCount;
    });
  }

  /** Dead-letters a delivery that failed without a recordable attempt (e.g. the worker's last try crashed). */
  async deadLetterUnrecorded(deliveryId: string, reason: string, replayRequestId?: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const delivery = await tx.delivery.findUnique({ where: { id: deliveryId } });
      if (!delivery || delivery.status === 'dead_lettered' || delivery.status === 'succeeded') return false;
      await tx.$queryRaw`SELECT id FROM events WHERE id = ${delivery.eventId}::uuid FOR UPDATE`;
      await tx.delivery.update({ where: { id: deliveryId }, data: { status: 'dead_lettered', deadLetterReason: reason, deadLetteredAt: new Date(), nextAttemptAt: null } });
      await tx.auditEntry.create({ data: { actor: SYSTEM_ACTORS.worker, action: 'delivery.dead_lettered', eventId: delivery.eventId, subjectType: 'delivery', subjectId: deliveryId, details: { reason } } });
      if (replayRequestId) await this.countReplayCompletion(tx, replayRequestId);
      await this.rollUpEvent(tx, delivery.eventId);
      return true;
    });
  }

  async setEventStatus(eventId: string, status: 'processing' | 'no_subscribers'): Promise<void> {
    await this.prisma.event.update({ where: { id: eventId }, data: { status } });
  }

  private async applyTransition(tx: Tx, context: DeliveryContext, transition: Transition, error: string | null, attempt: number): Promise<void> {
    const audit = (action: string, details: Record<string, unknown>) =>
      tx.auditEntry.create({ data: { actor: SYSTEM_ACTORS.worker, action, eventId: context.eventId, subjectType: 'delivery', subjectId: context.id, details: { endpointId: context.endpointId, attempt, ...details } as Prisma.InputJsonValue } });
    if (transition.status === 'succeeded') {
      await tx.delivery.update({ where: { id: context.id }, data: { status: 'succeeded', succeededAt: new Date(), nextAttemptAt: null, lastError: null } });
      await audit('delivery.succeeded', {});
      return;
    }
    if (transition.status === 'retrying') {
      await tx.delivery.update({ where: { id: context.id }, data: { status: 'retrying', nextAttemptAt: transition.nextAttemptAt, lastError: error } });
      await audit('delivery.retry_scheduled', { error, nextAttemptAt: transition.nextAttemptAt.toISOString() });
      return;
    }
    await tx.delivery.update({
      where: { id: context.id },
      data: { status: 'dead_lettered', deadLetterReason: transition.reason, deadLetteredAt: new Date(), nextAttemptAt: null, lastError: error },
    });
    await audit('delivery.dead_lettered', { reason: transition.reason });
    if (transition.disableEndpoint) {
      await tx.endpoint.update({ where: { id: context.endpointId }, data: { enabled: false, disabledReason: 'endpoint answered 410 Gone' } });
      await tx.auditEntry.create({ data: { actor: SYSTEM_ACTORS.worker, action: 'endpoint.disabled', eventId: context.eventId, subjectType: 'endpoint', subjectId: context.endpointId, details: { reason: 'endpoint answered 410 Gone', deliveryId: context.id } } });
    }
  }

  /** Event status from its deliveries: still open → processing; all ok → delivered; none ok → failed; else partial. */
  private async rollUpEvent(tx: Tx, eventId: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE events e SET status = CASE
          WHEN agg.open > 0 THEN 'processing'::"EventStatus"
          WHEN agg.total = 0 THEN e.status
          WHEN agg.dead = 0 THEN 'delivered'::"EventStatus"
          WHEN agg.ok = 0 THEN 'failed'::"EventStatus"
          ELSE 'partially_delivered'::"EventStatus" END,
        updated_at = now()
      FROM (SELECT count(*) AS total,
                   count(*) FILTER (WHERE status IN ('pending', 'in_flight', 'retrying')) AS open,
                   count(*) FILTER (WHERE status = 'succeeded') AS ok,
                   count(*) FILTER (WHERE status = 'dead_lettered') AS dead
            FROM deliveries WHERE event_id = ${eventId}::uuid) agg
      WHERE e.id = ${eventId}::uuid`;
  }

  /** A replay's delivery reached its end; the replay completes when its walk is done and every job finished. */
  private async countReplayCompletion(tx: Tx, replayRequestId: string): Promise<void> {
    await tx.$executeRaw`
      UPDATE replay_requests SET completed = completed + 1,
        status = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + 1 >= enqueued
                      THEN 'completed'::"ReplayStatus" ELSE status END,
        finished_at = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + 1 >= enqueued
                           THEN now() ELSE finished_at END,
        updated_at = now()
      WHERE id = ${replayRequestId}::uuid`;
  }

  /** Resets deliveries for another run (replay or redrive): history kept, attempt numbering continues. */
  async resetForRun(deliveryIds: string[], replayRequestId: string): Promise<void> {
    if (!deliveryIds.length) return;
    await this.prisma.delivery.updateMany({
      where: { id: { in: deliveryIds } },
      data: { status: 'pending' as DeliveryStatus, replayRequestId, deadLetterReason: null, deadLetteredAt: null, nextAttemptAt: null, succeededAt: null },
    });
    await this.prisma.$executeRaw`
      UPDATE events SET status = 'processing', updated_at = now()
      WHERE id IN (SELECT DISTINCT event_id FROM deliveries WHERE id = ANY(${deliveryIds}::uuid[]))`;
  }
}
