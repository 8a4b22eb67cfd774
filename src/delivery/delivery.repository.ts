import { Injectable } from '@nestjs/common';
import { auditRowsFrom } from '../audit/audit-sql';
import { SYSTEM_ACTORS } from '../audit/audit.types';
import { SecretBox } from '../common/crypto/secret-box';
import { HotPathPool } from '../common/database/pg-pool';
import { StatementBatcher } from '../common/database/statement-batcher';
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
 * Marks deliveries in flight for their jobs and reads what each attempt needs, for a batch of jobs (`ord` says which
 * input row a returned row answers). Only an open delivery can be claimed, and only when no other job holds it (or its
 * claim expired: that job's worker died); of two jobs of one delivery in a batch, one gets it. Rows are locked in id
 * order, so batches of two workers that share deliveries cannot deadlock. A claim commits without waiting for its WAL
 * flush: lost in a crash, it only lets another job claim the delivery again.
 */
const CLAIM_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::float8[]) WITH ORDINALITY AS t(delivery_id, job_id, claim_ms, ord)
  )
  UPDATE deliveries d SET status = 'in_flight', claimed_by = c.job_id,
    claim_expires_at = now() + make_interval(secs => c.claim_ms / 1000), updated_at = now()
  FROM (
    SELECT dl.id, i.job_id, i.claim_ms, i.ord FROM deliveries dl JOIN input i ON i.delivery_id = dl.id
    WHERE dl.status IN ('pending', 'retrying', 'in_flight')
      AND (dl.claimed_by IS NULL OR dl.claimed_by = i.job_id OR dl.claim_expires_at < now())
    ORDER BY dl.id FOR UPDATE OF dl
  ) c, events e, integrations i, endpoints ep
  WHERE d.id = c.id AND d.status IN ('pending', 'retrying', 'in_flight')
    AND (d.claimed_by IS NULL OR d.claimed_by = c.job_id OR d.claim_expires_at < now())
    AND e.id = d.event_id AND i.id = e.integration_id AND ep.id = d.endpoint_id
    AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
  RETURNING c.ord::int, d.id::text, d.event_id::text AS "eventId", d.endpoint_id::text AS "endpointId", e.traceparent,
    json_build_object('id', e.id, 'type', e.type, 'integration', i.slug, 'provider', e.provider, 'externalId', e.external_id,
                      'occurredAt', ${iso('e.occurred_at')}, 'receivedAt', ${iso('e.received_at')}, 'data', e.data)::text AS payload,
    json_build_object('url', ep.url, 'secret', ep.secret, 'previousSecret', ep.previous_secret,
                      'previousSecretExpiresAt', ep.previous_secret_expires_at, 'enabled', ep.enabled,
                      'deletedAt', ep.deleted_at, 'timeoutMs', ep.timeout_ms, 'headers', ep.headers, 'auth', ep.auth) AS endpoint`;

/**
 * Deliveries of replays reached their end (`finished`: rows of replay_request_id and n); a replay completes when its
 * walk is done and every job finished. `completed_now` is true for the statement that completed it (for
 * hookgate.replay.completed); finished_at is stored to the millisecond, hence the cast. Replays are locked in id order.
 */
const COUNT_REPLAY_COMPLETION = (finished: string) => `
  UPDATE replay_requests r SET completed = completed + f.n,
    status = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + f.n >= enqueued
                  THEN 'completed'::"ReplayStatus" ELSE status END,
    finished_at = CASE WHEN status = 'running' AND (cursor->>'done')::boolean IS TRUE AND completed + f.n >= enqueued
                       THEN now() ELSE finished_at END,
    updated_at = now()
  FROM (
    SELECT rl.id, f.n FROM replay_requests rl JOIN ${finished} f ON f.replay_request_id = rl.id ORDER BY rl.id FOR UPDATE OF rl
  ) f WHERE r.id = f.id
  RETURNING r.id, r.status = 'completed' AND r.finished_at = now()::timestamptz(3) AS completed_now`;

/**
 * One statement records the attempts of a batch of jobs (`ord` says which input row a returned row answers): each
 * attempt row, each delivery's new status (only from in flight and only by the job holding it, so a status never goes
 * back), and for final outcomes the events' counters and statuses, the replays' progress, the audit entries and, on
 * 410, the endpoints disabled. Deliveries, events and replays are locked in id order: batches of two workers that
 * share events (one event, several endpoints) cannot deadlock.
 */
const RECORD_BATCH = `
  WITH input AS (
    SELECT t.*, rq.value AS request_headers, nullif(rs.value, 'null'::jsonb) AS response_headers
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::int[],
                $9::text[], $10::text[], $11::text[], $12::int[], $13::timestamptz[], $14::uuid[], $15::boolean[])
      WITH ORDINALITY AS t(delivery_id, job_id, status, next_attempt_at, error, reason, url, response_status, response_body,
                           outcome, error_class, duration_ms, started_at, replay_request_id, disable_endpoint, ord)
    JOIN jsonb_array_elements($16::jsonb) WITH ORDINALITY AS rq(value, ord) ON rq.ord = t.ord
    JOIN jsonb_array_elements($17::jsonb) WITH ORDINALITY AS rs(value, ord) ON rs.ord = t.ord
  ), d AS (
    UPDATE deliveries SET status = l.status::"DeliveryStatus", attempt_count = attempt_count + 1,
      next_attempt_at = l.next_attempt_at, last_error = l.error,
      dead_letter_reason = CASE WHEN l.status = 'dead_lettered' THEN l.reason END,
      dead_lettered_at = CASE WHEN l.status = 'dead_lettered' THEN now() END,
      succeeded_at = CASE WHEN l.status = 'succeeded' THEN now() END,
      claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
    FROM (
      SELECT dl.id, i.* FROM deliveries dl JOIN input i ON i.delivery_id = dl.id
      WHERE dl.status = 'in_flight' AND dl.claimed_by = i.job_id ORDER BY dl.id FOR UPDATE OF dl
    ) l
    WHERE deliveries.id = l.id AND deliveries.status = 'in_flight' AND deliveries.claimed_by = l.job_id
    RETURNING deliveries.id, deliveries.event_id, deliveries.endpoint_id, deliveries.attempt_count,
      deliveries.replay_request_id, l.ord, l.status, l.reason, l.disable_endpoint,
      l.status IN ('succeeded', 'dead_lettered') AS final
  ), attempt AS (
    INSERT INTO delivery_attempts (id, delivery_id, number, url, request_headers, response_status, response_headers, response_body,
                                   outcome, error, error_class, duration_ms, started_at, replay_request_id)
    SELECT gen_random_uuid(), d.id, d.attempt_count, i.url, i.request_headers, i.response_status, i.response_headers,
           i.response_body, i.outcome, i.error, i.error_class, i.duration_ms, i.started_at, i.replay_request_id
    FROM d JOIN input i ON i.ord = d.ord
  ), event AS (
    UPDATE events e SET
      deliveries_open = deliveries_open - f.n,
      deliveries_succeeded = deliveries_succeeded + f.ok,
      deliveries_dead_lettered = deliveries_dead_lettered + f.dead,
      status = ${rolledUpStatus('deliveries_open - f.n', 'deliveries_succeeded + f.ok', 'deliveries_dead_lettered + f.dead')},
      updated_at = now()
    FROM (
      SELECT locked.id, count(*) AS n, count(*) FILTER (WHERE d.status = 'succeeded') AS ok,
             count(*) FILTER (WHERE d.status = 'dead_lettered') AS dead
      FROM (SELECT ev.id FROM events ev WHERE ev.id IN (SELECT event_id FROM d WHERE d.final) ORDER BY ev.id FOR UPDATE OF ev) locked
      JOIN d ON d.event_id = locked.id AND d.final GROUP BY locked.id
    ) f WHERE e.id = f.id
  ), audit AS (
    ${auditRowsFrom('d WHERE d.final', {
      actor: '$18::text',
      action: "'delivery.' || status",
      eventId: 'event_id',
      subjectType: "'delivery'",
      subjectId: 'id::text',
      details:
        "jsonb_strip_nulls(jsonb_build_object('endpointId', endpoint_id, 'attempt', attempt_count, 'reason', reason))",
    })}
  ), replay AS (${COUNT_REPLAY_COMPLETION('(SELECT replay_request_id, count(*) AS n FROM d WHERE d.final GROUP BY replay_request_id)')}
  ), disabled AS (
    UPDATE endpoints SET enabled = false, disabled_reason = 'endpoint answered 410 Gone', updated_at = now()
    FROM (SELECT DISTINCT endpoint_id FROM d WHERE d.disable_endpoint) gone WHERE endpoints.id = gone.endpoint_id
    RETURNING endpoints.id
  ), disabled_audit AS (
    ${auditRowsFrom('d JOIN disabled ON disabled.id = d.endpoint_id WHERE d.disable_endpoint', {
      actor: '$18::text',
      action: "'endpoint.disabled'",
      eventId: 'd.event_id',
      subjectType: "'endpoint'",
      subjectId: 'd.endpoint_id::text',
      details: "jsonb_build_object('reason', 'endpoint answered 410 Gone', 'deliveryId', d.id)",
    })}
  )
  SELECT d.ord::int, d.attempt_count AS number,
         -- The replay a batch completed is announced once: by its first final delivery in the batch.
         CASE WHEN d.final AND d.ord = min(d.ord) FILTER (WHERE d.final) OVER (PARTITION BY d.replay_request_id)
              THEN (SELECT id::text FROM replay WHERE completed_now AND replay.id = d.replay_request_id) END AS "completedReplayId"
  FROM d`;

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
  ), replay AS (${COUNT_REPLAY_COMPLETION('(SELECT replay_request_id, count(*) AS n FROM d GROUP BY replay_request_id)')}
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

/** Most claims, or attempts recorded, one statement carries; more waiting go into the next one. */
const MAX_BATCH = 100;

interface ClaimRequest {
  deliveryId: string;
  jobId: string;
  claimMs: number;
}

interface RecordRequest {
  delivery: ClaimedDelivery;
  jobId: string;
  result: AttemptResult;
  transition: Transition;
  replayRequestId?: string;
  startedAt: Date;
}

/** The attempt's number (null when the delivery was no longer in flight for the job), and the replay it completed. */
export interface RecordedAttempt {
  number: number | null;
  completedReplayId: string | null;
}

/**
 * Deliveries and their attempts, on the worker's hot path: every statement here is one round trip, prepared once
 * per connection, and none holds a lock beyond its own statement. The claims and records of concurrent jobs are
 * batched into one statement each.
 */
@Injectable()
export class DeliveryRepository {
  private readonly claims = new StatementBatcher((requests: ClaimRequest[]) => this.claimBatch(requests), {
    maxBatch: MAX_BATCH,
  });
  private readonly records = new StatementBatcher((requests: RecordRequest[]) => this.recordBatch(requests), {
    maxBatch: MAX_BATCH,
  });

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
   * it has already ended, `busy` when another job holds it, null when it does not exist. Concurrent claims of this
   * process share one statement (StatementBatcher).
   */
  async claim(
    deliveryId: string,
    jobId: string,
    claimMs: number,
  ): Promise<ClaimedDelivery | 'finished' | 'busy' | null> {
    const claimed = await this.claims.submit({ deliveryId, jobId, claimMs });
    if (claimed) return claimed;
    const { rows: current } = await this.pool.query<{ status: string }>({
      name: 'delivery-status',
      text: 'SELECT status FROM deliveries WHERE id = $1::uuid',
      values: [deliveryId],
    });
    if (!current.length) return null;
    return current[0].status === 'succeeded' || current[0].status === 'dead_lettered' ? 'finished' : 'busy';
  }

  /**
   * Records one attempt and applies its transition; returns the attempt number (null when the delivery was no longer
   * in flight for this job) and the replay this attempt completed, if it did. Concurrent records of this process share
   * one statement.
   */
  recordAttempt(
    delivery: ClaimedDelivery,
    jobId: string,
    result: AttemptResult,
    transition: Transition,
    replayRequestId?: string,
  ): Promise<RecordedAttempt> {
    const startedAt = new Date(Date.now() - result.durationMs);
    return this.records.submit({ delivery, jobId, result, transition, replayRequestId, startedAt });
  }

  private async claimBatch(requests: ClaimRequest[]): Promise<(ClaimedDelivery | null)[]> {
    const { rows } = await this.pool.query<ClaimedDelivery & { ord: number }>({
      name: 'delivery-claim-batch',
      text: CLAIM_BATCH,
      values: [
        requests.map((request) => request.deliveryId),
        requests.map((request) => request.jobId),
        requests.map((request) => request.claimMs),
      ],
    });
    const byOrd = new Map(rows.map((row) => [row.ord, row]));
    return requests.map((_, index) => {
      const row = byOrd.get(index + 1);
      return row ? this.openClaimed(row) : null;
    });
  }

  private openClaimed({ ord: _ord, ...row }: ClaimedDelivery & { ord: number }): ClaimedDelivery {
    const endpoint = row.endpoint as unknown as Record<string, unknown>;
    return {
      ...row,
      endpoint: {
        ...this.secrets.openFields(row.endpoint),
        auth: this.secrets.openOptional(row.endpoint.auth),
        previousSecretExpiresAt: endpoint.previousSecretExpiresAt
          ? new Date(endpoint.previousSecretExpiresAt as string)
          : null,
        deletedAt: endpoint.deletedAt ? new Date(endpoint.deletedAt as string) : null,
      },
    };
  }

  private async recordBatch(requests: RecordRequest[]): Promise<RecordedAttempt[]> {
    const field = <T>(pick: (request: RecordRequest) => T) => requests.map(pick);
    const { rows } = await this.pool.query<{ ord: number; number: number; completedReplayId: string | null }>({
      name: 'delivery-record-batch',
      text: RECORD_BATCH,
      values: [
        field((r) => r.delivery.id),
        field((r) => r.jobId),
        field((r) => r.transition.status),
        field((r) => (r.transition.status === 'retrying' ? r.transition.nextAttemptAt : null)),
        field((r) => r.result.error),
        field((r) => (r.transition.status === 'dead_lettered' ? r.transition.reason : null)),
        field((r) => r.delivery.endpoint.url),
        field((r) => r.result.responseStatus),
        field((r) => r.result.responseBody),
        field((r) => r.result.outcome),
        field((r) => r.result.errorClass),
        field((r) => r.result.durationMs),
        field((r) => r.startedAt),
        field((r) => r.replayRequestId ?? null),
        field((r) => r.transition.status === 'dead_lettered' && r.transition.disableEndpoint === true),
        // JSON travels as one array each, not as array literals of JSON text.
        JSON.stringify(field((r) => r.result.requestHeaders)),
        JSON.stringify(field((r) => r.result.responseHeaders ?? null)),
        SYSTEM_ACTORS.worker,
      ],
    });
    const byOrd = new Map(rows.map((row) => [row.ord, row]));
    return requests.map((_, index) => ({
      number: byOrd.get(index + 1)?.number ?? null,
      completedReplayId: byOrd.get(index + 1)?.completedReplayId ?? null,
    }));
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
