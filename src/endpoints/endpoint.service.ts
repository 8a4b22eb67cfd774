import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Transactional } from '@nestjs-cls/transactional';
import { AuditService } from '../audit/audit.service';
import { AnnouncesChange, AnnouncingService, ChangeFeed } from '../common/redis/change-feed';
import { InvalidRequestError, NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { Endpoint, Prisma } from '../generated/prisma/client';
import {
  CreateEndpointDto,
  RotateEndpointSecretDto,
  TestTransformationDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { TransformationTestView } from '../transformations/transformation-test.view';
import type { Transformation } from '../transformations/transformation.types';
import { generateEndpointSecret } from './endpoint-secret';
import { toEndpointAuth } from './endpoint-auth';
import { normalizeEndpointHeaders } from './endpoint-headers';
import { assertValidPayloadFilter } from './payload-filter';
import { EndpointGate, EndpointHealth } from './endpoint-gate';
import { EndpointRepository } from './endpoint.repository';
import { OperationalEvents } from '../events/operational-events.service';
import { EndpointView, EndpointWithSecretView } from './endpoint.view';
import { ApplicationDirectory } from '../applications/application-directory';
import { ApplicationService } from '../applications/application.service';

import { TenantContext } from '../common/tenancy/tenant-context';
import { TransformationService } from '../transformations/transformation.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** http(s) only and no credentials in the URL (they would be stored and shown in clear). */
function assertDeliverableUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidRequestError('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidRequestError('url must use http or https');
  if (url.username || url.password) throw new InvalidRequestError('url must not contain credentials');
}

type EndpointColumns = Omit<UpdateEndpointDto, 'headers' | 'auth' | 'filter' | 'transformation'> & {
  headers?: Prisma.InputJsonValue;
  auth?: string | null;
  transformation?: Prisma.InputJsonValue | typeof Prisma.DbNull;
};

/** The DTO as columns: headers and payload filter validated, auth checked and as JSON (the repository seals it). */
function toColumns(dto: UpdateEndpointDto): EndpointColumns {
  const { headers, auth, filter, transformation, ...rest } = dto;
  if (filter?.payload !== undefined) assertValidPayloadFilter(filter.payload);
  const columns: EndpointColumns = rest;
  // Empty code removes the transformation (a body never holds null, §6.4).
  if (transformation !== undefined)
    columns.transformation = transformation.code
      ? { code: transformation.code, enabled: transformation.enabled ?? true }
      : Prisma.DbNull;
  if (headers !== undefined) columns.headers = normalizeEndpointHeaders(headers);
  if (auth !== undefined) {
    const checked = toEndpointAuth(auth);
    columns.auth = checked && JSON.stringify(checked);
  }
  return columns;
}

/** Downstream subscribers. Secrets are generated here, shown once, and never read back through the API. */
@Injectable()
export class EndpointService implements AnnouncingService, OnApplicationBootstrap {
  private readonly logger = new Logger(EndpointService.name);

  constructor(
    private readonly repository: EndpointRepository,
    private readonly audit: AuditService,
    readonly changes: ChangeFeed,
    private readonly config: AppConfig,
    private readonly gate: EndpointGate,
    private readonly operational: OperationalEvents,
    private readonly applications: ApplicationDirectory,
    private readonly applicationService: ApplicationService,
    private readonly tenant: TenantContext,
    private readonly transformations: TransformationService,
  ) {}

  /** Secrets stored in clear (or under an earlier key) are sealed with SECRETS_ENCRYPTION_KEY; API role only. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runsApi) return;
    const resealed = await this.repository.resealSecrets();
    if (resealed) this.logger.log(`sealed the secrets of ${resealed} endpoints with SECRETS_ENCRYPTION_KEY`);
  }

  async list(limit: number, cursor?: string, application?: string): Promise<Page<EndpointView>> {
    const rows = await this.repository.listPage(limit, decodeCursor(cursor), this.tenant.listFilter(application));
    const uids = new Map<string, string>();
    for (const row of rows) uids.set(row.applicationId, await this.applicationUid(row.applicationId));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => EndpointView.of(row, uids.get(row.applicationId)!),
    );
  }

  /** One endpoint with its delivery health (contract §6.3): the circuit breaker's state and recent outcomes. */
  async get(id: string): Promise<EndpointView & { health: EndpointHealth }> {
    return this.withHealth(await this.view(await this.require(id)));
  }

  /** A page of endpoints each with its health, as the console and the portal list them. */
  async listWithHealth(
    limit: number,
    cursor?: string,
  ): Promise<{ data: (EndpointView & { health: EndpointHealth })[]; nextCursor: string | null }> {
    const page = await this.list(limit, cursor);
    return { data: await Promise.all(page.data.map((view) => this.withHealth(view))), nextCursor: page.nextCursor };
  }

  private async withHealth(view: EndpointView): Promise<EndpointView & { health: EndpointHealth }> {
    const health = await this.gate.health(view.id);
    return { ...view, health: view.pausedAt ? { ...health, state: 'paused' } : health };
  }

  /** A trial run of a transformation (§7.4) on the endpoint's request with `payload`: nothing is sent or stored. */
  async testTransformation(id: string, dto: TestTransformationDto): Promise<TransformationTestView> {
    const endpoint = await this.require(id);
    const code = dto.code ?? (endpoint.transformation as Transformation | null)?.code;
    if (code === undefined)
      throw new InvalidRequestError('the endpoint has no transformation: send the code to try as "code"');
    const headers = endpoint.headers as Record<string, string>;
    const verdict = await this.transformations.tryOut(id, code, {
      method: 'POST',
      url: endpoint.url,
      headers,
      payload: dto.payload,
    });
    return TransformationTestView.of(verdict);
  }

  /** An operator's pause (§6.6): deliveries wait, without using attempts, until resumed. Pausing twice changes nothing. */
  pause(id: string, actor: string): Promise<EndpointView & { health: EndpointHealth }> {
    return this.changePause(id, true, actor);
  }

  resume(id: string, actor: string): Promise<EndpointView & { health: EndpointHealth }> {
    return this.changePause(id, false, actor);
  }

  /** The change is announced before the operational event is emitted, so its fan-out sees the endpoint as it now is. */
  private async changePause(
    id: string,
    paused: boolean,
    actor: string,
  ): Promise<EndpointView & { health: EndpointHealth }> {
    const changed = await this.setPaused(id, paused, actor);
    await this.changes.publish('endpoints');
    const view = await this.get(id);
    if (changed)
      await this.operational.emit(paused ? 'hookgate.endpoint.paused' : 'hookgate.endpoint.resumed', {
        endpointId: id,
        url: view.url,
        actor,
      });
    return view;
  }

  @Transactional()
  private async setPaused(id: string, paused: boolean, actor: string): Promise<boolean> {
    const endpoint = await this.require(id);
    if (Boolean(endpoint.pausedAt) === paused) return false;
    await this.repository.update(id, { pausedAt: paused ? new Date() : null });
    await this.audit.record({
      actor,
      action: paused ? 'endpoint.paused' : 'endpoint.resumed',
      applicationId: endpoint.applicationId,
      subjectType: 'endpoint',
      subjectId: id,
    });
    return true;
  }

  @AnnouncesChange('endpoints')
  @Transactional()
  async create(dto: CreateEndpointDto, actor: string): Promise<EndpointWithSecretView> {
    assertDeliverableUrl(dto.url);
    if (dto.transformation?.code) await this.transformations.assertUsable(dto.transformation.code);
    const application = await this.applicationService.inScope(dto.application);
    const secret = generateEndpointSecret();
    const endpoint = await this.repository.create({
      ...toColumns(dto),
      application: { connect: { id: application.id } },
      url: dto.url,
      filter: (dto.filter ?? {}) as Prisma.InputJsonValue,
      secret,
    });
    await this.audit.record({
      actor,
      action: 'endpoint.created',
      applicationId: application.id,
      subjectType: 'endpoint',
      subjectId: endpoint.id,
      details: { application: application.uid, url: endpoint.url, filter: dto.filter ?? {} },
    });
    return { ...(await this.view(endpoint)), secret };
  }

  async update(id: string, dto: UpdateEndpointDto, actor: string): Promise<EndpointView> {
    const { endpoint, disabled } = await this.applyUpdate(id, dto, actor);
    await this.changes.publish('endpoints');
    if (disabled)
      await this.operational.emit('hookgate.endpoint.disabled', {
        endpointId: id,
        url: endpoint.url,
        reason: `disabled by ${actor}`,
        actor,
      });
    return await this.view(endpoint);
  }

  @Transactional()
  private async applyUpdate(
    id: string,
    dto: UpdateEndpointDto,
    actor: string,
  ): Promise<{ endpoint: Endpoint; disabled: boolean }> {
    const before = await this.require(id);
    if (dto.url !== undefined) assertDeliverableUrl(dto.url);
    if (dto.transformation?.code) await this.transformations.assertUsable(dto.transformation.code);
    const data: Prisma.EndpointUpdateInput = {
      ...toColumns(dto),
      filter: dto.filter as Prisma.InputJsonValue | undefined,
    };
    if (dto.enabled === true) data.disabledReason = null;
    const endpoint = await this.repository.update(id, data);
    await this.audit.record({
      actor,
      action: 'endpoint.updated',
      applicationId: endpoint.applicationId,
      subjectType: 'endpoint',
      subjectId: id,
      details: { changed: Object.keys(dto) },
    });
    return { endpoint, disabled: before.enabled && !endpoint.enabled };
  }

  @AnnouncesChange('endpoints')
  @Transactional()
  async remove(id: string, actor: string): Promise<void> {
    const { applicationId } = await this.require(id);
    await this.repository.update(id, { deletedAt: new Date(), enabled: false });
    await this.audit.record({
      actor,
      action: 'endpoint.deleted',
      applicationId,
      subjectType: 'endpoint',
      subjectId: id,
    });
  }

  @AnnouncesChange('endpoints')
  @Transactional()
  async rotateSecret(id: string, dto: RotateEndpointSecretDto, actor: string): Promise<EndpointWithSecretView> {
    const current = await this.require(id);
    const secret = generateEndpointSecret();
    // Contract §7.6: during the grace period the previous secret signs too; without one it stops at once, and a
    // previous secret still in an earlier rotation's grace period is dropped either way (two signatures at most).
    const gracePeriodSeconds = dto.gracePeriodSeconds ?? 0;
    const endpoint = await this.repository.update(id, {
      secret,
      previousSecret: gracePeriodSeconds > 0 ? current.secret : null,
      previousSecretExpiresAt: gracePeriodSeconds > 0 ? new Date(Date.now() + gracePeriodSeconds * 1000) : null,
    });
    await this.audit.record({
      actor,
      action: 'endpoint.secret_rotated',
      applicationId: current.applicationId,
      subjectType: 'endpoint',
      subjectId: id,
      details: { gracePeriodSeconds },
    });
    return { ...(await this.view(endpoint)), secret };
  }

  private async view(endpoint: Endpoint): Promise<EndpointView> {
    return EndpointView.of(endpoint, await this.applicationUid(endpoint.applicationId));
  }

  private async applicationUid(applicationId: string): Promise<string> {
    return (await this.applications.byId(applicationId))?.uid ?? applicationId;
  }

  /**
   * The live endpoint of this id, visible to the request's key: 404 for no such endpoint and for one of another
   * application (contract §7.1). Other modules' routes that name an endpoint (tests, replays) ask here.
   */
  async require(id: string): Promise<Endpoint> {
    const endpoint = UUID.test(id) ? await this.repository.findLive(id) : null;
    if (!endpoint) throw new NotFoundError(`No endpoint ${id}`);
    this.tenant.assertVisible(endpoint.applicationId, `endpoint ${id}`);
    return endpoint;
  }
}
