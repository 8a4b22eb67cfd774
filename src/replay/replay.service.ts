import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { EndpointService } from '../endpoints/endpoint.service';
import { EventQueryRepository } from '../events/event-query.repository';
import { Application, ReplayKind } from '../generated/prisma/client';
import { captureTraceContext } from '../observability/tracing/trace-context';
import { JobQueue } from '../queue/job-queue.service';
import { JobName } from '../queue/queue-names';
import { BulkReplayDto, RecoverDto, RedriveDto, ReplayEventDto } from './dto/replay.dto';
import { RedriveSelection, ReplayRepository } from './replay.repository';
import { replayView, ReplayView } from './replay.view';
import { TenantContext } from '../common/tenancy/tenant-context';
import { ApplicationDirectory } from '../applications/application-directory';

/** Replay requests are recorded here and carried out by the worker (ReplayProcessor), in batches. */
@Injectable()
export class ReplayService {
  constructor(
    private readonly replays: ReplayRepository,
    private readonly events: EventQueryRepository,
    private readonly endpoints: EndpointService,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly tenant: TenantContext,
    private readonly applications: ApplicationDirectory,
  ) {}

  async replayEvent(eventId: string, dto: ReplayEventDto, actor: string): Promise<{ replayRequestId: string }> {
    const applicationId = await this.events.applicationOf(eventId);
    if (!applicationId) throw new NotFoundError(`No event ${eventId}`);
    this.tenant.assertVisible(applicationId, `event ${eventId}`);
    await this.assertEndpoint(dto.endpointId, applicationId);
    await this.applications.assertDeliversTo(applicationId);
    const replay = await this.start('event', actor, dto.reason, { eventId }, 1, {
      endpointId: dto.endpointId,
      eventId,
      applicationId,
    });
    return { replayRequestId: replay.id };
  }

  async replayBulk(
    dto: BulkReplayDto,
    actor: string,
  ): Promise<{ replayRequestId?: string; matched: number; dryRun?: true }> {
    const application = await this.applicationNamed(dto.filter.application);
    // The filter is stored as the walk's: an application key's replay names its application there.
    const filter = application ? { ...dto.filter, application: application.uid } : dto.filter;
    const endpointApplication = await this.assertEndpoint(dto.endpointId, application?.id);
    const deliversTo = application?.id ?? endpointApplication;
    if (deliversTo) await this.applications.assertDeliversTo(deliversTo);
    const matched = await this.events.count(filter);
    if (dto.dryRun) return { matched, dryRun: true };
    const replay = await this.start('bulk', actor, dto.reason, filter, matched, {
      endpointId: dto.endpointId,
      applicationId: application?.id,
    });
    return { replayRequestId: replay.id, matched };
  }

  async redrive(dto: RedriveDto, actor: string): Promise<{ replayRequestId: string; matched: number }> {
    const application = await this.applicationNamed(undefined);
    const selection: RedriveSelection = { deliveryIds: dto.deliveryIds, filter: dto.filter };
    if (application) {
      // Another application's delivery id answers 404 (§7.1), rather than being left out quietly.
      if (dto.deliveryIds?.length && (await this.replays.countOutside(dto.deliveryIds, application.id)) > 0)
        throw new NotFoundError('No dead letter of these ids in this application');
      selection.application = application.uid;
    }
    // So is an endpoint of another application in the filter (any key sees only its own endpoints).
    const endpoint = dto.filter?.endpointId ? await this.endpoints.require(dto.filter.endpointId) : undefined;
    const deliversTo = application?.id ?? endpoint?.applicationId;
    if (deliversTo) await this.applications.assertDeliversTo(deliversTo);
    const matched = await this.replays.countDeadLetters(selection);
    const replay = await this.start('redrive', actor, dto.reason, selection, matched, {
      applicationId: application?.id,
    });
    return { replayRequestId: replay.id, matched };
  }

  /** Runs again every delivery to this endpoint since `since` that did not succeed, as a replay (contract §6.6). */
  async recover(
    endpointId: string,
    dto: RecoverDto,
    actor: string,
  ): Promise<{ replayRequestId: string; matched: number }> {
    const applicationId = (await this.assertEndpoint(endpointId))!;
    await this.applications.assertDeliversTo(applicationId);
    const matched = await this.replays.countRecoverable(endpointId, dto.since);
    const replay = await this.start('recover', actor, dto.reason, { endpointId, since: dto.since }, matched, {
      endpointId,
      applicationId,
    });
    return { replayRequestId: replay.id, matched };
  }

  async list(limit: number, cursor?: string, application?: string): Promise<Page<ReplayView>> {
    const rows = await this.replays.listPage(limit, decodeCursor(cursor), this.tenant.listFilter(application));
    const uids = new Map<string, string | null>();
    for (const row of rows) uids.set(row.id, await this.uidOf(row.applicationId));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => replayView(row, uids.get(row.id) ?? null),
    );
  }

  /** A replay of another application than an application key's is answered 404, as if it did not exist. */
  async get(id: string): Promise<ReplayView> {
    const replay = await this.require(id);
    return replayView(replay, await this.uidOf(replay.applicationId));
  }

  private async require(id: string) {
    const replay = await this.replays.find(id);
    const confinedTo = this.tenant.applicationId();
    if (!replay || (confinedTo && replay.applicationId !== confinedTo))
      throw new NotFoundError(`No replay request ${id}`);
    return replay;
  }

  private async uidOf(applicationId: string | null): Promise<string | null> {
    return applicationId ? ((await this.applications.byId(applicationId))?.uid ?? null) : null;
  }

  /**
   * The application a bulk replay or a redrive acts in: the one its filter names (404 when there is none), an
   * application key's own (naming another is 404), or none: a global key's replay across every application.
   */
  private async applicationNamed(uid: string | undefined): Promise<Application | undefined> {
    const confinedTo = this.tenant.applicationId();
    if (!uid && !confinedTo) return undefined;
    const application = uid ? await this.applications.byUid(uid) : await this.applications.byId(confinedTo!);
    if (!application) throw new NotFoundError(`No application ${uid}`);
    this.tenant.assertVisible(application.id, `application ${uid}`);
    return application;
  }

  async cancel(id: string, actor: string) {
    const { applicationId } = await this.require(id);
    if (!(await this.replays.cancel(id))) throw new ConflictError('The replay request has already ended');
    await this.audit.record({
      actor,
      action: 'replay.cancelled',
      applicationId,
      subjectType: 'replay_request',
      subjectId: id,
    });
    return this.get(id);
  }

  private async start(
    kind: ReplayKind,
    actor: string,
    reason: string,
    filter: object,
    matched: number,
    { endpointId, eventId, applicationId }: { endpointId?: string; eventId?: string; applicationId?: string } = {},
  ) {
    const replay = await this.replays.create({ kind, actor, reason, filter, endpointId, matched, applicationId });
    await this.audit.record({
      actor,
      action: 'replay.requested',
      applicationId: applicationId ?? null,
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

  /**
   * A replay's endpoint: live, visible to the key, and of the application being replayed (an event is only ever
   * delivered within its application, §7.1). Returns its application.
   */
  private async assertEndpoint(endpointId: string | undefined, applicationId?: string): Promise<string | undefined> {
    if (!endpointId) return undefined;
    const endpoint = await this.endpoints.require(endpointId);
    if (applicationId && endpoint.applicationId !== applicationId) throw new NotFoundError(`No endpoint ${endpointId}`);
    return endpoint.applicationId;
  }
}
