import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import { optionalString, parseJsonObject, requireStringField, safeEqual, toDate } from './adapter-kit';

/** The key an internal producer presents: `Authorization: Bearer <secret>` or `x-api-key: <secret>`. */
function presentedKey(headers: RawWebhookRequest['headers']): string | undefined {
  const authorization = headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim() || undefined;
  return headers['x-api-key'] || undefined;
}

/**
 * generic, for internal producers that cannot sign (contract §6.2): a bearer key (or `x-api-key`) compared in
 * constant time with the integration's secret; the external id from `Idempotency-Key` (else the canonical-JSON hash
 * of the body); the event type from the body's `type`. Integrations of it are created through the API.
 */
@Injectable()
export class GenericProvider implements WebhookProvider {
  readonly name = 'generic';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const key = presentedKey(request.headers);
    if (!key)
      throw new IngressRejection(
        'verification_failed',
        'Missing key: send Authorization: Bearer <secret> or x-api-key',
      );
    if (!context.secrets.some((secret) => safeEqual(key, secret)))
      throw new IngressRejection('verification_failed', 'The key does not match');
    const body = parseJsonObject(request.body);
    const idempotencyKey = request.headers['idempotency-key']?.trim();
    return {
      type: requireStringField(body, 'type'),
      externalId: idempotencyKey || null,
      occurredAt: toDate(body.occurredAt ?? body.timestamp),
      orderingKey: optionalString(body, 'orderingKey'),
      data: body,
    };
  }
}
