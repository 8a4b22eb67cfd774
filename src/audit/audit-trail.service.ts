import { Injectable } from '@nestjs/common';
import { ApplicationDirectory } from '../applications/application-directory';
import { Page } from '../common/pagination/page';
import { ApplicationFilter } from '../common/tenancy/application-filter';
import { TenantContext } from '../common/tenancy/tenant-context';
import { AuditEntryView, AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';

/** An entry as the API and the console show it: its application by uid (contract §7.1), null for none. */
export type AuditTrailEntry = Omit<AuditEntryView, 'applicationId'> & { application: string | null };

/**
 * Reading the trail: an application key reads its own application's entries only, a global key every entry or, with
 * `?application=`, one application's. A uid that names no application (or another one than the key's) finds nothing.
 */
@Injectable()
export class AuditTrailService {
  constructor(
    private readonly audit: AuditService,
    private readonly applications: ApplicationDirectory,
    private readonly tenant: TenantContext,
  ) {}

  async list(query: AuditQueryDto): Promise<Page<AuditTrailEntry>> {
    const { limit, cursor, application, ...filter } = query;
    const scope = await this.applicationIdOf(this.tenant.listFilter(application));
    if (scope === null) return { data: [], nextCursor: null };
    const page = await this.audit.search({ ...filter, applicationId: scope }, limit, cursor);
    const data = await Promise.all(
      page.data.map(async ({ applicationId, ...entry }) => ({
        ...entry,
        application: applicationId ? ((await this.applications.byId(applicationId))?.uid ?? null) : null,
      })),
    );
    return { data, nextCursor: page.nextCursor };
  }

  /** The application id the filter names (undefined: every application), or null when it names none visible. */
  private async applicationIdOf({ confinedTo, uid }: ApplicationFilter): Promise<string | undefined | null> {
    if (uid === undefined) return confinedTo;
    const named = await this.applications.byUid(uid);
    if (!named || (confinedTo !== undefined && named.id !== confinedTo)) return null;
    return named.id;
  }
}
