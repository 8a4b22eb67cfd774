import { Injectable } from '@nestjs/common';
import { HotPathPool } from '../common/database/pg-pool';
import { statusIn } from '../common/database/status-filter';
import { insertDeliveriesFrom, WAITING_FOR_THEIR_KEY } from '../delivery/delivery-sql';
import { DEFAULT_APPLICATION_ID } from '../common/tenancy/default-application';
import { EventRouting, IncomingEvent, PendingHandOff, StoreResult } from './event-store.types';

/**
 * One statement stores a whole batch: the events (PostgreSQL's unique index on the idempotency key decides
 * duplicates, including two copies inside one batch), for each new one its raw request and, when the ingress routed
 * it, its deliveries (the event is then `processing`, or `no_subscribers` without any). It answers, in input order,
 * the stored event id of every item, whether this item created it, and the deliveries it created. Events in status
 * `received` (not routed) are the outbox of the worker's fan-out (a partial index keeps finding them cheap).
 */
const STORE_BATCH = `
  WITH input AS (
    SELECT t.*, h.value AS headers, b.body,
           CASE WHEN t.data_from_body THEN convert_from(b.body, 'UTF8')::jsonb ELSE d.value END AS data
    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $13::int[], $14::int[], $17::int[],
                $20::boolean[], $21::text[])
      WITH ORDINALITY AS t(event_id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key,
                           occurred_at, received_at, traceparent, source_ip, body_start, body_length, route_count,
                           data_from_body, ordering_key, ord)
    CROSS JOIN LATERAL (SELECT substring($12::bytea FROM t.body_start FOR t.body_length) AS body) b
    JOIN jsonb_array_elements($15::jsonb) WITH ORDINALITY AS d(value, ord) ON d.ord = t.ord
    JOIN jsonb_array_elements($16::jsonb) WITH ORDINALITY AS h(value, ord) ON h.ord = t.ord
  ), inserted AS (
    INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status,
                        deliveries_open, occurred_at, received_at, data, traceparent, ordering_key, updated_at)
    SELECT event_id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key,
           CASE WHEN route_count IS NULL THEN 'received' WHEN route_count > 0 THEN 'processing' ELSE 'no_subscribers' END::"EventStatus",
           coalesce(route_count, 0), occurred_at, received_at, data, traceparent, ordering_key, now()
    FROM input ORDER BY ord
    ON CONFLICT (integration_id, idempotency_key) DO NOTHING
    RETURNING id, integration_id, idempotency_key, raw_webhook_id
  ), raw AS (
    INSERT INTO raw_webhooks (id, integration_id, headers, body, source_ip, received_at)
    SELECT i.raw_webhook_id, i.integration_id, i.headers, i.body, i.source_ip, i.received_at
    FROM input i JOIN inserted e ON e.raw_webhook_id = i.raw_webhook_id
  ), created_deliveries AS (${insertDeliveriesFrom(`(
      SELECT e.id AS event_id, r.endpoint_id, CASE WHEN r.fifo THEN i.ordering_key END AS ordering_key
      FROM unnest($18::int[], $19::uuid[], $22::boolean[]) AS r(ord, endpoint_id, fifo)
      JOIN input i ON i.ord = r.ord JOIN inserted e ON e.id = i.event_id ORDER BY r.ord) AS routed`)}
  ), deliveries_by_event AS (
    SELECT event_id, array_agg(id::text) AS ids, array_agg(endpoint_id::text) AS endpoint_ids
    FROM created_deliveries GROUP BY event_id
  )
  SELECT (own.id IS NOT NULL) AS created,
         -- A duplicate's stored event is looked up only for a duplicate (coalesce stops at the first value), by its
         -- unique index: a join would be planned once, on an empty table, as a scan of the whole table.
         coalesce(own.id, first_in_batch.id, (
           SELECT stored.id FROM events stored
           WHERE stored.integration_id = i.integration_id AND stored.idempotency_key = i.idempotency_key))::text AS event_id,
         made.ids AS delivery_ids, made.endpoint_ids AS delivery_endpoint_ids
  FROM input i
  LEFT JOIN inserted own ON own.id = i.event_id
  LEFT JOIN inserted first_in_batch ON first_in_batch.integration_id = i.integration_id AND first_in_batch.idempotency_key = i.idempotency_key
  LEFT JOIN deliveries_by_event made ON made.event_id = own.id
  ORDER BY i.ord`;

/** The event a concurrent process committed after the batch statement's snapshot was taken. */
const FIND_BY_KEY = `SELECT id::text FROM events WHERE integration_id = $1::uuid AND idempotency_key = $2`;

/**
 * The application one of Hookgate's own events belongs to: its subject's (the endpoint it is about, else the
 * replay), else `default` (§7.1: an application's operational and test events are its own, never another's).
 */
const internalApplication = (endpointId: string, replayRequestId: string) => `
  application AS (
    SELECT COALESCE(
      (SELECT application_id FROM endpoints WHERE id = ${endpointId}::uuid),
      (SELECT application_id FROM replay_requests WHERE id = ${replayRequestId}::uuid),
      '${DEFAULT_APPLICATION_ID}'::uuid) AS id
  )`;

/**
 * One of Hookgate's own events (integration and provider `hookgate` of its application) with its raw record (the
 * JSON as stored, so GET /events/:id shows it like any other). `$6` is its first status: `received` joins the outbox
 * and the fan-out, `processing` is for an event whose single delivery the caller creates (a test event). No row when
 * the application has no `hookgate` integration yet (ENSURE_INTERNAL_INTEGRATION).
 */
const STORE_INTERNAL = `
  WITH ${internalApplication('$7', '$8')}, integration AS (
    SELECT i.id, i.application_id FROM integrations i JOIN application a ON i.application_id = a.id
    WHERE i.slug = 'hookgate'
  ), raw AS (
    INSERT INTO raw_webhooks (id, integration_id, headers, body, source_ip, received_at)
    SELECT hookgate_uuid_v7(), id, '{"content-type": "application/json"}'::jsonb, convert_to($4::text, 'UTF8'), NULL, now() FROM integration
    RETURNING id, integration_id, received_at
  )
  INSERT INTO events (id, integration_id, raw_webhook_id, provider, type, external_id, idempotency_key, status, occurred_at,
                      received_at, data, traceparent, updated_at)
  SELECT $1::uuid, integration_id, id, 'hookgate', $2::text, $3::text, $3::text, $6::text::"EventStatus", received_at, received_at,
         $4::jsonb, $5::text, now()
  FROM raw
  RETURNING id::text, (SELECT application_id::text FROM integration) AS application_id`;

/**
 * The `hookgate` integration of an application, made the first time one of its own events is stored (the migration
 * made `default`'s). Disabled and without a secret: it has no ingress (no adapter is called `hookgate`).
 */
const ENSURE_INTERNAL_INTEGRATION = `
  WITH ${internalApplication('$1', '$2')}
  INSERT INTO integrations (id, application_id, slug, provider, secret, enabled, updated_at)
  SELECT hookgate_uuid_v7(), id, 'hookgate', 'hookgate', '', false, now() FROM application
  ON CONFLICT (application_id, slug) DO NOTHING`;

/**
 * Handed to BullMQ: `received` → `queued`, never backwards (the fan-out may already have moved it on). The events are
 * found by id, not through the outbox's partial index (statusIn).
 */
export const MARK_QUEUED = `
  UPDATE events SET status = 'queued', updated_at = now() WHERE id = ANY($1::uuid[]) AND ${statusIn('status', 'received')}`;

interface StoredRow {
  created: boolean;
  event_id: string | null;
  delivery_ids: string[] | null;
  delivery_endpoint_ids: string[] | null;
}

function deliveriesOf(row: StoredRow): { id: string; endpointId: string }[] {
  return (row.delivery_ids ?? []).map((id, index) => ({ id, endpointId: row.delivery_endpoint_ids![index] }));
}

/** 1-based position of each item's body in the concatenated bodies. */
function bodyStarts(items: IncomingEvent[]): number[] {
  let next = 1;
  return items.map((item) => {
    const start = next;
    next += item.body.length;
    return start;
  });
}

@Injectable()
export class EventStoreRepository {
  constructor(private readonly pool: HotPathPool) {}

  /** Stores a batch in one statement (one transaction, one WAL flush); results are in input order. */
  async storeBatch(items: IncomingEvent[]): Promise<StoreResult[]> {
    const routes = items.flatMap((item, index) =>
      (item.routes ?? []).map((route) => ({ ord: index + 1, endpointId: route.endpointId, fifo: route.fifo })),
    );
    const { rows } = await this.pool.query<StoredRow>({
      name: 'ingest-store-batch',
      text: STORE_BATCH,
      values: [
        items.map((item) => item.eventId),
        items.map((item) => item.integrationId),
        items.map((item) => item.rawWebhookId),
        items.map((item) => item.provider),
        items.map((item) => item.type),
        items.map((item) => item.externalId),
        items.map((item) => item.idempotencyKey),
        items.map((item) => item.occurredAt),
        items.map((item) => item.receivedAt),
        items.map((item) => item.traceparent),
        items.map((item) => item.sourceIp),
        // Large values travel whole, not as array literals (no escaping, no hex): the bodies as one binary
        // parameter cut by offsets, headers (and payloads PostgreSQL cannot take from the body) as one JSON array each.
        Buffer.concat(items.map((item) => item.body)),
        bodyStarts(items),
        items.map((item) => item.body.length),
        JSON.stringify(items.map((item) => (item.dataFromBody ? null : item.data))),
        JSON.stringify(items.map((item) => item.headers)),
        items.map((item) => item.routes?.length ?? null),
        routes.map((route) => route.ord),
        routes.map((route) => route.endpointId),
        items.map((item) => item.dataFromBody),
        items.map((item) => item.orderingKey),
        routes.map((route) => route.fifo),
      ],
    });
    return Promise.all(
      rows.map(async (row, index) => {
        if (row.event_id) return { eventId: row.event_id, duplicate: !row.created, deliveries: deliveriesOf(row) };
        const { rows: found } = await this.pool.query<{ id: string }>({
          name: 'ingest-find-by-key',
          text: FIND_BY_KEY,
          values: [items[index].integrationId, items[index].idempotencyKey],
        });
        return { eventId: found[0].id, duplicate: true };
      }),
    );
  }

  /**
   * Stores one of Hookgate's own events (see STORE_INTERNAL) in its subject's application, which it returns; its
   * external id is also its idempotency key.
   */
  async storeInternal(event: {
    eventId: string;
    type: string;
    externalId: string;
    data: object;
    traceparent: string | null;
    status: 'received' | 'processing';
    about: { endpointId?: string; replayRequestId?: string };
  }): Promise<{ applicationId: string }> {
    const values = [
      event.eventId,
      event.type,
      event.externalId,
      JSON.stringify(event.data),
      event.traceparent,
      event.status,
      event.about.endpointId ?? null,
      event.about.replayRequestId ?? null,
    ];
    const store = () =>
      this.pool.query<{ application_id: string }>({ name: 'event-store-internal', text: STORE_INTERNAL, values });
    let { rows } = await store();
    if (!rows.length) {
      // A statement of its own, so the store that follows sees a row a concurrent process made meanwhile.
      await this.pool.query({
        name: 'event-store-internal-integration',
        text: ENSURE_INTERNAL_INTEGRATION,
        values: values.slice(6),
      });
      ({ rows } = await store());
    }
    if (!rows.length) throw new Error('the integration "hookgate" could not be made: run the migrations');
    return { applicationId: rows[0].application_id };
  }

  /** Of these deliveries to `fifo` endpoints, those that wait for an earlier delivery of their key. */
  async waitingForTheirKey(deliveryIds: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ id: string }>({
      name: 'ingest-waiting-for-their-key',
      text: WAITING_FOR_THEIR_KEY,
      values: [deliveryIds],
    });
    return new Set(rows.map((row) => row.id));
  }

  async markQueued(eventIds: string[]): Promise<void> {
    if (eventIds.length) await this.pool.query({ name: 'ingest-mark-queued', text: MARK_QUEUED, values: [eventIds] });
  }

  /** Accepted events older than `minAgeMs` that were never handed to BullMQ, oldest first. */
  async findNotHandedOff(minAgeMs: number, limit: number): Promise<PendingHandOff[]> {
    const { rows } = await this.pool.query<PendingHandOff>(
      `SELECT e.id::text AS "eventId", i.application_id::text AS "applicationId", e.type, i.slug AS integration, e.traceparent
       FROM events e JOIN integrations i ON i.id = e.integration_id
       WHERE e.status = 'received' AND e.received_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY e.received_at LIMIT $2`,
      [minAgeMs, limit],
    );
    return rows;
  }

  /** Accepted events still not fanned out `stuckAfterMs` after their last change (their job failed or was lost). */
  async findStuck(stuckAfterMs: number, limit: number): Promise<PendingHandOff[]> {
    const { rows } = await this.pool.query<PendingHandOff>(
      `SELECT e.id::text AS "eventId", i.application_id::text AS "applicationId", e.type, i.slug AS integration, e.traceparent
       FROM events e JOIN integrations i ON i.id = e.integration_id
       WHERE e.status IN ('received', 'queued') AND e.updated_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY e.updated_at LIMIT $2`,
      [stuckAfterMs, limit],
    );
    return rows;
  }

  /** The routing of each of these events (those that exist): replays, and processing jobs queued without it. */
  async findRoutings(eventIds: string[]): Promise<(EventRouting & { eventId: string })[]> {
    const { rows } = await this.pool.query<EventRouting & { eventId: string }>(
      `SELECT e.id::text AS "eventId", i.application_id::text AS "applicationId", e.type, i.slug AS integration
       FROM events e JOIN integrations i ON i.id = e.integration_id WHERE e.id = ANY($1::uuid[])`,
      [eventIds],
    );
    return rows;
  }

  /**
   * The envelopes of these events as deliveries carry them (for payload filters), by event id: read once per
   * fan-out or replay batch, and only when a candidate endpoint filters on the payload.
   */
  async findEnvelopes(eventIds: string[]): Promise<Map<string, Record<string, unknown>>> {
    const { rows } = await this.pool.query<{ id: string; envelope: Record<string, unknown> }>({
      name: 'event-find-envelopes',
      text: `SELECT e.id::text, jsonb_build_object('id', e.id, 'type', e.type, 'integration', i.slug, 'provider', e.provider,
                      'externalId', e.external_id, 'occurredAt', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                      'receivedAt', to_char(e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', e.data) AS envelope
             FROM events e JOIN integrations i ON i.id = e.integration_id WHERE e.id = ANY($1::uuid[])`,
      values: [eventIds],
    });
    return new Map(rows.map((row) => [row.id, row.envelope]));
  }

  /** Accepted events not yet handed to BullMQ, and the age of the oldest in seconds. */
  async handOffBacklog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const { rows } = await this.pool.query<{ count: string; oldest: number | null }>(
      `SELECT count(*) AS count, EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS oldest FROM events WHERE status = 'received'`,
    );
    return { count: Number(rows[0].count), oldestAgeSeconds: rows[0].oldest ?? 0 };
  }
}
