import { Injectable } from '@nestjs/common';
import { WindowCounter } from '../common/redis/window-counter';
import { IngressRejection } from '../providers/ingress-rejection';

/**
 * The ingress limits, each one budget shared by every api process (WindowCounter), counting only webhooks that
 * passed verification: an integration's `rateLimitPerMinute` (§2) and an application's `rateLimitPerSecond` (§7.1).
 */
@Injectable()
export class WebhookRateLimiter {
  constructor(private readonly counters: WindowCounter) {}

  checkIntegration(integrationId: string, limitPerMinute: number | null): Promise<void> {
    return this.check(['ratelimit', integrationId], limitPerMinute, 60_000, `${limitPerMinute} webhooks per minute`);
  }

  /** Other applications are unaffected: each has its own budget. */
  checkApplication(applicationId: string, limitPerSecond: number | null): Promise<void> {
    return this.check(
      ['ratelimit-application', applicationId],
      limitPerSecond,
      1_000,
      `${limitPerSecond} webhooks per second for this application`,
    );
  }

  private async check(name: string[], limit: number | null, windowMs: number, what: string): Promise<void> {
    if (!limit) return;
    const standing = await this.counters.hit(name, limit, windowMs);
    if (standing.blocked)
      throw new IngressRejection('rate_limited', `Rate limit of ${what} exceeded`, standing.retryAfterSeconds);
  }
}
