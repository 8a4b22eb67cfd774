import { Injectable } from '@nestjs/common';
import { Integration } from '../../generated/prisma/client';
import { IntegrationRepository } from './integration.repository';

const CACHE_TTL_MS = 2_000;

/** The integration behind a webhook URL and the secrets that verify right now. */
export interface ResolvedIntegration {
  integration: Integration;
  secrets: string[];
}

/**
 * The ingress hot path's view of integrations, cached for a couple of seconds: a change made through the API
 * (or on another api process) is in effect within that time.
 */
@Injectable()
export class IntegrationResolver {
  private readonly cache = new Map<string, { value: Integration | null; until: number }>();

  constructor(private readonly repository: IntegrationRepository) {}

  async resolve(slug: string, now = new Date()): Promise<ResolvedIntegration | null> {
    const cached = this.cache.get(slug);
    let integration: Integration | null;
    if (cached && cached.until > now.getTime()) {
      integration = cached.value;
    } else {
      integration = await this.repository.findBySlug(slug);
      this.cache.set(slug, { value: integration, until: now.getTime() + CACHE_TTL_MS });
    }
    if (!integration) return null;
    const previousValid = integration.previousSecret && integration.previousSecretExpiresAt && integration.previousSecretExpiresAt > now;
    return { integration, secrets: previousValid ? [integration.secret, integration.previousSecret!] : [integration.secret] };
  }

  forget(slug?: string): void {
    if (slug) this.cache.delete(slug);
    else this.cache.clear();
  }
}
