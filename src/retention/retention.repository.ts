import { Injectable } from '@nestjs/common';
import { HotPathPool } from '../common/database/pg-pool';
import { PurgedCounts } from './retention.types';

/** Final statuses: nothing will deliver these events again unless a replay reopens them. */
const FINAL_STATUSES = `('delivered', 'partially_delivered', 'failed', 'no_subscribers')`;

/**
 * Oldest raw requests first, through raw_webhooks_received_at_idx, and their events unlinked in the same statement
 * through events_raw_webhook_id_key (there is no foreign key to do it: the ingest statement writes both rows, see
 * migration 20261202100000). SKIP LOCKED: a row being written is left for the next batch.
 */
const PURGE_RAW = `
  WITH purged AS (
    DELETE FROM raw_webhooks WHERE id IN (
      SELECT id FROM raw_webhooks WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING id
  ), unlinked AS (
    -- Nothing reads it, and it runs all the same: PostgreSQL executes every data-modifying CTE.
    UPDATE events SET raw_webhook_id = NULL WHERE raw_webhook_id IN (SELECT id FROM purged)
  )
  SELECT count(*)::int AS purged FROM purged`;

/**
 * Up to $2 expired events in a final status, with everything hanging off them, in one statement (one transaction,
 * like the hot path's): attempts, deliveries, the events, their raw requests. Picked rows are locked (SKIP LOCKED: a
 * replay reopening one keeps it for the next run). Left alone: events with an open delivery, events whose
 * deliveries a pending or running replay drives (even those already finished: the replay still counts them), and
 * events a pending single-event replay names. Foreign keys are checked at the end of the statement, so the order of
 * the CTEs does not matter to them.
 */
const PURGE_EVENTS = `
  WITH picked AS (
    SELECT e.id, e.raw_webhook_id FROM events e
    WHERE e.status IN ${FINAL_STATUSES} AND e.received_at < $1 AND e.deliveries_open = 0
      AND e.integration_id <> ALL (ARRAY(SELECT id FROM integrations WHERE application_id = ANY($3::uuid[])))
      AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN replay_requests r ON r.id = d.replay_request_id
                      WHERE d.event_id = e.id AND r.status IN ('pending', 'running'))
      AND NOT EXISTS (SELECT 1 FROM replay_requests r
                      WHERE r.kind = 'event' AND r.status IN ('pending', 'running') AND r.filter->>'eventId' = e.id::text)
    ORDER BY e.received_at LIMIT $2
    FOR UPDATE OF e SKIP LOCKED
  ), gone_attempts AS (
    DELETE FROM delivery_attempts a USING deliveries d, picked p WHERE a.delivery_id = d.id AND d.event_id = p.id RETURNING 1
  ), gone_deliveries AS (
    DELETE FROM deliveries d USING picked p WHERE d.event_id = p.id RETURNING 1
  ), gone_events AS (
    DELETE FROM events e USING picked p WHERE e.id = p.id RETURNING 1
  ), gone_raw AS (
    DELETE FROM raw_webhooks r USING picked p WHERE r.id = p.raw_webhook_id RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone_events)::int AS events, (SELECT count(*) FROM gone_deliveries)::int AS deliveries,
         (SELECT count(*) FROM gone_attempts)::int AS attempts, (SELECT count(*) FROM gone_raw)::int AS raw`;

/**
 * The applications of the bulk replays and redrives still walking their matches (a null one walks every
 * application): a walk could reach any finished event of its application, so those events wait for it.
 */
const REPLAY_WALKS_IN_PROGRESS = `
  SELECT DISTINCT application_id::text AS "applicationId" FROM replay_requests
  WHERE kind IN ('bulk', 'redrive') AND status IN ('pending', 'running')
    AND coalesce((cursor->>'done')::boolean, false) = false`;

/**
 * The purges of the retention job. They cross the tables of events, raw requests, deliveries and attempts because
 * an event goes with everything hanging off it, in one statement per batch. Audit entries go through the audit module (AuditRepository).
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly pool: HotPathPool) {}

  /** Deletes up to `limit` raw requests received before `before`; their events stay with `raw` null. */
  async purgeRawBatch(before: Date, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ purged: number }>({
      name: 'retention-purge-raw',
      text: PURGE_RAW,
      values: [before, limit],
    });
    return rows[0].purged;
  }

  /** The applications a replay walk is in; null among them for a walk across every application. */
  async applicationsBeingWalked(): Promise<(string | null)[]> {
    const { rows } = await this.pool.query<{ applicationId: string | null }>(REPLAY_WALKS_IN_PROGRESS);
    return rows.map((row) => row.applicationId);
  }

  /**
   * Deletes up to `limit` expired final events with their deliveries, attempts and raw requests, none of the
   * applications in `sparing`.
   */
  async purgeEventsBatch(before: Date, limit: number, sparing: string[]): Promise<Omit<PurgedCounts, 'audit'>> {
    const { rows } = await this.pool.query<Omit<PurgedCounts, 'audit'>>({
      name: 'retention-purge-events',
      text: PURGE_EVENTS,
      values: [before, limit, sparing],
    });
    return rows[0];
  }
}
