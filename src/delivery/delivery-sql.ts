import { auditRowsFrom } from '../audit/audit-sql';
import { statusIn } from '../common/database/status-filter';

/**
 * The SQL of the deliveries table: the statements of DeliveryRepository (each one round trip, prepared once per
 * connection; every statement that updates several deliveries, events or replays locks them first in id order, FOR
 * NO KEY UPDATE as an UPDATE would, so two such statements running at once wait for each other instead of
 * deadlocking) and fragments for statements of other modules (the ingress's batch statement creates its events'
 * deliveries in the same commit). A fragment's `source` is a FROM item with columns `event_id` and `endpoint_id`.
 */

/**
 * New deliveries, pending and never attempted, one per (event, endpoint) of `source` that has none yet. `source` also
 * has `ordering_key`: the event's for a `fifo` endpoint (§7.5), else null; such a delivery takes the next place in
 * the order of its key.
 */
export const insertDeliveriesFrom = (source: string) => `
    INSERT INTO deliveries (id, event_id, endpoint_id, status, attempt_count, ordering_key, ordering_seq, created_at, updated_at)
    SELECT hookgate_uuid_v7(), event_id, endpoint_id, 'pending', 0, ordering_key,
           CASE WHEN ordering_key IS NOT NULL THEN nextval('delivery_ordering_seq') END, now(), now() FROM ${source}
    ON CONFLICT (event_id, endpoint_id) DO NOTHING
    RETURNING id, event_id, endpoint_id`;

/**
 * The ordering key a delivery of event `event` to endpoint `endpoint` takes (SQL over rows of events and endpoints):
 * null unless the endpoint is `fifo`; an event stored before ordering existed is ordered by its integration.
 */
const orderingKeyOf = (event: string, endpoint: string) => `CASE WHEN ${endpoint}.ordering = 'fifo'
    THEN coalesce(${event}.ordering_key, (SELECT slug FROM integrations WHERE integrations.id = ${event}.integration_id)) END`;

/**
 * Delivery `delivery` (a row of deliveries) has to wait: it has an ordering key (it was made for a `fifo` endpoint),
 * and an open delivery of its key comes before it, or one is in flight (at most one of a key is attempted at a time).
 * Deliveries made while the endpoint was `fifo` keep their order until they end, whatever it is changed to: none is
 * ever left waiting for a release that no longer comes. Unlike statusIn, the status is compared as the enum: this is how the
 * partial indexes deliveries_fifo_open_idx and deliveries_fifo_in_flight_idx find the one row that answers, however
 * many deliveries of the key wait (each question is one index probe, not a walk of the key's backlog).
 */
const waitsForItsKey = (delivery: string) => `(${delivery}.ordering_key IS NOT NULL AND (EXISTS (
      SELECT 1 FROM deliveries earlier
      WHERE earlier.endpoint_id = ${delivery}.endpoint_id AND earlier.ordering_key = ${delivery}.ordering_key
        AND earlier.ordering_key IS NOT NULL AND earlier.status IN ('pending', 'in_flight', 'retrying')
        AND earlier.ordering_seq < ${delivery}.ordering_seq
    ) OR EXISTS (
      SELECT 1 FROM deliveries flying
      WHERE flying.endpoint_id = ${delivery}.endpoint_id AND flying.ordering_key = ${delivery}.ordering_key
        AND flying.ordering_key IS NOT NULL AND flying.status = 'in_flight' AND flying.id <> ${delivery}.id
    )))`;

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

/** An open delivery `job` may claim: nobody holds it, `job` does, or its holder's claim expired (its worker died). */
const claimableBy = (delivery: string, job: string) =>
  `${statusIn(`${delivery}.status`, 'pending', 'retrying', 'in_flight')}
    AND (${delivery}.claimed_by IS NULL OR ${delivery}.claimed_by = ${job} OR ${delivery}.claim_expires_at < now())`;

/**
 * Marks deliveries in flight for their jobs and reads what each attempt needs, for a batch of jobs (`ord` says which
 * input row a returned row answers). Only an open delivery can be claimed, and only when no other job holds it (or its
 * claim expired: that job's worker died); of two jobs of one delivery in a batch, one gets it. Rows are locked in id
 * order, so batches of two workers that share deliveries cannot deadlock. A delivery of a `fifo` endpoint is claimed
 * only when it is the first open one of its ordering key and none of its key is in flight. A claim commits without waiting for its WAL
 * flush: lost in a crash, it only lets another job claim the delivery again.
 */
export const CLAIM_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::float8[]) WITH ORDINALITY AS t(delivery_id, job_id, claim_ms, ord)
  )
  UPDATE deliveries d SET status = 'in_flight', claimed_by = c.job_id,
    claim_expires_at = now() + make_interval(secs => c.claim_ms / 1000), updated_at = now()
  FROM (
    SELECT dl.id, i.job_id, i.claim_ms, i.ord FROM deliveries dl JOIN input i ON i.delivery_id = dl.id
    WHERE ${claimableBy('dl', 'i.job_id')}
    ORDER BY dl.id FOR NO KEY UPDATE OF dl
  ) c, events e, integrations i, endpoints ep
  WHERE d.id = c.id AND ${claimableBy('d', 'c.job_id')}
    AND e.id = d.event_id AND i.id = e.integration_id AND ep.id = d.endpoint_id AND NOT ${waitsForItsKey('d')}
    AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
  RETURNING c.ord::int, d.id::text, d.event_id::text AS "eventId", d.endpoint_id::text AS "endpointId",
    ep.application_id::text AS "applicationId", e.traceparent,
    d.ordering_key AS "orderingKey",
    json_build_object('id', e.id, 'type', e.type, 'integration', i.slug, 'provider', e.provider, 'externalId', e.external_id,
                      'occurredAt', ${iso('e.occurred_at')}, 'receivedAt', ${iso('e.received_at')}, 'data', e.data)::text AS payload,
    json_build_object('url', ep.url, 'secret', ep.secret, 'previousSecret', ep.previous_secret,
                      'previousSecretExpiresAt', ep.previous_secret_expires_at, 'enabled', ep.enabled,
                      'deletedAt', ep.deleted_at, 'timeoutMs', ep.timeout_ms, 'headers', ep.headers, 'auth', ep.auth,
                      'transformation', ep.transformation) AS endpoint`;

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
    SELECT rl.id, f.n FROM replay_requests rl JOIN ${finished} f ON f.replay_request_id = rl.id ORDER BY rl.id FOR NO KEY UPDATE OF rl
  ) f WHERE r.id = f.id
  RETURNING r.id, r.status = 'completed' AND r.finished_at = now()::timestamptz(3) AS completed_now`;

/**
 * One statement records the attempts of a batch of jobs (`ord` says which input row a returned row answers): each
 * attempt row, each delivery's new status (only from in flight and only by the job holding it, so a status never goes
 * back), and for final outcomes the events' counters and statuses, the replays' progress, the audit entries and, on
 * 410, the endpoints disabled. Deliveries, events and replays are locked in id order: batches of two workers that
 * share events (one event, several endpoints) cannot deadlock. The audit entries' application ($19) is the one the
 * claim read from the endpoint, so no row looks it up again.
 */
export const RECORD_BATCH = `
  WITH input AS (
    SELECT t.*, rq.value AS request_headers, nullif(rs.value, 'null'::jsonb) AS response_headers
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::int[],
                $9::text[], $10::text[], $11::text[], $12::int[], $13::timestamptz[], $14::uuid[], $15::boolean[],
                $19::uuid[])
      WITH ORDINALITY AS t(delivery_id, job_id, status, next_attempt_at, error, reason, url, response_status, response_body,
                           outcome, error_class, duration_ms, started_at, replay_request_id, disable_endpoint,
                           application_id, ord)
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
      WHERE ${statusIn('dl.status', 'in_flight')} AND dl.claimed_by = i.job_id ORDER BY dl.id FOR NO KEY UPDATE OF dl
    ) l
    WHERE deliveries.id = l.id AND ${statusIn('deliveries.status', 'in_flight')} AND deliveries.claimed_by = l.job_id
    RETURNING deliveries.id, deliveries.event_id, deliveries.endpoint_id, deliveries.attempt_count,
      deliveries.replay_request_id, l.ord, l.status, l.reason, l.disable_endpoint, l.application_id,
      l.status IN ('succeeded', 'dead_lettered', 'cancelled') AS final
  ), attempt AS (
    INSERT INTO delivery_attempts (id, delivery_id, number, url, request_headers, response_status, response_headers, response_body,
                                   outcome, error, error_class, duration_ms, started_at, replay_request_id)
    SELECT hookgate_uuid_v7(), d.id, d.attempt_count, i.url, i.request_headers, i.response_status, i.response_headers,
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
      SELECT locked.id, count(*) AS n, count(*) FILTER (WHERE d.status IN ('succeeded', 'cancelled')) AS ok,
             count(*) FILTER (WHERE d.status = 'dead_lettered') AS dead
      FROM (SELECT ev.id FROM events ev WHERE ev.id IN (SELECT event_id FROM d WHERE d.final) ORDER BY ev.id FOR NO KEY UPDATE OF ev) locked
      JOIN d ON d.event_id = locked.id AND d.final GROUP BY locked.id
    ) f WHERE e.id = f.id
  ), audit AS (
    ${auditRowsFrom('d WHERE d.final', {
      actor: '$18::text',
      action: "'delivery.' || status",
      applicationId: 'application_id',
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
      applicationId: 'd.application_id',
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
export const DEAD_LETTER_UNRECORDED = `
  WITH d AS (
    UPDATE deliveries SET status = 'dead_lettered', dead_letter_reason = $2::text, dead_lettered_at = now(), next_attempt_at = NULL,
      claimed_by = NULL, claim_expires_at = NULL, updated_at = now()
    WHERE id = $1::uuid AND status IN ('pending', 'in_flight', 'retrying')
      AND (claimed_by IS NULL OR claimed_by = $4::text OR claim_expires_at < now())
    RETURNING id, event_id, replay_request_id,
      (SELECT application_id FROM endpoints WHERE endpoints.id = deliveries.endpoint_id) AS application_id
  ), event AS (
    UPDATE events e SET deliveries_open = deliveries_open - 1, deliveries_dead_lettered = deliveries_dead_lettered + 1,
      status = ${rolledUpStatus('deliveries_open - 1', 'deliveries_succeeded', 'deliveries_dead_lettered + 1')}, updated_at = now()
    FROM d WHERE e.id = d.event_id
  ), audit AS (
    ${auditRowsFrom('d', {
      actor: '$3::text',
      action: "'delivery.dead_lettered'",
      applicationId: 'application_id',
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
export const CREATE_FOR_EVENT = `
  WITH created AS (${insertDeliveriesFrom(`(
      SELECT e.id AS event_id, ep.id AS endpoint_id, ${orderingKeyOf('e', 'ep')} AS ordering_key
      FROM unnest($2::uuid[]) WITH ORDINALITY AS wanted(endpoint_id, ord)
      JOIN endpoints ep ON ep.id = wanted.endpoint_id JOIN events e ON e.id = $1::uuid ORDER BY wanted.ord) AS this_event`)}
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
  SELECT id::text, endpoint_id::text FROM deliveries
  WHERE event_id = $1::uuid AND ${statusIn('status', 'pending')} AND replay_request_id IS NULL`;

/**
 * Resets deliveries for another run (replay or redrive) and returns them with their endpoint's attempt limit:
 * history kept, attempt numbering continues, deliveries to deleted endpoints and to disabled applications left out; the counters of their events
 * move the finished ones back to open. A delivery still open keeps its state (a job may hold it): the run joins it.
 * Locked in id order, like the worker's batched claims and records that may hold some of the same rows.
 */
export const RESET_FOR_RUN = `
  WITH before AS (
    SELECT d.id, d.event_id, d.status FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
      JOIN applications a ON a.id = ep.application_id
    WHERE d.id = ANY($1::uuid[]) AND ep.deleted_at IS NULL AND a.disabled_at IS NULL
    ORDER BY d.id FOR NO KEY UPDATE OF d
  ), reset AS (
    UPDATE deliveries d SET replay_request_id = $2::uuid, updated_at = now(),
      status = CASE WHEN b.status IN ('succeeded', 'dead_lettered', 'cancelled') THEN 'pending' ELSE d.status END,
      dead_letter_reason = NULL, dead_lettered_at = NULL, dead_letter_parked_at = NULL, succeeded_at = NULL,
      next_attempt_at = CASE WHEN b.status IN ('succeeded', 'dead_lettered', 'cancelled') THEN NULL ELSE d.next_attempt_at END
    FROM before b WHERE d.id = b.id
    RETURNING d.id, d.endpoint_id
  ), moved AS (
    SELECT event_id, count(*) FILTER (WHERE status IN ('succeeded', 'cancelled')) AS ok,
           count(*) FILTER (WHERE status = 'dead_lettered') AS dead
    FROM before GROUP BY event_id
  ), counted AS (
    UPDATE events e SET deliveries_open = deliveries_open + m.ok + m.dead, deliveries_succeeded = deliveries_succeeded - m.ok,
      deliveries_dead_lettered = deliveries_dead_lettered - m.dead, status = 'processing', updated_at = now()
    FROM (SELECT ev.id, m.ok, m.dead FROM events ev JOIN moved m ON m.event_id = ev.id ORDER BY ev.id FOR NO KEY UPDATE OF ev) m
    WHERE e.id = m.id
  )
  SELECT r.id::text, r.endpoint_id::text AS "endpointId", ep.max_attempts AS "maxAttempts" FROM reset r JOIN endpoints ep ON ep.id = r.endpoint_id`;

/**
 * The deliveries of these (event, endpoint) pairs, created where missing (counted open on their events): a replay
 * of an event to an endpoint that never had it creates its delivery; an existing one keeps its id (webhook-id).
 */
export const ENSURE_DELIVERIES = `
  WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS w(event_id, endpoint_id, ord)
  ), created AS (${insertDeliveriesFrom(`(
      SELECT w.event_id, w.endpoint_id, ${orderingKeyOf('e', 'ep')} AS ordering_key
      FROM wanted w JOIN events e ON e.id = w.event_id JOIN endpoints ep ON ep.id = w.endpoint_id
        /* A replay walking while its application is disabled makes nothing new for it (§7.1). */
        JOIN applications a ON a.id = ep.application_id AND a.disabled_at IS NULL
      ORDER BY e.received_at, w.ord) AS wanted_with_keys`)}
  ), counted AS (
    UPDATE events e SET deliveries_open = deliveries_open + c.n, status = 'processing', updated_at = now()
    FROM (
      SELECT ev.id, c.n FROM events ev JOIN (SELECT event_id, count(*) AS n FROM created GROUP BY event_id) c ON c.event_id = ev.id
      ORDER BY ev.id FOR NO KEY UPDATE OF ev
    ) c WHERE e.id = c.id
  )
  SELECT id::text FROM created
  UNION ALL
  SELECT d.id::text FROM deliveries d JOIN wanted w ON w.event_id = d.event_id AND w.endpoint_id = d.endpoint_id`;

/**
 * Open deliveries nothing has moved for `$1` ms past when their next attempt was due (their job failed or was lost);
 * not those of a paused endpoint, whose jobs wait on purpose, nor those waiting for an earlier one of their key.
 */
export const FIND_STUCK = `
  SELECT d.id::text, d.endpoint_id::text AS "endpointId", d.replay_request_id::text AS "replayRequestId",
         greatest(1, coalesce(ep.max_attempts, $2::int) - d.attempt_count) AS "attemptsLeft",
         CASE WHEN d.status = 'in_flight' THEN d.claimed_by END AS "claimedBy"
  FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
  WHERE d.status IN ('pending', 'retrying', 'in_flight') AND ep.deleted_at IS NULL AND ep.paused_at IS NULL
    AND coalesce(CASE WHEN d.status = 'retrying' THEN d.next_attempt_at END, d.updated_at) < now() - make_interval(secs => $1::float8 / 1000)
    AND NOT ${waitsForItsKey('d')}
  ORDER BY d.updated_at LIMIT $3`;

/**
 * First-run deliveries never attempted nor claimed, created more than `$1` ms ago, oldest first: those whose job the
 * ingress could not queue after its commit are among them (the others wait in the queue). Those waiting for an
 * earlier delivery of their key are not: that one's final outcome queues them (NEXT_OF_KEY).
 */
export const FIND_FIRST_RUNS_NOT_STARTED = `
  SELECT d.id::text, d.endpoint_id::text AS "endpointId", ep.max_attempts AS "maxAttempts"
  FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.attempt_count = 0 AND d.replay_request_id IS NULL AND d.claimed_by IS NULL
    AND ep.deleted_at IS NULL AND d.created_at < now() - make_interval(secs => $1::float8 / 1000)
    AND NOT ${waitsForItsKey('d')}
  ORDER BY d.created_at LIMIT $2`;

/**
 * What follows delivery `$1` in its key's order (§7.5), once it has ended: the first open delivery of the same
 * endpoint and ordering key, if no job holds it, with the attempts it has left (`$2`: the default limit) and
 * the replay driving it. Of a deleted or disabled endpoint too: the next one's job dead-letters it, and so on.
 * Read after the final outcome committed, in a statement of its own: a delivery committed before that outcome is
 * seen here, and one committed after it was claimed after it, so it never waits for a release that missed it.
 */
export const NEXT_OF_KEY = `
  SELECT n.id::text, n.endpoint_id::text AS "endpointId", n.replay_request_id::text AS "replayRequestId",
         CASE WHEN n.attempt_count = 0 THEN ep.max_attempts ELSE greatest(1, coalesce(ep.max_attempts, $2::int) - n.attempt_count) END AS "maxAttempts"
  FROM deliveries f JOIN endpoints ep ON ep.id = f.endpoint_id
  CROSS JOIN LATERAL (
    SELECT o.id, o.endpoint_id, o.attempt_count, o.status, o.claimed_by, o.replay_request_id FROM deliveries o
    WHERE o.endpoint_id = f.endpoint_id AND o.ordering_key = f.ordering_key AND o.ordering_key IS NOT NULL
      AND o.status IN ('pending', 'in_flight', 'retrying')
    ORDER BY o.ordering_seq LIMIT 1
  ) n
  WHERE f.id = $1::uuid AND f.ordering_key IS NOT NULL AND n.status <> 'in_flight' AND n.claimed_by IS NULL`;

/** The status of a delivery a job could not claim, and whether it waits for an earlier delivery of its key. */
export const CLAIM_REFUSAL = `
  SELECT d.status, ${waitsForItsKey('d')} AS "waitsForItsKey" FROM deliveries d WHERE d.id = $1::uuid`;

/**
 * Which of these new deliveries wait for an earlier one of their ordering key (§7.5). Asked by the ingress after
 * their commit, so that it queues no job that would only find its delivery waiting: a delivery found waiting here
 * was committed before this statement, so the final outcome it waits for, committed after, sees it (NEXT_OF_KEY).
 */
export const WAITING_FOR_THEIR_KEY = `
  SELECT d.id::text FROM deliveries d WHERE d.id = ANY($1::uuid[]) AND ${waitsForItsKey('d')}`;
