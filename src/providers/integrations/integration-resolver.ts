import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../../common/caching/loading-cache';
import { ChangeFeed } from '../../common/redis/change-feed';
import { Integration } from '../../generated/prisma/client';
import { IntegrationRepository } from './integration.repository';
import { signingSecrets } from '../../common/crypto/signing-secrets';

/** A change made elsewhere is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;
/** Requests to random slugs must not grow the heap: misses are cached too, but only this many slugs in all. */
const MAX_CACHED_SLUGS = 1_000;

/** The integration behind a webhook URL and the secrets that verify right now. */
export interface ResolvedIntegration {
  integration: Integration;
  secrets: string[];
}

/**
 * The ingress hot path's view of integrations: cached per slug, one database read in flight per slug, dropped
 * whenever any process announces a change to integrations.
 */
@Injectable()
export class IntegrationResolver {
  private readonly cache = new LoadingCache((slug) => this.repository.findBySlug(slug), CACHE_TTL_MS, MAX_CACHED_SLUGS);

  constructor(
    private readonly repository: IntegrationRepository,
    changes: ChangeFeed,
  ) {
    changes.onChange('integrations', () => this.cache.clear());
  }

  async resolve(slug: string, now = new Date()): Promise<ResolvedIntegration | null> {
    const integration = await this.cache.get(slug, now.getTime());
    if (!integration) return null;
    return { integration, secrets: signingSecrets(integration, now) };
  }
}
