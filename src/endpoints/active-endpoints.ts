import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../common/caching/loading-cache';
import { ChangeFeed } from '../common/redis/change-feed';
import { Endpoint } from '../generated/prisma/client';
import { EndpointRepository } from './endpoint.repository';

/** A change is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;

/**
 * The fan-out's view of the enabled endpoints: read once and kept until any process announces a change to
 * endpoints, so routing an event costs no query.
 */
@Injectable()
export class ActiveEndpoints {
  private readonly cache = new LoadingCache(() => this.repository.findActive(), CACHE_TTL_MS, 1);

  constructor(
    private readonly repository: EndpointRepository,
    changes: ChangeFeed,
  ) {
    changes.onChange('endpoints', () => this.cache.clear());
  }

  list(): Promise<Endpoint[]> {
    return this.cache.get('active');
  }
}
