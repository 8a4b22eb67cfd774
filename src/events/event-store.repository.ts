import { Injectable } from '@nestjs/common';
import { PrismaService } from '../common/database/prisma.service';
import { SYSTEM_ACTORS } from '../audit/audit.types';
import { JobName } from '../queue/queue-names';
import { IncomingEvent, PendingOutboxEntry, StoreResult } from './event-store.types';

type Tx = Parameters<Parameters<PrismaService['$transaction']>[0]>[0];

/**
 * The event store's write side. One statement per webhook inserts the event and, only when the idempotency key
 * is new, its raw request, outbox row and audit entry; PostgreSQL's unique index decides duplicates.
 */
@Injectable()
export class EventStoreRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores a batch in ONE transaction (group commit); results are in input order. */
  storeBatch(items: IncomingEvent[]): Promise<StoreResult[]> {
    return this.prisma.$transaction(async (tx) => {
      const results: StoreResult[] = [];
      for (const item of items) results.push(await this.storeOne(tx, item));
      return results;
    });
  }

  private async storeOne(tx: Tx, item: IncomingEvent): Promise<StoreResult> {
    const details = JSON.stringify({ integration: item.integrationSlug, type: item.type, externalId: item.externalId });
    const [row] = await tx.$queryRaw<{ inserted: string | null; existing: string | null }[]>`
      WITH ev AS (
        INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status,
                            occurred_at, received_at, data, traceparent, updated_at)
        VALUES (${item.eventId}::uuid, ${item.integrationId}::uuid, ${item.rawWebhookId}::uuid, ${item.provider}, ${item.type},
                ${item.externalId}, ${item.idempotencyKey}, 'received', ${item.occurredAt}::timestamptz, ${item.receivedAt}::timestamptz,
                ${JSON.stringify(item.data)}::jsonb, ${item.traceparent}, now())
        ON CONFLICT (integration_id, idempotency_key) DO NOTHING
        RETURNING id
      ), raw AS (
        INSERT INTO raw_webhooks (id, integration_id, headers, body, source_ip, received_at)
        SELECT ${item.rawWebhookId}::uuid, ${item.integrationId}::uuid, ${JSON.stringify(item.headers)}::jsonb, ${item.body},
               ${item.sourceIp}, ${item.receivedAt}::timestamptz
        WHERE EXISTS (SELECT 1 FROM ev)
      ), outbox_row AS (
        INSERT INTO outbox (id, event_id, job_name, status, created_at)
        SELECT ${item.outboxId}::uuid, id, ${JobName.ProcessEvent}, 'pending', now() FROM ev
      ), audit AS (
        INSERT INTO audit_entries (id, at, actor, action, event_id, subject_type, subject_id, details)
        SELECT gen_random_uuid(), now(), ${SYSTEM_ACTORS.ingress}, 'event.received', id, 'event', id::text, ${details}::jsonb FROM ev
      )
      SELECT (SELECT id::text FROM ev) AS inserted,
             (SELECT id::text FROM events WHERE integration_id = ${item.integrationId}::uuid AND idempotency_key = ${item.idempotencyKey}) AS existing`;
    if (row.inserted) return { eventId: row.inserted, duplicate: false };
    if (row.existing) return { eventId: row.existing, duplicate: true };
    // The conflicting row was committed by a concurrent request after this statement's snapshot: look again.
    const [first] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM events WHERE integration_id = ${item.integrationId}::uuid AND idempotency_key = ${item.idempotencyKey}`;
    return { eventId: first.id, duplicate: true };
  }

  /** The event with this idempotency key, if stored (dedup fast path after a Redis marker hit). */
  async findEventId(integrationId: string, idempotencyKey: string): Promise<string | null> {
    const row = await this.prisma.event.findUnique({ where: { integrationId_idempotencyKey: { integrationId, idempotencyKey } }, select: { id: true } });
    return row?.id ?? null;
  }

  /** After BullMQ accepted the jobs: outbox rows done, events `received` → `queued` (never backwards). */
  async markEnqueued(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.prisma.$executeRaw`
      WITH done AS (
        UPDATE outbox SET status = 'enqueued', enqueued_at = now(), attempts = attempts + 1
        WHERE event_id = ANY(${eventIds}::uuid[]) AND status = 'pending'
        RETURNING event_id
      )
      UPDATE events SET status = 'queued', updated_at = now()
      WHERE id IN (SELECT event_id FROM done) AND status = 'received'`;
  }

  async recordEnqueueFailure(eventIds: string[], error: string): Promise<void> {
    if (!eventIds.length) return;
    await this.prisma.$executeRaw`
      UPDATE outbox SET attempts = attempts + 1, last_error = ${error.slice(0, 500)}
      WHERE event_id = ANY(${eventIds}::uuid[]) AND status = 'pending'`;
  }

  /** Outbox rows older than `minAgeMs` that never reached BullMQ, oldest first. */
  findPendingOutbox(minAgeMs: number, limit: number): Promise<PendingOutboxEntry[]> {
    return this.prisma.$queryRaw<PendingOutboxEntry[]>`
      SELECT o.event_id::text AS "eventId", e.traceparent
      FROM outbox o JOIN events e ON e.id = o.event_id
      WHERE o.status = 'pending' AND o.created_at < now() - make_interval(secs => ${minAgeMs / 1000})
      ORDER BY o.created_at
      LIMIT ${limit}`;
  }

  /** Number of outbox rows not yet handed to BullMQ, and the age of the oldest in seconds. */
  async outboxBacklog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [row] = await this.prisma.$queryRaw<{ count: bigint; oldest: number | null }[]>`
      SELECT count(*) AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest FROM outbox WHERE status = 'pending'`;
    return { count: Number(row.count), oldestAgeSeconds: row.oldest ?? 0 };
  }
}
