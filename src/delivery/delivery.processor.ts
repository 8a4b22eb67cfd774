import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Span, SpanContext } from '@opentelemetry/api';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClsService } from 'nestjs-cls';
import { CONTEXT_DELIVERY_ID, CONTEXT_EVENT_ID } from '../common/context/request-context';
import { ChangeFeed } from '../common/redis/change-feed';
import { MAX_ENDPOINT_TIMEOUT_MS } from '../endpoints/dto/endpoint.dto';
import { ActiveEndpoints } from '../endpoints/active-endpoints';
import { EndpointGate } from '../endpoints/endpoint-gate';
import { Endpoint } from '../generated/prisma/client';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics/metrics.service';
import { inJobSpan } from '../observability/tracing/trace-context';
import { JobOf } from '../queue/job-payloads';
import { DELIVERY_BACKOFF_STRATEGY } from '../queue/job-options';
import { settleFinalFailure } from '../queue/final-failure';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';
import { DeadLetterQueue } from './dead-letter-queue.service';
import { DeadLetterNotices } from './dead-letter-notices';
import { ApplicationShare } from './application-share';
import { DeliveryDispatcher } from './delivery-dispatcher.service';
import { OperationalEvents } from '../events/operational-events.service';
import { ClaimedDelivery, DeliveryRepository, Transition } from './delivery.repository';
import { AttemptResult, OutgoingDelivery } from './delivery-sender';
import { TransformationService } from '../transformations/transformation.service';
import { EndpointAuthorizer } from './endpoint-authorizer';
import { LocalSlotHandoff, MAX_HOLD_MS } from './local-slot-handoff';
import { nextDelayMs, pausedWaitMs } from './retry-policy';
import { signingSecrets } from '../common/crypto/signing-secrets';

type DeliverJob = Job<JobOf<JobName.Deliver>>;

/** What the endpoint's cached controls say about one attempt. */
interface AttemptControls {
  ratePerSecond?: number | null;
  /** Told once the request has been sent and answered (or has failed), whatever its outcome. */
  onAttempted?: () => void;
}

/** Thrown for a retryable failure so BullMQ schedules the next attempt; carries the receiver's Retry-After. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

/** A claim outlives the longest attempt an endpoint may allow, with a margin to record it. */
const CLAIM_MS = MAX_ENDPOINT_TIMEOUT_MS + 30_000;
/** How soon a job that found its delivery held by another job looks again. */
const BUSY_RETRY_MS = 1_000;

/** A job waits at most this long for its rate slot in the worker itself; longer, in the delayed set (it comes back this much early). */
const RATE_WAIT_IN_PROCESS_MS = 250;

/** The BullMQ priority of a job its endpoint held back: any, as long as it is not 0 (no priority, taken first). */
const HELD_BACK_PRIORITY = 1;

/** The longest a job waits between two looks at its endpoint's cap. */
const MAX_HELD_BACK_WAIT_MS = 2_000;
/** How soon, then at most how long, a job of a paused endpoint waits between two looks (bounds resume latency). */
const PAUSED_WAIT_MS = 500;
const MAX_PAUSED_WAIT_MS = 5_000;
/** How soon a job whose application holds its share of this worker's slots looks again (then doubling). */
const SHARE_WAIT_MS = 100;

/**
 * How long a job held back by its endpoint's cap waits: doubling with each time it was held back (BullMQ counts
 * every start, attempts only those that ran), with jitter, so a backlog of thousands for one endpoint does not
 * poll Redis in lockstep.
 */
function heldBackWaitMs(job: DeliverJob, baseMs: number, maxMs = MAX_HELD_BACK_WAIT_MS): number {
  const heldBack = Math.max(0, (job.attemptsStarted ?? 0) - job.attemptsMade - 1);
  return Math.round(Math.min(maxMs, baseMs * 2 ** Math.min(heldBack, 5)) * (0.5 + Math.random()));
}

/** The span context of a W3C traceparent (`00-<trace>-<span>-<flags>`). */
function spanContextOf(traceparent: string): SpanContext | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  return match ? { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16) } : undefined;
}

/**
 * One BullMQ attempt = one delivery attempt. Success completes the job; a retryable failure throws so BullMQ
 * retries on DELIVERY_RETRY_SCHEDULE; a final failure (or the last attempt) dead-letters the delivery in the same
 * step and throws UnrecoverableError.
 */
@Processor(QueueName.Delivery, IDLE_WORKER)
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeliveryProcessor.name);
  private readonly handoff = new LocalSlotHandoff();

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly repository: DeliveryRepository,
    private readonly deadLetters: DeadLetterQueue,
    private readonly metrics: MetricsService,
    private readonly cls: ClsService,
    private readonly changes: ChangeFeed,
    private readonly gate: EndpointGate,
    private readonly authorizer: EndpointAuthorizer,
    private readonly activeEndpoints: ActiveEndpoints,
    private readonly operational: OperationalEvents,
    private readonly deadLetterNotices: DeadLetterNotices,
    private readonly transformations: TransformationService,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly share: ApplicationShare,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.opts.settings = {
      ...this.worker.opts.settings,
      backoffStrategy: (attemptsMade: number, type?: string, error?: Error) =>
        type === DELIVERY_BACKOFF_STRATEGY
          ? nextDelayMs(
              this.config.delivery.retryScheduleMs,
              attemptsMade,
              (error as RetryableDeliveryError)?.retryAfterMs,
            )
          : 0,
    };
    this.runner.start(this.worker, this.config.delivery.concurrency);
  }

  process(job: DeliverJob, token?: string): Promise<{ status: number | null }> {
    return this.cls.run(() => {
      this.cls.set(CONTEXT_DELIVERY_ID, job.data.deliveryId);
      return inJobSpan(
        'delivery.attempt',
        job.data,
        { 'hookgate.delivery_id': job.data.deliveryId, 'hookgate.attempt': job.attemptsMade + 1 },
        async (span) => {
          const result = await this.attempt(job, span, token);
          return { status: result.responseStatus };
        },
      );
    });
  }

  /** A delivery whose job failed for good without a recorded transition (crash, database error) is dead-lettered. */
  @OnWorkerEvent('failed')
  onFailed(job: DeliverJob | undefined, error: Error): Promise<void> {
    return settleFinalFailure(this.logger, job, error, async () => {
      const { deliveryId } = job!.data;
      const { marked, completedReplayId } = await this.repository.deadLetterUnrecorded(
        deliveryId,
        job!.id!,
        `failed: ${error.message}`,
      );
      if (marked) {
        await this.park(deliveryId, `failed: ${error.message}`, job!.data.endpointId);
        await this.queueNextOfKey(deliveryId);
      }
      await this.announceCompletedReplay(completedReplayId);
    });
  }

  /** Puts the job back in the delayed set for `ms` without using an attempt. */
  private async waitWithoutAttempt(job: DeliverJob, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  /**
   * A job its endpoint holds back (at its cap, paused, breaker open) waits without an attempt and comes back behind
   * every job not held back: BullMQ takes waiting jobs before prioritized ones, and a held-back job is given a
   * priority once. So a backlog waiting on one slow endpoint (of one application) circulates behind other endpoints'
   * and other applications' deliveries instead of ahead of them (contract §6.3, §7.1).
   */
  private async holdBack(job: DeliverJob, token: string | undefined, ms: number): Promise<never> {
    if (!job.priority) await job.changePriority({ priority: HELD_BACK_PRIORITY });
    return this.waitWithoutAttempt(job, token, ms);
  }

  /**
   * Fairness first: the job takes one of its endpoint's slots (or waits while the endpoint is at its cap or paused
   * by the breaker); the slot is freed with the attempt's outcome, or without one if no attempt was made.
   */
  private async attempt(job: DeliverJob, span: Span, token?: string): Promise<AttemptResult> {
    const { endpointId } = job.data;
    // An operator's pause and the rate limit (§6.6), read from the cached endpoint: no query per attempt.
    const controls = endpointId ? await this.controlsOf(endpointId) : undefined;
    if (controls?.pausedAt) return this.holdBack(job, token, heldBackWaitMs(job, PAUSED_WAIT_MS, MAX_PAUSED_WAIT_MS));
    // The application's share of this worker's slots (§7.1), before its endpoint's: held for the whole attempt.
    const applicationId = controls?.applicationId;
    if (!applicationId) return this.attemptWithin(job, span, token, controls);
    if (!this.share.take(applicationId)) return this.holdBack(job, token, heldBackWaitMs(job, SHARE_WAIT_MS));
    try {
      return await this.attemptWithin(job, span, token, controls);
    } finally {
      this.share.release(applicationId);
    }
  }

  private async attemptWithin(
    job: DeliverJob,
    span: Span,
    token: string | undefined,
    controls: Endpoint | undefined,
  ): Promise<AttemptResult> {
    const { endpointId } = job.data;
    // The gate (Redis) and the claim (PostgreSQL) do not depend on each other: while the endpoint's gate lets every
    // job through, they go out together, one round trip fewer per attempt. A job the gate then holds back keeps its
    // claim, as a throttled one does (it alone comes back for the delivery); once the gate has held a job back here,
    // it is asked first again, so jobs held back by a binding cap or an open breaker do not claim each time round.
    let early = endpointId && !this.gate.heldBackLately(endpointId) ? this.startClaim(job) : undefined;
    if (!endpointId) return this.claimAndSend(job, span, early ?? this.startClaim(job), token, {});
    // A fifo endpoint's job claims before it asks the gate (§7.5): most of its jobs find an earlier delivery of their
    // key still open and end at once, without taking (or waiting for) one of the endpoint's slots.
    if (controls?.ordering === 'fifo') {
      early ??= this.startClaim(job);
      if ((await early) === 'waiting') return { responseStatus: null } as AttemptResult;
    }
    let gate = await this.gate.acquire(endpointId, job.id!, CLAIM_MS);
    // At the cap, a job may wait here for the slot an attempt of this worker is about to free (LocalSlotHandoff). It
    // is likely to get it, so it claims its delivery while it waits (kept if it goes back to the queue after all).
    // Not for an endpoint with a rate limit: its rate, not its slots, sets its pace.
    const holdUntil = Date.now() + MAX_HOLD_MS;
    while (!gate.pass && gate.reason === 'busy' && !controls?.rateLimitPerSecond && this.handoff.mayHold(endpointId)) {
      early ??= this.startClaim(job);
      if (!(await this.handoff.hold(endpointId, holdUntil - Date.now()))) break;
      gate = await this.gate.acquire(endpointId, job.id!, CLAIM_MS);
    }
    if (!gate.pass) {
      const waitMs =
        gate.reason === 'busy'
          ? heldBackWaitMs(job, gate.waitMs)
          : pausedWaitMs(gate.waitMs, this.config.endpointGate.breakerCooldownMs);
      return this.holdBack(job, token, waitMs);
    }
    const slotTakenAt = Date.now();
    this.handoff.started(endpointId);
    let outcome: AttemptResult | undefined;
    let attempted = false;
    try {
      outcome = await this.claimAndSend(job, span, early ?? this.startClaim(job), token, {
        ratePerSecond: controls?.rateLimitPerSecond,
        onAttempted: () => {
          attempted = true;
        },
      });
      return outcome;
    } finally {
      if (!outcome?.outcome) await this.gate.release(endpointId, job.id!);
      this.handoff.finished(endpointId, attempted ? Date.now() - slotTakenAt : undefined);
    }
  }

  /** The job's claim on its delivery, started now; a failure surfaces where it is awaited, never as unhandled. */
  private startClaim(job: DeliverJob): ReturnType<DeliveryRepository['claim']> {
    const claim = this.repository.claim(job.data.deliveryId, job.id!, CLAIM_MS);
    claim.catch(() => undefined);
    return claim;
  }

  /**
   * Waits for this job's place in the endpoint's rate: a long wait in BullMQ's delayed set (no attempt used, no
   * worker slot held), ending a little before the slot, so the last moment is waited here and the attempt starts on
   * time; coming back through the queue is too late by a variable amount to keep an even pace.
   */
  private async waitForRate(
    job: DeliverJob,
    token: string | undefined,
    endpointId: string,
    ratePerSecond: number,
  ): Promise<void> {
    for (;;) {
      const rate = await this.gate.takeRate(endpointId, job.id!, ratePerSecond);
      if (rate.pass) return;
      if (rate.waitMs > RATE_WAIT_IN_PROCESS_MS)
        await this.waitWithoutAttempt(job, token, rate.waitMs - RATE_WAIT_IN_PROCESS_MS);
      await sleep(rate.waitMs);
    }
  }

  /** The endpoint's controls from the worker's cache; none when the cache cannot load (the claim still checks the endpoint). */
  private async controlsOf(endpointId: string): Promise<Endpoint | undefined> {
    return this.activeEndpoints.find(endpointId).catch(() => undefined);
  }

  private async claimAndSend(
    job: DeliverJob,
    span: Span,
    claim: ReturnType<DeliveryRepository['claim']>,
    token: string | undefined,
    { ratePerSecond, onAttempted }: AttemptControls,
  ): Promise<AttemptResult> {
    const delivery = await claim;
    if (!delivery) throw new UnrecoverableError(`delivery ${job.data.deliveryId} does not exist`);
    if (delivery === 'finished') {
      // The job that ended it may have died before it queued the next delivery of the key (§7.5): done again here.
      await this.queueNextOfKey(job.data.deliveryId);
      return { responseStatus: null } as AttemptResult;
    }
    // An earlier delivery of its ordering key comes first (§7.5): this job ends without an attempt, and that
    // delivery's final outcome queues this one.
    if (delivery === 'waiting') return { responseStatus: null } as AttemptResult;
    // Another job (an initial run and a replay) is attempting it: wait for it, without using an attempt.
    if (delivery === 'busy') return this.waitWithoutAttempt(job, token, BUSY_RETRY_MS);
    this.cls.set(CONTEXT_EVENT_ID, delivery.eventId);
    // A replay runs in the operator's trace; a link leads from it to the event's original ingress trace.
    const original = job.data.replayRequestId && delivery.traceparent ? spanContextOf(delivery.traceparent) : undefined;
    if (original) span.addLink({ context: original });
    const { endpoint } = delivery;
    if (endpoint.deletedAt || !endpoint.enabled) {
      await this.announceCompletedReplay(
        (
          await this.repository.deadLetterUnrecorded(
            delivery.id,
            job.id!,
            `endpoint ${endpoint.deletedAt ? 'deleted' : 'disabled'}`,
          )
        ).completedReplayId,
      );
      await this.park(delivery.id, 'endpoint unavailable', delivery.endpointId);
      if (delivery.orderingKey) await this.queueNextOfKey(delivery.id);
      throw new UnrecoverableError(`endpoint ${delivery.endpointId} is not active`);
    }

    // The transformation (§7.4) comes first: what it cancels or fails never takes a place in the endpoint's rate.
    const request = await this.transformed(delivery);
    let result: AttemptResult;
    if ('outcome' in request) {
      result = request;
    } else {
      // The rate (§6.6) is taken last, right before sending, so what the receiver sees keeps to it. A throttled job
      // keeps its claim (it alone comes back for this delivery) and waits without using an attempt.
      if (ratePerSecond && job.data.endpointId) await this.waitForRate(job, token, job.data.endpointId, ratePerSecond);
      result = await this.authorizer.send(delivery.endpointId, endpoint.auth, {
        ...request,
        deliveryId: delivery.id,
        secrets: signingSecrets(endpoint, new Date()),
        timeoutMs: endpoint.timeoutMs ?? this.config.delivery.timeoutMs,
      });
      if (request.url !== endpoint.url) result.url = request.url;
      onAttempted?.();
    }
    const sent = result.outcome !== 'cancelled' && result.outcome !== 'transformation_failed';
    // The endpoint gate (Redis) and the attempt's record (PostgreSQL) are independent: they are written together,
    // so a job waits for the slower of the two rather than for both in turn. What was not sent tells the breaker
    // nothing about the receiver: its slot is only freed.
    const gateRecorded = !job.data.endpointId
      ? Promise.resolve(false)
      : sent
        ? this.gate.record(job.data.endpointId, job.id!, result.outcome !== 'retryable', result.error)
        : this.gate.release(job.data.endpointId, job.id!).then(() => false);
    span.setAttributes({
      'hookgate.event_id': delivery.eventId,
      'hookgate.endpoint_id': delivery.endpointId,
      'hookgate.outcome': result.outcome,
      ...(result.responseStatus ? { 'http.response.status_code': result.responseStatus } : {}),
    });
    this.metrics.deliveryAttempts.inc({ outcome: result.outcome });
    this.metrics.deliveryDuration.observe(result.durationMs / 1000);

    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const transition = this.transitionFor(result, lastAttempt, job);
    const [breakerOpened, recorded] = await Promise.all([
      gateRecorded,
      this.repository.recordAttempt(delivery, job.id!, result, transition, job.data.replayRequestId),
    ]);
    if (breakerOpened)
      this.logger.warn({
        message: 'endpoint paused by the circuit breaker',
        endpointId: delivery.endpointId,
        error: result.error,
      });
    await this.announceCompletedReplay(recorded.completedReplayId);
    if (delivery.orderingKey && transition.status !== 'retrying') await this.queueNextOfKey(delivery.id);
    if (transition.status === 'retrying') {
      this.metrics.deliveryRetries.inc();
      throw new RetryableDeliveryError(result.error ?? 'retryable failure', result.retryAfterMs);
    }
    if (transition.status === 'dead_lettered') {
      if (transition.disableEndpoint) {
        await this.changes.publish('endpoints');
        await this.operational.emit('hookgate.endpoint.disabled', {
          endpointId: delivery.endpointId,
          url: endpoint.url,
          reason: 'endpoint answered 410 Gone',
        });
      }
      await this.park(delivery.id, transition.reason, delivery.endpointId);
      throw new UnrecoverableError(transition.reason);
    }
    return result;
  }

  /**
   * The request to send: the endpoint's, or what its transformation made of it (the body is signed after it). A
   * cancel or a failure of the transformation comes back as the attempt's result, with no request sent.
   */
  private async transformed(
    delivery: ClaimedDelivery,
  ): Promise<Pick<OutgoingDelivery, 'method' | 'url' | 'payload' | 'headers'> | AttemptResult> {
    const { endpoint } = delivery;
    const { transformation } = endpoint;
    // Without a transformation the envelope goes out as PostgreSQL built it: never parsed here.
    if (!transformation?.enabled) return { url: endpoint.url, payload: delivery.payload, headers: endpoint.headers };
    const started = performance.now();
    const outcome = await this.transformations.apply(delivery.endpointId, transformation.code, {
      method: 'POST',
      url: endpoint.url,
      headers: endpoint.headers,
      payload: JSON.parse(delivery.payload),
    });
    if (outcome.kind === 'send') {
      const { method, url, headers, payload } = outcome.webhook;
      return { method, url, headers, payload: JSON.stringify(payload) };
    }
    return {
      outcome: outcome.kind === 'cancel' ? 'cancelled' : 'transformation_failed',
      requestHeaders: {},
      responseStatus: null,
      responseHeaders: null,
      responseBody: null,
      error: outcome.kind === 'cancel' ? 'cancelled by the transformation' : `transformation ${outcome.error}`,
      errorClass: outcome.kind === 'cancel' ? null : 'TransformationError',
      durationMs: Math.round(performance.now() - started),
    };
  }

  private transitionFor(result: AttemptResult, lastAttempt: boolean, job: DeliverJob): Transition {
    switch (result.outcome) {
      case 'succeeded':
        return { status: 'succeeded' };
      case 'cancelled':
        return { status: 'cancelled' };
      case 'transformation_failed':
        return { status: 'dead_lettered', reason: result.error ?? 'transformation failed' };
      case 'gone':
        return {
          status: 'dead_lettered',
          reason: 'endpoint answered 410 Gone; endpoint disabled',
          disableEndpoint: true,
        };
      case 'refused':
        return { status: 'dead_lettered', reason: result.error ?? 'address refused' };
      case 'final':
        return { status: 'dead_lettered', reason: `final answer: ${result.error}` };
      case 'retryable':
        if (lastAttempt)
          return {
            status: 'dead_lettered',
            reason: `retries exhausted after ${job.attemptsMade + 1} attempts: ${result.error}`,
          };
        return {
          status: 'retrying',
          nextAttemptAt: new Date(
            Date.now() +
              nextDelayMs(this.config.delivery.retryScheduleMs, job.attemptsMade + 1, result.retryAfterMs, () => 0.5),
          ),
        };
    }
  }

  /**
   * Queues the delivery that follows `finishedId` in its key's order (§7.5), under a job id named after the one that
   * ended, so doing it twice queues it once. Should Redis fail here, the maintenance sweep queues it later.
   */
  private async queueNextOfKey(finishedId: string): Promise<void> {
    try {
      const next = await this.repository.nextOfKey(finishedId, this.config.delivery.retryScheduleMs.length + 1);
      // A delivery a replay reopened stays that replay's: its attempt is recorded as the replay's.
      if (next) await this.dispatcher.enqueue([next], `after-${finishedId}`, next.replayRequestId ?? undefined);
    } catch (error) {
      this.logger.warn({
        message: 'the next delivery of the key is not queued yet; the sweep queues it',
        deliveryId: finishedId,
        error: (error as Error).message,
      });
    }
  }

  private async announceCompletedReplay(replayRequestId: string | null): Promise<void> {
    if (replayRequestId) await this.operational.emit('hookgate.replay.completed', { replayRequestId });
  }

  private async park(deliveryId: string, reason: string, endpointId?: string): Promise<void> {
    this.metrics.deadLetters.inc();
    if (endpointId) await this.deadLetterNotices.count(endpointId);
    // The dead letter is recorded already; if Redis fails here, the maintenance sweep parks it later.
    await this.deadLetters
      .park([{ id: deliveryId, reason }])
      .catch((error: Error) =>
        this.logger.warn({ message: 'dead letter not parked yet', deliveryId, error: error.message }),
      );
  }
}
