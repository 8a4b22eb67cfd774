import { Injectable } from '@nestjs/common';
import { WindowCounter } from '../common/redis/window-counter';
import { IngressRejection } from '../providers/ingress-rejection';

const WINDOW_MS = 60_000;

/** Per-integration limit (`rateLimitPerMinute`), one budget shared by every api process (WindowCounter). */
@Injectable()
export class WebhookRateLimiter {
  constructor(private readonly counters: WindowCounter) {}

  async check(integrationId: string, limitPerMinute: number | null): Promise<void> {
    if (!limitPerMinute) return;
    const standing = await this.counters.hit(['ratelimit', integrationId], limitPerMinute, WINDOW_MS);
    if (standing.blocked)
      throw new IngressRejection(
        'rate_limited',
        `Rate limit of ${limitPerMinute} webhooks per minute exceeded`,
        standing.retryAfterSeconds,
      );
  }
}
