import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { NotFoundError } from '../errors/domain-errors';
import { ApplicationFilter } from './application-filter';

const CONTEXT_APPLICATION_ID = 'tenantApplicationId';

/**
 * The application a management request is confined to (contract §7.1): the application of its key, or none for a
 * global key. Set once by the guard for the request; services ask it instead of taking it through every call.
 */
@Injectable()
export class TenantContext {
  constructor(private readonly cls: ClsService) {}

  /** Called by the guard with the key's application (null: a global key). */
  confine(applicationId: string | null): void {
    if (this.cls.isActive()) this.cls.set(CONTEXT_APPLICATION_ID, applicationId);
  }

  /** The application the request is confined to; undefined for a global key (or outside a request). */
  applicationId(): string | undefined {
    return this.cls.isActive() ? (this.cls.get<string | null>(CONTEXT_APPLICATION_ID) ?? undefined) : undefined;
  }

  /** What a list of this request shows: its key's application, narrowed to the one `?application=` names. */
  listFilter(uid: string | undefined): ApplicationFilter {
    return { confinedTo: this.applicationId(), uid };
  }

  /**
   * Whether a row of `applicationId` is visible to this request; a row of another application is answered 404,
   * never 403, so that its existence does not leak.
   */
  assertVisible(applicationId: string, what: string): void {
    const confinedTo = this.applicationId();
    if (confinedTo !== undefined && confinedTo !== applicationId) throw new NotFoundError(`No ${what}`);
  }
}
