import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import { parseJsonObject, requireHeader, requireStringField, safeEqual, toDate } from './adapter-kit';

/** globex: a shared token in `x-globex-token`, compared in constant time. */
@Injectable()
export class GlobexProvider implements WebhookProvider {
  readonly name = 'globex';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const token = requireHeader(request.headers, 'x-globex-token');
    if (!context.secrets.some((secret) => safeEqual(secret, token)))
      throw new IngressRejection('verification_failed', 'x-globex-token does not match');
    const body = parseJsonObject(request.body);
    return {
      type: requireStringField(body, 'eventType'),
      externalId: requireStringField(body, 'eventId'),
      occurredAt: toDate(body.occurredAt),
      data: body,
    };
  }
}
