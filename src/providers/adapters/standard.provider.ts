import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import {
  assertFresh,
  hmacSha256,
  parseJsonObject,
  requireHeader,
  requireStringField,
  sameMac,
  toDate,
} from './adapter-kit';

/** The symmetric key of a `whsec_<base64>` secret (a secret without the prefix is taken as base64 too). */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Standard Webhooks: `webhook-signature: v1,<base64> [v1,<base64>…]` = HMAC-SHA256(key, `id.timestamp.body`);
 * any listed v1 signature may match.
 */
@Injectable()
export class StandardWebhooksProvider implements WebhookProvider {
  readonly name = 'standard';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const id = requireHeader(request.headers, 'webhook-id');
    const timestamp = requireHeader(request.headers, 'webhook-timestamp');
    const signatures = requireHeader(request.headers, 'webhook-signature')
      .split(' ')
      .map((entry) => entry.split(','))
      .filter(([version, value]) => version === 'v1' && value)
      .map(([, value]) => Buffer.from(value, 'base64'));
    if (!/^\d+$/.test(timestamp))
      throw new IngressRejection('verification_failed', 'webhook-timestamp is not unix seconds');

    const matches = context.secrets.some((secret) => {
      const expected = hmacSha256(keyOf(secret), id, '.', timestamp, '.', request.body);
      return signatures.some((signature) => sameMac(expected, signature));
    });
    if (!matches) throw new IngressRejection('verification_failed', 'No webhook-signature v1 entry matches');
    assertFresh(Number(timestamp), context.toleranceSeconds, request.receivedAt);

    const body = parseJsonObject(request.body);
    return { type: requireStringField(body, 'type'), externalId: id, occurredAt: toDate(body.timestamp), data: body };
  }
}
