import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { DeliveryDispatcher } from '../delivery/delivery-dispatcher.service';
import { ReplayFilterDto } from '../events/dto/event-query.dto';
import { EventQueryRepository } from '../events/event-query.repository';
import { OperationalEvents } from '../events/operational-events.service';
import { inJobSpan } from '../observability/tracing/trace-context';
import { ReplayKind } from '../generated/prisma/client';
import { JobOf } from '../queue/job-payloads';
import { settleFinalFailure } from '../queue/final-failure';
import { JobName, QueueName } from '../queue/queue-names';
import { IDLE_WORKER, WorkerRunner } from '../queue/worker-runner';
import { RedriveSelection, ReplayRepository } from './replay.repository';

interface WalkCursor {
  at?: string;
  id?: string;
  done?: boolean;
}

/**
 * Carries out a replay request in batches of REPLAY_BATCH_SIZE: each batch is enqueued and its position saved,
 * so a huge replay never sits in memory, a restarted worker resumes, and a cancel stops it between batches.
 */
@Processor(QueueName.Replay, IDLE_WORKER)
export class ReplayProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReplayProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly runner: WorkerRunner,
    private readonly replays: ReplayRepository,
    private readonly events: EventQueryRepository,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly operational: OperationalEvents,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.runner.start(this.worker);
  }

  process(job: Job<JobOf<JobName.RunReplay>>): Promise<void> {
    return inJobSpan('replay.run', job.data, { 'hookgate.replay_id': job.data.replayRequestId }, () =>
      this.run(job.data.replayRequestId),
    );
  }

  /** A replay whose job failed for good ends `failed`, with the reason (contract §6.4). */
  @OnWorkerEvent('failed')
  onFailed(job: Job<JobOf<JobName.RunReplay>> | undefined, error: Error): Promise<void> {
    return settleFinalFailure(this.logger, job, error, () =>
      this.replays.markFailed(job!.data.replayRequestId, error.message),
    );
  }

  private async run(id: string): Promise<void> {
    const replay = await this.replays.find(id);
    if (!replay) throw new UnrecoverableError(`replay request ${id} does not exist`);
    if (replay.status !== 'pending' && replay.status !== 'running') return;
    await this.replays.markRunning(id);
    let cursor = (replay.cursor ?? {}) as WalkCursor;
    if (cursor.done) return;
    const options = { replayRequestId: id, endpointId: replay.endpointId ?? undefined };

    if (replay.kind === 'event') {
      const enqueued = await this.dispatcher.redeliverEvents([(replay.filter as { eventId: string }).eventId], options);
      await this.replays.recordBatch(id, enqueued, {});
      await this.finish(id, {});
      return;
    }
    for (;;) {
      const current = await this.replays.find(id);
      if (current?.status !== 'running') return; // cancelled (or failed) between batches
      const next = await this.nextBatch(replay.kind, replay.filter, cursor, options);
      if (!next) break;
      cursor = next.cursor;
      await this.replays.recordBatch(id, next.enqueued, cursor);
    }
    await this.finish(id, cursor);
  }

  /** Ends the walk; a replay with nothing left in flight completes here (else its last delivery completes it). */
  private async finish(id: string, cursor: object): Promise<void> {
    if (await this.replays.finishWalk(id, cursor))
      await this.operational.emit('hookgate.replay.completed', { replayRequestId: id });
  }

  private nextBatch(
    kind: ReplayKind,
    filter: unknown,
    cursor: WalkCursor,
    options: { replayRequestId: string; endpointId?: string },
  ) {
    if (kind === 'bulk') return this.bulkBatch(filter as ReplayFilterDto, cursor, options);
    if (kind === 'recover')
      return this.recoverBatch(filter as { endpointId: string; since: string }, cursor, options.replayRequestId);
    return this.redriveBatch(filter as never, cursor, options.replayRequestId);
  }

  private async recoverBatch(
    selection: { endpointId: string; since: string },
    cursor: WalkCursor,
    replayRequestId: string,
  ) {
    const rows = await this.replays.recoverablePage(
      selection.endpointId,
      new Date(selection.since),
      this.config.replay.batchSize,
      cursor.id,
    );
    return this.redrivePage(rows, replayRequestId);
  }

  private async bulkBatch(
    filter: ReplayFilterDto,
    cursor: WalkCursor,
    options: { replayRequestId: string; endpointId?: string },
  ) {
    const after = cursor.at && cursor.id ? { at: new Date(cursor.at), id: cursor.id } : undefined;
    const rows = await this.events.page(reviveDates(filter), this.config.replay.batchSize, after);
    if (!rows.length) return null;
    const enqueued = await this.dispatcher.redeliverEvents(
      rows.map((row) => row.id),
      options,
    );
    const last = rows[rows.length - 1];
    return { enqueued, cursor: { at: last.receivedAt.toISOString(), id: last.id } };
  }

  private async redriveBatch(selection: RedriveSelection, cursor: WalkCursor, replayRequestId: string) {
    const filter = selection.filter ? reviveDates(selection.filter) : undefined;
    const rows = await this.replays.deadLetterPage(
      { deliveryIds: selection.deliveryIds, filter, application: selection.application },
      this.config.replay.batchSize,
      cursor.id,
    );
    return this.redrivePage(rows, replayRequestId);
  }

  /** Runs these dead or failed deliveries again; the next batch starts after the last id. */
  private async redrivePage(rows: { id: string }[], replayRequestId: string) {
    if (!rows.length) return null;
    const enqueued = await this.dispatcher.redriveDeliveries(
      rows.map((row) => row.id),
      { replayRequestId },
    );
    return { enqueued, cursor: { id: rows[rows.length - 1].id } };
  }
}

/** Filters come back from JSON with dates as strings. */
function reviveDates<T extends { from?: Date; to?: Date }>(filter: T): T {
  return {
    ...filter,
    from: filter.from ? new Date(filter.from) : undefined,
    to: filter.to ? new Date(filter.to) : undefined,
  };
}
