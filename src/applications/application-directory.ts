import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../common/caching/loading-cache';
import { ConflictError } from '../common/errors/domain-errors';
import { ChangeFeed } from '../common/redis/change-feed';
import { Application } from '../generated/prisma/client';
import { ApplicationRepository } from './application.repository';

/** A change is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;

interface Directory {
  byUid: Map<string, Application>;
  byId: Map<string, Application>;
}

/**
 * Every application, read once and kept until any process announces a change to applications: the ingress finds a
 * webhook URL's application, and views name the application of a row, without a query each.
 */
@Injectable()
export class ApplicationDirectory {
  private readonly cache = new LoadingCache<Directory>(
    async () => {
      const all = await this.repository.findAll();
      return {
        byUid: new Map(all.map((application) => [application.uid, application])),
        byId: new Map(all.map((application) => [application.id, application])),
      };
    },
    CACHE_TTL_MS,
    1,
  );

  constructor(
    private readonly repository: ApplicationRepository,
    changes: ChangeFeed,
  ) {
    changes.onChange('applications', () => this.cache.clear());
  }

  /** The application of this uid, enabled or not. */
  async byUid(uid: string): Promise<Application | undefined> {
    return (await this.cache.get('all')).byUid.get(uid);
  }

  async byId(id: string): Promise<Application | undefined> {
    return (await this.cache.get('all')).byId.get(id);
  }

  /**
   * A disabled application's endpoints get nothing new (§7.1): a replay, redrive, recovery or test of it is refused
   * with 409, as a portal link for it is. Deliveries already under way finish their retries.
   */
  async assertDeliversTo(applicationId: string): Promise<void> {
    const application = await this.byId(applicationId);
    if (application?.disabledAt)
      throw new ConflictError(`Application ${application.uid} is disabled: its endpoints get nothing new`);
  }
}
