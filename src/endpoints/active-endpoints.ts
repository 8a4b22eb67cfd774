import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../common/caching/loading-cache';
import { ChangeFeed } from '../common/redis/change-feed';
import { Endpoint } from '../generated/prisma/client';
import { EndpointRepository } from './endpoint.repository';

/** A change is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;

interface ActiveSet {
  list: Endpoint[];
  byId: Map<string, Endpoint>;
}

/**
 * The enabled endpoints of enabled applications: read once and kept until any process announces a change to endpoints, so routing an
 * event (fan-out) and checking an endpoint's controls before an attempt (pause, rate limit) cost no query.
 */
@Injectable()
export class ActiveEndpoints {
  private readonly cache = new LoadingCache<ActiveSet>(
    async () => {
      const list = await this.repository.findActive();
      return { list, byId: new Map(list.map((endpoint) => [endpoint.id, endpoint])) };
    },
    CACHE_TTL_MS,
    1,
  );

  constructor(
    private readonly repository: EndpointRepository,
    changes: ChangeFeed,
  ) {
    changes.onChange('endpoints', () => this.cache.clear());
    // Disabling an application takes its endpoints out of the set.
    changes.onChange('applications', () => this.cache.clear());
  }

  async list(): Promise<Endpoint[]> {
    return (await this.cache.get('active')).list;
  }

  /** The endpoint if it is enabled, not deleted, and its application enabled. */
  async find(endpointId: string): Promise<Endpoint | undefined> {
    return (await this.cache.get('active')).byId.get(endpointId);
  }
}
