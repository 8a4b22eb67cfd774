import { Injectable } from '@nestjs/common';
import { ApplicationService } from '../applications/application.service';
import { AuditService } from '../audit/audit.service';
import { ConflictError } from '../common/errors/domain-errors';
import { AppConfig } from '../config/app-config';
import { PortalSessionService } from '../management/portal-session.service';
import { CreatePortalLinkDto, PortalLinkView } from './dto/portal-link.dto';

const DEFAULT_TTL_SECONDS = 3_600;

/** Portal links (contract §7.2): one-time, expiring, audited; the token is in the answer and nowhere else. */
@Injectable()
export class PortalLinkService {
  constructor(
    private readonly applications: ApplicationService,
    private readonly sessions: PortalSessionService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** `calledAt` is the address the creator called, the link's base when PUBLIC_URL is unset. */
  async create(idOrUid: string, dto: CreatePortalLinkDto, actor: string, calledAt: string): Promise<PortalLinkView> {
    const application = await this.applications.inScope(idOrUid);
    if (application.disabledAt) throw new ConflictError(`Application ${application.uid} is disabled`);
    const ttlSeconds = dto.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    const access = dto.access ?? 'manage';
    const { token } = await this.sessions.createLink(application.id, access, ttlSeconds);
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
    await this.audit.record({
      actor,
      action: 'portal_link.created',
      applicationId: application.id,
      subjectType: 'application',
      subjectId: application.id,
      details: { application: application.uid, access, expiresAt },
    });
    return { url: `${this.config.publicUrl ?? calledAt}/portal/enter?token=${token}`, expiresAt };
  }
}
