import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTORS } from '../audit/audit.types';
import { SecretBox } from '../common/crypto/secret-box';
import { HotPathPool } from '../common/database/pg-pool';
import { CallBatcher } from '../common/async/call-batcher';
import { isDatabaseUnavailable } from '../common/database/database-errors';
import { DeliveryToQueue } from '../queue/delivery-jobs';
import { AttemptResult } from './delivery-sender';
import type { Transformation } from '../transformations/transformation.types';
import {
  CLAIM_BATCH,
  CLAIM_REFUSAL,
  CREATE_FOR_EVENT,
  DEAD_LETTER_UNRECORDED,
  ENSURE_DELIVERIES,
  FIND_FIRST_RUNS_NOT_STARTED,
  FIND_STUCK,
  NEXT_OF_KEY,
  RECORD_BATCH,
  RESET_FOR_RUN,
} from './delivery-sql';

/** A delivery in one of these has ended; only a replay or redrive opens it again. */
const FINAL_STATUSES = new Set(['succeeded', 'dead_lettered', 'cancelled']);

/** What an attempt needs, read by the claim that marks the delivery in flight. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  /** The endpoint's application, which the delivery's audit entry names (contract §7.1). */
  applicationId: string;
  /** The envelope as sent, built by PostgreSQL from the event (no JSON round trip through the worker). */
  payload: string;
  traceparent: string | null;
  /** Its ordering key when it was made for a `fifo` endpoint (§7.5): its final outcome lets the next one of the key go. */
  orderingKey: string | null;
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
    /**
     * Its transformation (§7.4), read with the claim like the rest: the endpoint cache may not have an endpoint
     * created or changed a moment ago, and a delivery must never go out untransformed because of that.
     */
    transformation: Transformation | null;
  };
}

/** How an attempt leaves the delivery. */
export type Transition =
  | { status: 'succeeded' }
  | { status: 'retrying'; nextAttemptAt: Date }
  | { status: 'dead_lettered'; reason: string; disableEndpoint?: boolean }
  /** Skipped by the endpoint's transformation: final, like a success. */
  | { status: 'cancelled' };

/** A delivery of a fan-out, to put on the queue. */
export interface QueuedDelivery {
  id: string;
  endpointId: string;
}

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
  private readonly claims = new CallBatcher((requests: ClaimRequest[]) => this.claimBatch(requests), {
    maxBatch: MAX_BATCH,
    failsAll: isDatabaseUnavailable,
  });
  private readonly records = new CallBatcher((requests: RecordRequest[]) => this.recordBatch(requests), {
    maxBatch: MAX_BATCH,
    failsAll: isDatabaseUnavailable,
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
   * it has already ended, `waiting` when an earlier delivery of its ordering key comes first (§7.5), `busy` when
   * another job holds it, null when it does not exist. Concurrent claims of this process share one statement
   * (CallBatcher).
   */
  async claim(
    deliveryId: string,
    jobId: string,
    claimMs: number,
  ): Promise<ClaimedDelivery | 'finished' | 'waiting' | 'busy' | null> {
    const claimed = await this.claims.submit({ deliveryId, jobId, claimMs });
    if (claimed) return claimed;
    const { rows: current } = await this.pool.query<{ status: string; waitsForItsKey: boolean }>({
      name: 'delivery-claim-refusal',
      text: CLAIM_REFUSAL,
      values: [deliveryId],
    });
    if (!current.length) return null;
    if (FINAL_STATUSES.has(current[0].status)) return 'finished';
    return current[0].waitsForItsKey ? 'waiting' : 'busy';
  }

  /**
   * The delivery that goes next in the order of delivery `finishedId`'s key now that it has ended, if one waits
   * with no job holding it (NEXT_OF_KEY); null for a delivery of an endpoint that is not `fifo`.
   */
  async nextOfKey(
    finishedId: string,
    defaultMaxAttempts: number,
  ): Promise<(DeliveryToQueue & { replayRequestId: string | null }) | null> {
    const { rows } = await this.pool.query<DeliveryToQueue & { replayRequestId: string | null }>({
      name: 'delivery-next-of-key',
      text: NEXT_OF_KEY,
      values: [finishedId, defaultMaxAttempts],
    });
    return rows[0] ?? null;
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
        field((r) => r.result.url ?? r.delivery.endpoint.url),
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
        field((r) => r.delivery.applicationId),
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
