import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Transactional } from '@nestjs-cls/transactional';
import { AnnouncesChange, AnnouncingService, ChangeFeed } from '../../common/redis/change-feed';
import { AuditService } from '../../audit/audit.service';
import { SYSTEM_ACTORS } from '../../audit/audit.types';
import { ConflictError, InvalidRequestError, NotFoundError } from '../../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../../common/pagination/page';
import { AppConfig } from '../../config/app-config';
import { Prisma } from '../../generated/prisma/client';
import { ApplicationService } from '../../applications/application.service';
import { TenantContext } from '../../common/tenancy/tenant-context';
import { DEFAULT_APPLICATION_ID } from '../../common/tenancy/default-application';
import { registerSecret } from '../../observability/logging/redaction';
import { ProviderRegistry } from '../provider.registry';
import { CreateIntegrationDto, UpdateIntegrationDto } from './dto/integration.dto';
import { IntegrationRepository, IntegrationRow } from './integration.repository';
import { IntegrationView } from './integration.view';

const DEFAULT_PREVIOUS_SECRET_TTL_SECONDS = 86_400;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'P2002';
}

/** Integrations: the configured webhook sources. Secrets go in, never come out. */
@Injectable()
export class IntegrationService implements OnApplicationBootstrap, AnnouncingService {
  private readonly logger = new Logger(IntegrationService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: IntegrationRepository,
    private readonly providers: ProviderRegistry,
    private readonly audit: AuditService,
    private readonly applications: ApplicationService,
    private readonly tenant: TenantContext,
    readonly changes: ChangeFeed,
  ) {}

  /** Built-in integrations (`stripe`, `github`, …) are created or updated from their environment variables. */
  async onApplicationBootstrap(): Promise<void> {
    // Only the API role writes at boot, so an api and a worker booting together do not race on the same rows.
    if (this.config.runsApi) {
      const resealed = await this.repository.resealSecrets();
      if (resealed) this.logger.log(`sealed the secrets of ${resealed} integrations with SECRETS_ENCRYPTION_KEY`);
    }
    for (const [slug, secret] of Object.entries(this.config.builtInSecrets)) {
      registerSecret(secret);
      if (secret && this.config.runsApi) await this.seedBuiltIn(slug, secret);
    }
  }

  async list(limit: number, cursor?: string, application?: string): Promise<Page<IntegrationView>> {
    const rows = await this.repository.listPage(limit, decodeCursor(cursor), this.tenant.listFilter(application));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => IntegrationView.of(row),
    );
  }

  async get(id: string): Promise<IntegrationView> {
    return IntegrationView.of(await this.require(id));
  }

  @AnnouncesChange('integrations')
  @Transactional()
  async create(dto: CreateIntegrationDto, actor: string): Promise<IntegrationView> {
    this.assertProvider(dto.provider);
    registerSecret(dto.secret);
    const { application: uid, ...fields } = dto;
    const application = await this.applications.inScope(uid);
    try {
      const created = await this.repository.create({ ...fields, application: { connect: { id: application.id } } });
      await this.audit.record({
        actor,
        action: 'integration.created',
        applicationId: application.id,
        subjectType: 'integration',
        subjectId: created.id,
        details: { application: application.uid, slug: created.slug, provider: created.provider },
      });
      return IntegrationView.of(created);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`Application ${application.uid} has an integration with slug "${dto.slug}" already`);
      throw error;
    }
  }

  @AnnouncesChange('integrations')
  @Transactional()
  async update(id: string, dto: UpdateIntegrationDto, actor: string): Promise<IntegrationView> {
    const current = await this.require(id);
    if (dto.provider !== undefined) this.assertProvider(dto.provider);
    const { rotateSecret, previousSecretTtlSeconds, ...fields } = dto;
    const data: Prisma.IntegrationUpdateInput = { ...fields };
    registerSecret(fields.secret);
    if (rotateSecret !== undefined) {
      registerSecret(rotateSecret);
      const ttl = previousSecretTtlSeconds ?? DEFAULT_PREVIOUS_SECRET_TTL_SECONDS;
      Object.assign(data, {
        secret: rotateSecret,
        previousSecret: current.secret,
        previousSecretExpiresAt: new Date(Date.now() + ttl * 1000),
      });
    }
    try {
      const updated = await this.repository.update(id, data);
      const changed = Object.keys(fields).filter((key) => key !== 'secret');
      await this.audit.record({
        actor,
        action:
          rotateSecret !== undefined || fields.secret !== undefined
            ? 'integration.secret_rotated'
            : 'integration.updated',
        applicationId: updated.applicationId,
        subjectType: 'integration',
        subjectId: id,
        details: {
          changed,
          secretReplaced: fields.secret !== undefined,
          rotated: rotateSecret !== undefined,
          previousSecretTtlSeconds:
            rotateSecret !== undefined ? (previousSecretTtlSeconds ?? DEFAULT_PREVIOUS_SECRET_TTL_SECONDS) : undefined,
        },
      });
      return IntegrationView.of(updated);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`An integration with slug "${dto.slug}" exists already`);
      throw error;
    }
  }

  private async require(id: string): Promise<IntegrationRow> {
    const integration = /^[0-9a-f-]{36}$/i.test(id) ? await this.repository.findById(id) : null;
    if (!integration) throw new NotFoundError(`No integration ${id}`);
    this.tenant.assertVisible(integration.applicationId, `integration ${id}`);
    return integration;
  }

  private assertProvider(provider: string): void {
    if (!this.providers.get(provider))
      throw new InvalidRequestError(`provider must be one of ${this.providers.names().join(', ')}`);
  }

  @Transactional()
  private async seedBuiltIn(slug: string, secret: string): Promise<void> {
    const existing = await this.repository.findBySlug(DEFAULT_APPLICATION_ID, slug);
    if (!existing) {
      const created = await this.repository.create({ slug, provider: slug, secret });
      await this.audit.record({
        actor: SYSTEM_ACTORS.boot,
        action: 'integration.created',
        applicationId: DEFAULT_APPLICATION_ID,
        subjectType: 'integration',
        subjectId: created.id,
        details: { slug, provider: slug, source: 'environment' },
      });
    } else if (existing.secret !== secret) {
      await this.repository.update(existing.id, { secret });
      await this.audit.record({
        actor: SYSTEM_ACTORS.boot,
        action: 'integration.secret_rotated',
        applicationId: DEFAULT_APPLICATION_ID,
        subjectType: 'integration',
        subjectId: existing.id,
        details: { source: 'environment' },
      });
    }
    this.logger.log(`built-in integration "${slug}" ready`);
  }
}
