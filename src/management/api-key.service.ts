import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { registerSecret } from '../observability/logging/redaction';
import { AuditService } from '../audit/audit.service';
import { ApplicationService } from '../applications/application.service';
import { TenantContext } from '../common/tenancy/tenant-context';
import { NotFoundError } from '../common/errors/domain-errors';
import { decodeCursor, Page, toPage } from '../common/pagination/page';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key-hash';
import { ApiKeyRepository } from './api-key.repository';
import { Actor, ApiKeyScope } from './api-key.types';

/** A key as lists show it: never the key itself. */
export interface ApiKeyView {
  id: string;
  /** The uid of its application; null for a global key. */
  application: string | null;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  lastUsedAt: string | null;
  createdAt: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;
export const BOOTSTRAP_ADMIN_KEY_NAME = 'bootstrap-admin';

/** Authenticates management keys and stores the bootstrap admin key (hashed) on first boot. */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly repository: ApiKeyRepository,
    private readonly audit: AuditService,
    private readonly applications: ApplicationService,
    private readonly tenant: TenantContext,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const key = this.config.adminApiKey;
    if (!key) return;
    registerSecret(key);
    const stored = await this.repository.ensureByHash(hashApiKey(key), {
      name: BOOTSTRAP_ADMIN_KEY_NAME,
      scope: 'admin',
      prefix: displayPrefix(key),
    });
    // A revocation outlives restarts: a revoked ADMIN_API_KEY stays refused until a new value is configured.
    if (stored.revokedAt)
      this.logger.warn('ADMIN_API_KEY was revoked and stays revoked: set a new value to bootstrap a new admin key');
    else this.logger.log('bootstrap admin key stored (hashed) from ADMIN_API_KEY');
  }

  /** An application key lists its application's keys only. */
  async list(limit: number, cursor?: string, application?: string): Promise<Page<ApiKeyView>> {
    const rows = await this.repository.listActivePage(limit, decodeCursor(cursor), this.tenant.listFilter(application));
    return toPage(
      rows,
      limit,
      (row) => ({ at: row.createdAt, id: row.id }),
      (row) => ({
        id: row.id,
        application: row.application?.uid ?? null,
        name: row.name,
        scope: row.scope,
        prefix: row.prefix,
        lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
        createdAt: row.createdAt.toISOString(),
      }),
    );
  }

  /**
   * A new key, global or of `applicationUid`; its plaintext is in this answer only (the database keeps its SHA-256).
   * An application key creates keys of its own application only: another application's uid is a 404.
   */
  async create(
    name: string,
    scope: ApiKeyScope,
    applicationUid: string | undefined,
    actor: string,
  ): Promise<{ id: string; application: string | null; name: string; scope: ApiKeyScope; key: string }> {
    // Global unless it names an application or the request is confined to one.
    const application =
      applicationUid !== undefined || this.tenant.applicationId() !== undefined
        ? await this.applications.inScope(applicationUid)
        : null;
    const key = generateApiKey();
    const row = await this.repository.create({
      name,
      scope,
      keyHash: hashApiKey(key),
      prefix: displayPrefix(key),
      applicationId: application?.id ?? null,
    });
    await this.audit.record({
      actor,
      action: 'api_key.created',
      applicationId: application?.id ?? null,
      subjectType: 'api_key',
      subjectId: row.id,
      details: { name, scope, application: application?.uid ?? null },
    });
    return { id: row.id, application: application?.uid ?? null, name: row.name, scope: row.scope, key };
  }

  /** An application key revokes keys of its own application only (another's id is a 404). */
  async revoke(id: string, actor: string): Promise<void> {
    const revoked = await this.repository.revoke(id, new Date(), this.tenant.applicationId());
    if (!revoked) throw new NotFoundError(`No active API key ${id}`);
    await this.audit.record({
      actor,
      action: 'api_key.revoked',
      applicationId: revoked.applicationId,
      subjectType: 'api_key',
      subjectId: id,
    });
  }

  /** The actor behind a presented key, or null when the key is unknown or revoked. */
  async authenticate(presentedKey: string): Promise<Actor | null> {
    const row = await this.repository.findActiveByHash(hashApiKey(presentedKey));
    if (!row) return null;
    this.touch(row.id);
    return { keyId: row.id, name: row.name, scope: row.scope, applicationId: row.applicationId };
  }

  /** The actor of a key that is still active (a console session ends when its key is revoked), else null. */
  async actorOfActiveKey(keyId: string): Promise<Actor | null> {
    const row = await this.repository.findActiveById(keyId);
    if (!row) return null;
    this.touch(row.id);
    return { keyId: row.id, name: row.name, scope: row.scope, applicationId: row.applicationId };
  }

  /** `last used` at a minute's resolution, off the request path. */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(id, now);
    this.repository
      .touchLastUsed(id, new Date(now))
      .catch((error: Error) => this.logger.warn(`could not record key use: ${error.message}`));
  }
}
