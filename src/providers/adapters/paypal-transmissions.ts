import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedisClient } from '../../common/redis/redis-options';
import { REDIS, RedisKeys } from '../../common/redis/redis-client';
import { IngressRejection } from '../ingress-rejection';

/**
 * PayPal transmission ids seen on each integration, with the SHA-256 of their body, kept in Redis for twice the
 * integration's tolerance (beyond it the transmission time is refused anyway). One round trip: SET NX GET.
 */
@Injectable()
export class PaypalTransmissions {
  private readonly logger = new Logger(PaypalTransmissions.name);

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** The same transmission id with the same body is PayPal retrying (a duplicate); with another body, a replay. */
  async assertNotReplayed(
    integrationId: string,
    transmissionId: string,
    body: Buffer,
    toleranceSeconds: number,
  ): Promise<void> {
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const key = this.keys.key('paypal-tx', integrationId, createHash('sha256').update(transmissionId).digest('hex'));
    let seen: string | null;
    try {
      seen = (await this.redis.call('SET', key, bodyHash, 'NX', 'GET', 'EX', String(toleranceSeconds * 2))) as
        string | null;
    } catch (error) {
      // The transmission-time tolerance still bounds a replay's window while Redis is away.
      this.logger.warn(`PayPal transmission ids not checked (Redis unavailable): ${(error as Error).message}`);
      return;
    }
    if (seen !== null && seen !== bodyHash) {
      throw new IngressRejection('verification_failed', 'PAYPAL-TRANSMISSION-ID was seen before with another body');
    }
  }
}
