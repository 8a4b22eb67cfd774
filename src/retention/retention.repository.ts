import { Injectable } from '@nestjs/common';
import { HotPathPool } from '../common/database/pg-pool';
import { PurgedCounts } from './retention.types';

/** Final statuses: nothing will deliver these events again unless a replay reopens them. */
const FINAL_STATUSES = `('delivered', 'partially_delivered', 'failed', 'no_subscribers')`;

/**
 * Oldest raw requests first, through raw_webhooks_received_at_idx; the foreign key (ON DELETE SET NULL) unlinks
 * their events through events_raw_webhook_id_key. SKIP LOCKED: a row being written is left for the next batch.
 */
const PURGE_RAW = `
  DELETE FROM raw_webhooks WHERE id IN (
    SELECT id FROM raw_webhooks WHERE received_at < $1 ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)`;

/**
 * Expired events in a final status, locked for the rest of the transaction (a replay that reopens one waits, then
 * finds it gone). Left alone: events with an open delivery, events whose deliveries a pending or running replay
 * drives (even those already finished: the replay still counts them), and events a pending single-event replay names.
 */
const PICK_EXPIRED_EVENTS = `
  SELECT e.id, e.raw_webhook_id FROM events e
  WHERE e.status IN ${FINAL_STATUSES} AND e.received_at < $1 AND e.deliveries_open = 0
    AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN replay_requests r ON r.id = d.replay_request_id
                    WHERE d.event_id = e.id AND r.status IN ('pending', 'running'))
    AND NOT EXISTS (SELECT 1 FROM replay_requests r
                    WHERE r.kind = 'event' AND r.status IN ('pending', 'running') AND r.filter->>'eventId' = e.id::text)
  ORDER BY e.received_at LIMIT $2
  FOR UPDATE OF e SKIP LOCKED`;

/** A bulk replay or redrive still walking its matches could reach any finished event: events wait for it. */
const REPLAY_WALK_IN_PROGRESS = `
  SELECT EXISTS (SELECT 1 FROM replay_requests WHERE kind IN ('bulk', 'redrive') AND status IN ('pending', 'running')
                 AND coalesce((cursor->>'done')::boolean, false) = false) AS walking`;

/**
 * The purges of the retention job. They cross the tables of events, raw requests, deliveries and attempts because
 * an event goes with everything hanging off it, in one transaction per batch (the foreign keys demand the order
 * attempts → deliveries → events → raw requests). Audit entries go through the audit module (AuditRepository).
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly pool: HotPathPool) {}

  /** Deletes up to `limit` raw requests received before `before`; their events stay with `raw` null. */
  async purgeRawBatch(before: Date, limit: number): Promise<number> {
    const { rowCount } = await this.pool.query({ name: 'retention-purge-raw', text: PURGE_RAW, values: [before, limit] });
    return rowCount ?? 0;
  }

  async replayWalkInProgress(): Promise<boolean> {
    const { rows } = await this.pool.query<{ walking: boolean }>(REPLAY_WALK_IN_PROGRESS);
    return rows[0].walking;
  }

  /** Deletes up to `limit` expired final events with their deliveries, attempts and raw requests, in one transaction. */
  async purgeEventsBatch(before: Date, limit: number): Promise<Omit<PurgedCounts, 'audit'>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; raw_webhook_id: string | null }>({ name: 'retention-pick-events', text: PICK_EXPIRED_EVENTS, values: [before, limit] });
      const eventIds = rows.map((row) => row.id);
      const rawIds = rows.map((row) => row.raw_webhook_id).filter((id): id is string => id !== null);
      const attempts = await client.query({
        name: 'retention-purge-attempts',
        text: 'DELETE FROM delivery_attempts a USING deliveries d WHERE a.delivery_id = d.id AND d.event_id = ANY($1::uuid[])',
        values: [eventIds],
      });
      const deliveries = await client.query({ name: 'retention-purge-deliveries', text: 'DELETE FROM deliveries WHERE event_id = ANY($1::uuid[])', values: [eventIds] });
      const events = await client.query({ name: 'retention-purge-events', text: 'DELETE FROM events WHERE id = ANY($1::uuid[])', values: [eventIds] });
      const raw = await client.query({ name: 'retention-purge-raw-of-events', text: 'DELETE FROM raw_webhooks WHERE id = ANY($1::uuid[])', values: [rawIds] });
      await client.query('COMMIT');
      return { events: events.rowCount ?? 0, deliveries: deliveries.rowCount ?? 0, attempts: attempts.rowCount ?? 0, raw: raw.rowCount ?? 0 };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
