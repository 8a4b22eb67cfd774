import { Injectable } from '@nestjs/common';
import { LoadingCache } from '../../common/caching/loading-cache';
import { ChangeFeed } from '../../common/redis/change-feed';
import { ApplicationDirectory } from '../../applications/application-directory';
import { Application } from '../../generated/prisma/client';
import { IntegrationRepository, IntegrationRow } from './integration.repository';
import { signingSecrets } from '../../common/crypto/signing-secrets';

/** A change made elsewhere is announced (ChangeFeed); this bounds staleness if the announcement is lost. */
const CACHE_TTL_MS = 10_000;
/** Requests to random slugs must not grow the heap: misses are cached too, but only this many slugs in all. */
const MAX_CACHED_SLUGS = 1_000;

/** The integration behind a webhook URL, its application, and the secrets that verify right now. */
export interface ResolvedIntegration {
  integration: IntegrationRow;
  application: Application;
  secrets: string[];
}

interface Resolution {
  integration: IntegrationRow;
  application: Application;
}

/**
 * The ingress hot path's view of integrations: cached per application and slug, one database read in flight per
 * key, dropped whenever any process announces a change to integrations or applications. A disabled application's
 * integrations resolve to nothing (its ingress answers 404, contract §7.1).
 */
@Injectable()
export class IntegrationResolver {
  private readonly cache = new LoadingCache((key) => this.load(key), CACHE_TTL_MS, MAX_CACHED_SLUGS);

  constructor(
    private readonly repository: IntegrationRepository,
    private readonly applications: ApplicationDirectory,
    changes: ChangeFeed,
  ) {
    changes.onChange('integrations', () => this.cache.clear());
    changes.onChange('applications', () => this.cache.clear());
  }

  async resolve(applicationUid: string, slug: string, now = new Date()): Promise<ResolvedIntegration | null> {
    // A slash cannot be in a uid or a slug of a webhook URL's segment, so the key is unambiguous.
    const resolution = await this.cache.get(`${applicationUid}/${slug}`, now.getTime());
    if (!resolution) return null;
    return { ...resolution, secrets: signingSecrets(resolution.integration, now) };
  }

  private async load(key: string): Promise<Resolution | null> {
    const [applicationUid, slug] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const application = await this.applications.byUid(applicationUid);
    if (!application || application.disabledAt) return null;
    const integration = await this.repository.findBySlug(application.id, slug);
    return integration && { integration, application };
  }
}
