import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import {
  hmacSha256,
  optionalString,
  parseJsonObject,
  requireHeader,
  requireStringField,
  sameMac,
  toDate,
} from './adapter-kit';

/**
 * acme: `x-acme-signature: <lower-case hex>` (optionally `sha256=`), HMAC-SHA256(secret, rawBody). The body's `id`
 * is the external id when present; without it the event is deduplicated by the canonical-JSON hash (contract §2).
 */
@Injectable()
export class AcmeProvider implements WebhookProvider {
  readonly name = 'acme';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const header = requireHeader(request.headers, 'x-acme-signature');
    const hex = header.startsWith('sha256=') ? header.slice('sha256='.length) : header;
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new IngressRejection('verification_failed', 'x-acme-signature is not lower-case hex of 32 bytes');
    const signature = Buffer.from(hex, 'hex');
    if (!context.secrets.some((secret) => sameMac(hmacSha256(secret, request.body), signature))) {
      throw new IngressRejection('verification_failed', 'x-acme-signature does not match');
    }
    const body = parseJsonObject(request.body);
    return {
      type: requireStringField(body, 'type'),
      externalId: optionalString(body, 'id'),
      occurredAt: toDate(body.occurredAt ?? body.created_at),
      data: body,
    };
  }
}
