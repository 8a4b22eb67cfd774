import { Injectable } from '@nestjs/common';
import { auditRowsFrom } from '../audit/audit-sql';
import { SYSTEM_ACTORS } from '../audit/audit.types';
import { SecretBox } from '../common/crypto/secret-box';
import { HotPathPool } from '../common/database/pg-pool';
import { DeliveryToQueue } from '../queue/delivery-jobs';
import { AttemptResult } from './delivery-sender';
import { insertDeliveriesFrom } from './delivery-sql';

/** What an attempt needs, read by the claim that marks the delivery in flight. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  /** The envelope as sent, built by PostgreSQL from the event (no JSON round trip through the worker). */
  payload: string;
  traceparent: string | null;
  endpoint: {
    url: string;
    secret: string;
    previousSecret: string | null;
    previousSecretExpiresAt: Date | null;
    enabled: boolean;
    deletedAt: Date | null;
    timeoutMs: number | null;
    /** Static headers of the endpoint (§6.6). */
    headers: Record<string, string>;
    /** The endpoint's auth, opened (JSON of EndpointAuth), or null. */
    auth: string | null;
  };
}

/** How an attempt leaves the delivery. */
export type Transition =
  | { status: 'succeeded' }
  | { status: 'retrying'; nextAttemptAt: Date }
  | { status: 'dead_lettered'; reason: string; disableEndpoint?: boolean };

/** A delivery of a fan-out, to put on the queue. */
export interface QueuedDelivery {
  id: string;
  endpointId: string;
}

/** ISO-8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The event status its delivery counters imply; `open`, `ok` and `dead` are the counters' NEW values (SQL
 * expressions). No delivery yet: the status stays.
 */
const rolledUpStatus = (open: string, ok: string, dead: string) => `CASE
    WHEN ${open} > 0 THEN 'processing'
    WHEN ${ok} + ${dead} = 0 THEN status
    WHEN ${dead} = 0 THEN 'delivered'
    WHEN ${ok} = 0 THEN 'failed'
    ELSE 'partially_delivered' END::"EventStatus"`;

/**
 * Marks the delivery in flight for this job and reads what the attempt needs. Only an open delivery can be claimed,
 * and only when no other job holds it (or its claim expired: that job's worker died).
 */
const CLAIM = `
  UPDATE deliveries d SET status = 'in_flight', claimed_by = $2::text,
    claim_expires_at = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
  FROM events e, integrations i, endpoints ep
  WHERE d.id = $1::uuid AND d.status IN ('pending', 'retrying', 'in_flight')
    AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
    AND (d.claimed_by IS NULL OR d.claimed_by = $2::text OR d.claim_expires_at < now())
    AND e.id = d.event_id AND i.id = e.integration_id AND ep.id = d.endpoint_id
  RETURNING d.id::text, d.event_id::text AS "eventId", d.endpoint_id::text AS "endpointId", e.traceparent,
    json_build_object('id', e.id, 'type', e.type, 'integration', i.slug, 'provider', e.provider, 'externalId', e.external_id,
                      'occurredAt', ${iso('e.occurred_at')}, 'receivedAt', ${iso('e.received_at')}, 'data', e.data)::text AS payload,
    json_build_object('url', ep.url, 'secret', ep.secret, 'previousSecret', ep.previous_secret,
                      'previousSecretExpiresAt', ep.previous_secret_expires_at, 'enabled', ep.enabled,
                      'deletedAt', ep.deleted_at, 'timeoutMs', ep.timeout_ms, 'headers', ep.headers, 'auth', ep.auth) AS endpoint`;

/**
 * A replay's delivery reached its end; the replay completes when its walk is done and every job finished.
 * `completed_now` is true for the statement that completed it (for hookgate.replay.completed); finished_at is stored
 * to the millisecond, hence the cast.
 */
const COUNT_REPLAY_COMPLETION = (finished: string) => `
  UPDATE replay_requests r SET completed = completed + 1,
    status = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + 1 >= enqueued
                  THEN 'completed'::"ReplayStatus" ELSE status END,
    finished_at = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + 1 >= enqueued
                       THEN now() ELSE finished_at END,
    updated_at = now()
  FROM ${finished} f WHERE r.id = f.replay_request_id
  RETURNING r.id, r.status = 'completed' AND r.finished_at = now()::timestamptz(3) AS completed_now`;

/**
 * One statement records an attempt: the attempt row, the delivery's new status (only from in flight, so a
 * status never goes back), and for a final outcome the event's counters and status, the replay's progress, the
 * audit entry and, on 410, the endpoint disabled.
 */
const RECORD_ATTEMPT = `
  WITH d AS (
    UPDATE deliveries SET status = $2::text::"DeliveryStatus", attempt_count = attempt_count + 1,
      next_attempt_at = $3::timestamptz, last_error = $4::text,
      dead_letter_reason = CASE WHEN $2::text = 'dead_lettered' THEN $5::text END,
      dead_lettered_at = CASE WHEN $2::text = 'dead_lettered' THEN now() END,
      succeeded_at = CASE WHEN $2::text = 'succeeded' THEN now() END,
      claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
    WHERE id = $1::uuid AND status = 'in_flight' AND claimed_by = $18::text
    RETURNING id, event_id, endpoint_id, attempt_count, replay_request_id, $2::text IN ('succeeded', 'dead_lettered') AS final
  ), attempt AS (
    INSERT INTO delivery_attempts (id, delivery_id, number, url, request_headers, response_status, response_headers, response_body,
                                   outcome, error, error_class, duration_ms, started_at, replay_request_id)
    SELECT gen_random_uuid(), id, attempt_count, $6::text, $7::jsonb, $8::int, $9::jsonb, $10::text, $11::text, $4::text, $12::text,
           $13::int, $14::timestamptz, $15::uuid FROM d
  ), event AS (
    UPDATE events e SET
      deliveries_open = deliveries_open - 1,
      deliveries_succeeded = deliveries_succeeded + ($2::text = 'succeeded')::int,
      deliveries_dead_lettered = deliveries_dead_lettered + ($2::text = 'dead_lettered')::int,
      status = ${rolledUpStatus('deliveries_open - 1', "deliveries_succeeded + ($2::text = 'succeeded')::int", "deliveries_dead_lettered + ($2::text = 'dead_lettered')::int")},
      updated_at = now()
    FROM d WHERE e.id = d.event_id AND d.final
  ), audit AS (
    ${auditRowsFrom('d WHERE d.final', {
      actor: '$16::text',
      action: "'delivery.' || $2::text",
      eventId: 'event_id',
      subjectType: "'delivery'",
      subjectId: 'id::text',
      details:
        "jsonb_strip_nulls(jsonb_build_object('endpointId', endpoint_id, 'attempt', attempt_count, 'reason', $5::text))",
    })}
  ), replay AS (${COUNT_REPLAY_COMPLETION('(SELECT replay_request_id FROM d WHERE d.final)')}
  ), disabled AS (
    UPDATE endpoints SET enabled = false, disabled_reason = 'endpoint answered 410 Gone', updated_at = now()
    FROM d WHERE endpoints.id = d.endpoint_id AND $17::boolean
    RETURNING endpoints.id
  ), disabled_audit AS (
    ${auditRowsFrom('d JOIN disabled ON disabled.id = d.endpoint_id', {
      actor: '$16::text',
      action: "'endpoint.disabled'",
      eventId: 'd.event_id',
      subjectType: "'endpoint'",
      subjectId: 'd.endpoint_id::text',
      details: "jsonb_build_object('reason', 'endpoint answered 410 Gone', 'deliveryId', d.id)",
    })}
  )
  SELECT attempt_count AS number, (SELECT id::text FROM replay WHERE completed_now) AS "completedReplayId" FROM d`;

/** Dead-letters an open delivery that has no attempt to record (endpoint gone, or the job's last try crashed). */
const DEAD_LETTER_UNRECORDED = `
  WITH d AS (
    UPDATE deliveries SET status = 'dead_lettered', dead_letter_reason = $2::text, dead_lettered_at = now(), next_attempt_at = NULL,
      claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
    WHERE id = $1::uuid AND status IN ('pending', 'in_flight', 'retrying')
      AND (claimed_by IS NULL OR claimed_by = $4::text OR claim_expires_at < now())
    RETURNING id, event_id, replay_request_id
  ), event AS (
    UPDATE events e SET deliveries_open = deliveries_open - 1, deliveries_dead_lettered = deliveries_dead_lettered + 1,
      status = ${rolledUpStatus('deliveries_open - 1', 'deliveries_succeeded', 'deliveries_dead_lettered + 1')}, updated_at = now()
    FROM d WHERE e.id = d.event_id
  ), audit AS (
    ${auditRowsFrom('d', {
      actor: '$3::text',
      action: "'delivery.dead_lettered'",
      eventId: 'event_id',
      subjectType: "'delivery'",
      subjectId: 'id::text',
      details: "jsonb_build_object('reason', $2::text)",
    })}
  ), replay AS (${COUNT_REPLAY_COMPLETION('(SELECT replay_request_id FROM d)')}
  )
  SELECT count(*)::int AS marked, (SELECT id::text FROM replay WHERE completed_now) AS "completedReplayId" FROM d`;

/**
 * A fan-out: one delivery per matching endpoint (the unique (event, endpoint) index makes a retried fan-out create
 * nothing twice), the event's open counter and status, and every first-run delivery still to be queued.
 */
const CREATE_FOR_EVENT = `
  WITH created AS (${insertDeliveriesFrom('unnest($2::uuid[]) AS wanted(endpoint_id), (SELECT $1::uuid AS event_id) AS this_event')}
  ), event AS (
    UPDATE events SET
      deliveries_open = deliveries_open + (SELECT count(*) FROM created),
      status = CASE WHEN deliveries_open + (SELECT count(*) FROM created) > 0 THEN 'processing'
                    WHEN deliveries_succeeded + deliveries_dead_lettered = 0 THEN 'no_subscribers'
                    ELSE status END::"EventStatus",
      updated_at = now()
    WHERE id = $1::uuid
  )
  SELECT id::text, endpoint_id::text AS "endpointId" FROM created
  UNION ALL
  SELECT id::text, endpoint_id::text FROM deliveries WHERE event_id = $1::uuid AND status = 'pending' AND replay_request_id IS NULL`;

/**
 * Resets deliveries for another run (replay or redrive) and returns them with their endpoint's attempt limit:
 * history kept, attempt numbering continues, deliveries to deleted endpoints left out; the counters of their events
 * move the finished ones back to open. A delivery still open keeps its state (a job may hold it): the run joins it.
 */
const RESET_FOR_RUN = `
  WITH before AS (
    SELECT d.id, d.event_id, d.status FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
    WHERE d.id = ANY($1::uuid[]) AND ep.deleted_at IS NULL
    FOR UPDATE OF d
  ), reset AS (
    UPDATE deliveries d SET replay_request_id = $2::uuid, updated_at = now(),
      status = CASE WHEN b.status IN ('succeeded', 'dead_lettered') THEN 'pending' ELSE d.status END,
      dead_letter_reason = NULL, dead_lettered_at = NULL, dead_letter_parked_at = NULL, succeeded_at = NULL,
      next_attempt_at = CASE WHEN b.status IN ('succeeded', 'dead_lettered') THEN NULL ELSE d.next_attempt_at END
    FROM before b WHERE d.id = b.id
    RETURNING d.id, d.endpoint_id
  ), moved AS (
    SELECT event_id, count(*) FILTER (WHERE status = 'succeeded') AS ok, count(*) FILTER (WHERE status = 'dead_lettered') AS dead
    FROM before GROUP BY event_id
  ), counted AS (
    UPDATE events e SET deliveries_open = deliveries_open + m.ok + m.dead, deliveries_succeeded = deliveries_succeeded - m.ok,
      deliveries_dead_lettered = deliveries_dead_lettered - m.dead, status = 'processing', updated_at = now()
    FROM moved m WHERE e.id = m.event_id
  )
  SELECT r.id::text, r.endpoint_id::text AS "endpointId", ep.max_attempts AS "maxAttempts" FROM reset r JOIN endpoints ep ON ep.id = r.endpoint_id`;

/**
 * The deliveries of these (event, endpoint) pairs, created where missing (counted open on their events): a replay
 * of an event to an endpoint that never had it creates its delivery; an existing one keeps its id (webhook-id).
 */
const ENSURE_DELIVERIES = `
  WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS w(event_id, endpoint_id)
  ), created AS (${insertDeliveriesFrom('wanted')}
  ), counted AS (
    UPDATE events e SET deliveries_open = deliveries_open + c.n, status = 'processing', updated_at = now()
    FROM (SELECT event_id, count(*) AS n FROM created GROUP BY event_id) c WHERE e.id = c.event_id
  )
  SELECT id::text FROM created
  UNION ALL
  SELECT d.id::text FROM deliveries d JOIN wanted w ON w.event_id = d.event_id AND w.endpoint_id = d.endpoint_id`;

/**
 * Open deliveries nothing has moved for `$1` ms past when their next attempt was due (their job failed or was lost);
 * not those of a paused endpoint, whose jobs wait on purpose.
 */
const FIND_STUCK = `
  SELECT d.id::text, d.endpoint_id::text AS "endpointId", d.replay_request_id::text AS "replayRequestId",
         greatest(1, coalesce(ep.max_attempts, $2::int) - d.attempt_count) AS "attemptsLeft",
         CASE WHEN d.status = 'in_flight' THEN d.claimed_by END AS "claimedBy"
  FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
  WHERE d.status IN ('pending', 'retrying', 'in_flight') AND ep.deleted_at IS NULL AND ep.paused_at IS NULL
    AND coalesce(CASE WHEN d.status = 'retrying' THEN d.next_attempt_at END, d.updated_at) < now() - make_interval(secs => $1::float8 / 1000)
  ORDER BY d.updated_at LIMIT $3`;

/**
 * First-run deliveries never attempted nor claimed, created more than `$1` ms ago, oldest first: those whose job the
 * ingress could not queue after its commit are among them (the others wait in the queue).
 */
const FIND_FIRST_RUNS_NOT_STARTED = `
  SELECT d.id::text, d.endpoint_id::text AS "endpointId", ep.max_attempts AS "maxAttempts"
  FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.attempt_count = 0 AND d.replay_request_id IS NULL AND d.claimed_by IS NULL
    AND ep.deleted_at IS NULL AND d.created_at < now() - make_interval(secs => $1::float8 / 1000)
  ORDER BY d.created_at LIMIT $2`;

/** An open delivery to hand to the queue again. */
export interface StuckDelivery {
  id: string;
  endpointId: string;
  replayRequestId: string | null;
  attemptsLeft: number;
  /** The job holding it in flight, if any. */
  claimedBy: string | null;
}

/**
 * Deliveries and their attempts, on the worker's hot path: every statement here is one round trip, prepared once
 * per connection, and none holds a lock beyond its own statement.
 */
@Injectable()
export class DeliveryRepository {
  constructor(
    private readonly pool: HotPathPool,
    private readonly secrets: SecretBox,
  ) {}

  /** Creates the deliveries of a fan-out; returns the first-run deliveries to queue (those of an earlier try too). */
  async createForEvent(eventId: string, endpointIds: string[]): Promise<QueuedDelivery[]> {
    const { rows } = await this.pool.query<QueuedDelivery>({
      name: 'delivery-create-for-event',
      text: CREATE_FOR_EVENT,
      values: [eventId, endpointIds],
    });
    return rows;
  }

  /**
   * The delivery marked in flight for `jobId` (for `claimMs` at most) with what its attempt needs; `finished` when
   * it has already ended, `busy` when another job holds it, null when it does not exist.
   */
  async claim(
    deliveryId: string,
    jobId: string,
    claimMs: number,
  ): Promise<ClaimedDelivery | 'finished' | 'busy' | null> {
    const { rows } = await this.pool.query<ClaimedDelivery>({
      name: 'delivery-claim',
      text: CLAIM,
      values: [deliveryId, jobId, claimMs],
    });
    if (rows.length) {
      const endpoint = rows[0].endpoint as unknown as Record<string, unknown>;
      return {
        ...rows[0],
        endpoint: {
          ...this.secrets.openFields(rows[0].endpoint),
          auth: this.secrets.openOptional(rows[0].endpoint.auth),
          previousSecretExpiresAt: endpoint.previousSecretExpiresAt
            ? new Date(endpoint.previousSecretExpiresAt as string)
            : null,
          deletedAt: endpoint.deletedAt ? new Date(endpoint.deletedAt as string) : null,
        },
      };
    }
    const { rows: current } = await this.pool.query<{ status: string }>(
      'SELECT status FROM deliveries WHERE id = $1::uuid',
      [deliveryId],
    );
    if (!current.length) return null;
    return current[0].status === 'succeeded' || current[0].status === 'dead_lettered' ? 'finished' : 'busy';
  }

  /**
   * Records one attempt and applies its transition; returns the attempt number (null when the delivery was no longer
   * in flight) and the replay this attempt completed, if it did.
   */
  async recordAttempt(
    delivery: ClaimedDelivery,
    jobId: string,
    result: AttemptResult,
    transition: Transition,
    replayRequestId?: string,
  ): Promise<{ number: number | null; completedReplayId: string | null }> {
    const { rows } = await this.pool.query<{ number: number; completedReplayId: string | null }>({
      name: 'delivery-record-attempt',
      text: RECORD_ATTEMPT,
      values: [
        delivery.id,
        transition.status,
        transition.status === 'retrying' ? transition.nextAttemptAt : null,
        result.error,
        transition.status === 'dead_lettered' ? transition.reason : null,
        delivery.endpoint.url,
        JSON.stringify(result.requestHeaders),
        result.responseStatus,
        result.responseHeaders ? JSON.stringify(result.responseHeaders) : null,
        result.responseBody,
        result.outcome,
        result.errorClass,
        result.durationMs,
        new Date(Date.now() - result.durationMs),
        replayRequestId ?? null,
        SYSTEM_ACTORS.worker,
        transition.status === 'dead_lettered' && transition.disableEndpoint === true,
        jobId,
      ],
    });
    return { number: rows[0]?.number ?? null, completedReplayId: rows[0]?.completedReplayId ?? null };
  }

  /**
   * Dead-letters a delivery that failed without a recordable attempt: `marked` false when it had already ended or
   * another job holds it; the replay this completed, if it did.
   */
  async deadLetterUnrecorded(
    deliveryId: string,
    jobId: string,
    reason: string,
  ): Promise<{ marked: boolean; completedReplayId: string | null }> {
    const { rows } = await this.pool.query<{ marked: number; completedReplayId: string | null }>({
      name: 'delivery-dead-letter-unrecorded',
      text: DEAD_LETTER_UNRECORDED,
      values: [deliveryId, reason, SYSTEM_ACTORS.worker, jobId],
    });
    return { marked: rows[0].marked > 0, completedReplayId: rows[0].completedReplayId };
  }

  async resetForRun(deliveryIds: string[], replayRequestId: string): Promise<DeliveryToQueue[]> {
    if (!deliveryIds.length) return [];
    const { rows } = await this.pool.query<DeliveryToQueue>({
      name: 'delivery-reset-for-run',
      text: RESET_FOR_RUN,
      values: [deliveryIds, replayRequestId],
    });
    return rows;
  }

  async findFirstRunsNotStarted(minAgeMs: number, limit: number): Promise<DeliveryToQueue[]> {
    const { rows } = await this.pool.query<DeliveryToQueue>({
      name: 'delivery-find-first-runs-not-started',
      text: FIND_FIRST_RUNS_NOT_STARTED,
      values: [minAgeMs, limit],
    });
    return rows;
  }

  async findStuck(stuckAfterMs: number, defaultMaxAttempts: number, limit: number): Promise<StuckDelivery[]> {
    const { rows } = await this.pool.query<StuckDelivery>({
      name: 'delivery-find-stuck',
      text: FIND_STUCK,
      values: [stuckAfterMs, defaultMaxAttempts, limit],
    });
    return rows;
  }

  /**
   * Drops the claim of a job that will never run again (failed for good, or gone from Redis), so the next job
   * takes the delivery now rather than when the claim expires (minutes: it outlives the longest attempt).
   */
  async releaseClaim(deliveryId: string, jobId: string): Promise<void> {
    await this.pool.query({
      name: 'delivery-release-claim',
      text: `UPDATE deliveries SET claimed_by = NULL, claim_expires_at = NULL WHERE id = $1::uuid AND status = 'in_flight' AND claimed_by = $2::text`,
      values: [deliveryId, jobId],
    });
  }

  /** Records that these dead letters' jobs are in the BullMQ dead-letter queue. */
  async markParked(deliveryIds: string[]): Promise<void> {
    await this.pool.query({
      name: 'delivery-mark-parked',
      text: `UPDATE deliveries SET dead_letter_parked_at = now() WHERE id = ANY($1::uuid[]) AND status = 'dead_lettered'`,
      values: [deliveryIds],
    });
  }

  /** Dead letters whose parking in the BullMQ queue failed (Redis), older than `minAgeMs`. */
  async findUnparked(minAgeMs: number, limit: number): Promise<{ id: string; reason: string }[]> {
    const { rows } = await this.pool.query<{ id: string; reason: string }>({
      name: 'delivery-find-unparked',
      text: `SELECT id::text, coalesce(dead_letter_reason, 'dead-lettered') AS reason FROM deliveries
             WHERE status = 'dead_lettered' AND dead_letter_parked_at IS NULL AND dead_lettered_at < now() - make_interval(secs => $1::float8 / 1000)
             ORDER BY dead_lettered_at LIMIT $2`,
      values: [minAgeMs, limit],
    });
    return rows;
  }

  /** The ids of the deliveries of these (event, endpoint) pairs, created where missing. */
  async ensureDeliveries(pairs: { eventId: string; endpointId: string }[]): Promise<string[]> {
    if (!pairs.length) return [];
    const { rows } = await this.pool.query<{ id: string }>({
      name: 'delivery-ensure',
      text: ENSURE_DELIVERIES,
      values: [pairs.map((pair) => pair.eventId), pairs.map((pair) => pair.endpointId)],
    });
    return rows.map((row) => row.id);
  }
}
