import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { EndpointRepository } from '../endpoints/endpoint.repository';
import { EventQueryRepository } from '../events/event-query.repository';
import { ReplayKind } from '../generated/prisma/client';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { BulkReplayDto, RecoverDto, RedriveDto, ReplayEventDto } from './dto/replay.dto';
import { ReplayRepository } from './replay.repository';
import { replayView } from './replay.view';

/** Replay requests are recorded here and carried out by the worker (ReplayProcessor), in batches. */
@Injectable()
export class ReplayService {
  constructor(
    private readonly replays: ReplayRepository,
    private readonly events: EventQueryRepository,
    private readonly endpoints: EndpointRepository,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
  ) {}

  async replayEvent(eventId: string, dto: ReplayEventDto, actor: string): Promise<{ replayRequestId: string }> {
    if (!(await this.events.exists(eventId))) throw new NotFoundError(`No event ${eventId}`);
    await this.assertEndpoint(dto.endpointId);
    const replay = await this.start('event', actor, dto.reason, { eventId }, 1, dto.endpointId, eventId);
    return { replayRequestId: replay.id };
  }

  async replayBulk(
    dto: BulkReplayDto,
    actor: string,
  ): Promise<{ replayRequestId?: string; matched: number; dryRun?: true }> {
    await this.assertEndpoint(dto.endpointId);
    const matched = await this.events.count(dto.filter);
    if (dto.dryRun) return { matched, dryRun: true };
    const replay = await this.start('bulk', actor, dto.reason, dto.filter, matched, dto.endpointId);
    return { replayRequestId: replay.id, matched };
  }

  async redrive(dto: RedriveDto, actor: string): Promise<{ replayRequestId: string; matched: number }> {
    const selection = { deliveryIds: dto.deliveryIds, filter: dto.filter };
    const matched = await this.replays.countDeadLetters(selection);
    const replay = await this.start('redrive', actor, dto.reason, selection, matched);
    return { replayRequestId: replay.id, matched };
  }

  /** Runs again every delivery to this endpoint since `since` that did not succeed, as a replay (contract §6.6). */
  async recover(
    endpointId: string,
    dto: RecoverDto,
    actor: string,
  ): Promise<{ replayRequestId: string; matched: number }> {
    await this.assertEndpoint(endpointId);
    const matched = await this.replays.countRecoverable(endpointId, dto.since);
    const replay = await this.start(
      'recover',
      actor,
      dto.reason,
      { endpointId, since: dto.since },
      matched,
      endpointId,
    );
    return { replayRequestId: replay.id, matched };
  }

  async list(limit: number, cursor?: string): Promise<Page<ReturnType<typeof replayView>>> {
    const rows = await this.replays.listPage(limit, decodeCursor(cursor));
    return toPage(rows, limit, (row) => ({ at: row.createdAt, id: row.id }), replayView);
  }

  async get(id: string) {
    const replay = await this.replays.find(id);
    if (!replay) throw new NotFoundError(`No replay request ${id}`);
    return replayView(replay);
  }

  async cancel(id: string, actor: string) {
    await this.get(id);
    if (!(await this.replays.cancel(id))) throw new ConflictError('The replay request has already ended');
    await this.audit.record({ actor, action: 'replay.cancelled', subjectType: 'replay_request', subjectId: id });
    return this.get(id);
  }

  private async start(
    kind: ReplayKind,
    actor: string,
    reason: string,
    filter: object,
    matched: number,
    endpointId?: string,
    eventId?: string,
  ) {
    const replay = await this.replays.create({ kind, actor, reason, filter, endpointId, matched });
    await this.audit.record({
      actor,
      action: 'replay.requested',
      subjectType: 'replay_request',
      subjectId: replay.id,
      eventId: eventId ?? null,
      details: { kind, reason, filter, matched, endpointId },
    });
    await this.jobs.add(
      JobName.RunReplay,
      { replayRequestId: replay.id, ...captureTraceContext() },
      { jobId: replay.id },
    );
    return replay;
  }

  private async assertEndpoint(endpointId?: string): Promise<void> {
    if (endpointId && !(await this.endpoints.isLive(endpointId))) throw new NotFoundError(`No endpoint ${endpointId}`);
  }
}
