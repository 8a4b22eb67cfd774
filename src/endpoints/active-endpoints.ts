import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../common/caching/loading-cache';
import { ChangeFeed } from '../common/redis/change-feed';
import { Endpoint } from '../generated/prisma/client';
import { EndpointRepository } from './endpoint.repository';

/** A change is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;

interface ActiveSet {
  /** The routable endpoints of each application: routing an event looks at its own application's only. */
  routableByApplication: Map<string, Endpoint[]>;
  byId: Map<string, Endpoint>;
}

const NONE: Endpoint[] = [];

/**
 * The enabled endpoints: read once and kept until any process announces a change to endpoints, so routing an
 * event (fan-out) and checking an endpoint's controls before an attempt (pause, rate limit) cost no query.
 */
@Injectable()
export class ActiveEndpoints {
  private readonly cache = new LoadingCache<ActiveSet>(
    async () => {
      const active = await this.repository.findActive();
      const routableByApplication = new Map<string, Endpoint[]>();
      for (const endpoint of active.filter((candidate) => candidate.routable)) {
        const ofApplication = routableByApplication.get(endpoint.applicationId);
        if (ofApplication) ofApplication.push(endpoint);
        else routableByApplication.set(endpoint.applicationId, [endpoint]);
      }
      return { routableByApplication, byId: new Map(active.map((endpoint) => [endpoint.id, endpoint])) };
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

  /** The endpoints an event of this application may be routed to: enabled, of an enabled application (§7.1). */
  async listOf(applicationId: string): Promise<Endpoint[]> {
    return (await this.cache.get('active')).routableByApplication.get(applicationId) ?? NONE;
  }

  /** The endpoint if it is enabled and not deleted (its controls, for the attempts in hand, whatever its application). */
  async find(endpointId: string): Promise<Endpoint | undefined> {
    return (await this.cache.get('active')).byId.get(endpointId);
  }
}
