import { Injectable } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { AuditService } from '../audit/audit.service';
import { ConflictError, InvalidRequestError, NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { AnnouncesChange, AnnouncingService, ChangeFeed } from '../common/redis/change-feed';
import { DEFAULT_APPLICATION_ID, DEFAULT_APPLICATION_UID } from '../common/tenancy/default-application';
import { TenantContext } from '../common/tenancy/tenant-context';
import { Application, Prisma } from '../generated/prisma/client';
import { ApplicationRepository } from './application.repository';
import { ApplicationView } from './application.view';
import { CreateApplicationDto, UpdateApplicationDto } from './dto/application.dto';

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}

/** Applications (tenants, contract §7.1): created, changed and disabled by global admin keys, every change audited. */
@Injectable()
export class ApplicationService implements AnnouncingService {
  constructor(
    private readonly repository: ApplicationRepository,
    private readonly audit: AuditService,
    private readonly tenant: TenantContext,
    readonly changes: ChangeFeed,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<ApplicationView>> {
    const rows = await this.repository.listPage(limit, decodeCursor(cursor));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => ApplicationView.of(row),
    );
  }

  async get(idOrUid: string): Promise<ApplicationView> {
    return ApplicationView.of(await this.require(idOrUid));
  }

  /**
   * The application a management request acts in: the one it names (by uid), else the application of an
   * application key, else `default`. An application key naming another application gets 404 (contract §7.1).
   */
  async inScope(uid: string | undefined): Promise<Application> {
    const application = await this.require(uid ?? this.tenant.applicationId() ?? DEFAULT_APPLICATION_UID);
    this.tenant.assertVisible(application.id, `application ${uid}`);
    return application;
  }

  /** The application of this id or uid; 404 when there is none. */
  async require(idOrUid: string): Promise<Application> {
    const application = await this.repository.findByIdOrUid(idOrUid);
    if (!application) throw new NotFoundError(`No application ${idOrUid}`);
    return application;
  }

  @AnnouncesChange('applications')
  @Transactional()
  async create(dto: CreateApplicationDto, actor: string): Promise<ApplicationView> {
    const { portal, metadata, ...fields } = dto;
    try {
      const created = await this.repository.create({
        ...fields,
        metadata: (metadata ?? {}) as Prisma.InputJsonObject,
        portal: { ...portal },
      });
      await this.audit.record({
        actor,
        action: 'application.created',
        applicationId: created.id,
        subjectType: 'application',
        subjectId: created.id,
        details: { application: created.uid, name: created.name },
      });
      return ApplicationView.of(created);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`An application with uid "${dto.uid}" exists already`);
      throw error;
    }
  }

  @AnnouncesChange('applications')
  @Transactional()
  async update(idOrUid: string, dto: UpdateApplicationDto, actor: string): Promise<ApplicationView> {
    const current = await this.require(idOrUid);
    const { portal, metadata, ...fields } = dto;
    const updated = await this.repository.update(current.id, {
      ...fields,
      ...(metadata !== undefined ? { metadata: metadata as Prisma.InputJsonObject } : {}),
      ...(portal !== undefined ? { portal: { ...portal } } : {}),
    });
    await this.audit.record({
      actor,
      action: 'application.updated',
      applicationId: current.id,
      subjectType: 'application',
      subjectId: current.id,
      details: { application: current.uid, changed: Object.keys(dto) },
    });
    return ApplicationView.of(updated);
  }

  /** DELETE disables: its ingress answers 404 and its endpoints get nothing new; its data stays until retention. */
  @AnnouncesChange('applications')
  @Transactional()
  async disable(idOrUid: string, actor: string): Promise<void> {
    const current = await this.require(idOrUid);
    if (current.id === DEFAULT_APPLICATION_ID)
      throw new InvalidRequestError(
        'The default application serves every route that names no application; it cannot be disabled',
      );
    if (current.disabledAt) return;
    await this.repository.update(current.id, { disabledAt: new Date() });
    await this.audit.record({
      actor,
      action: 'application.disabled',
      applicationId: current.id,
      subjectType: 'application',
      subjectId: current.id,
      details: { application: current.uid },
    });
  }
}
