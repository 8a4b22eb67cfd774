import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import {
  assertFresh,
  fromHex,
  hmacSha256,
  parseJsonObject,
  requireHeader,
  requireStringField,
  sameMac,
  toDate,
  nestedString,
} from './adapter-kit';

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256(secret, `t.rawBody`), any v1 may match. */
@Injectable()
export class StripeProvider implements WebhookProvider {
  readonly name = 'stripe';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const header = requireHeader(request.headers, 'stripe-signature');
    const pairs = header.split(',').map((part) => part.trim().split('='));
    const timestamp = pairs.find(([key]) => key === 't')?.[1];
    const signatures = pairs
      .filter(([key]) => key === 'v1')
      .map(([, value]) => fromHex(value ?? ''))
      .filter((value): value is Buffer => value !== null);
    if (!timestamp || signatures.length === 0)
      throw new IngressRejection('verification_failed', 'Stripe-Signature has no timestamp or no v1 signature');

    const matches = context.secrets.some((secret) => {
      const expected = hmacSha256(secret, timestamp, '.', request.body);
      return signatures.some((signature) => sameMac(expected, signature));
    });
    if (!matches) throw new IngressRejection('verification_failed', 'No Stripe v1 signature matches');
    assertFresh(Number(timestamp), context.toleranceSeconds, request.receivedAt);

    const body = parseJsonObject(request.body);
    return {
      type: requireStringField(body, 'type'),
      externalId: requireStringField(body, 'id'),
      occurredAt: toDate(body.created),
      // The object the event is about (`data.object.id`): an invoice's events stay in order.
      orderingKey: nestedString(body, 'data', 'object', 'id'),
      data: body,
    };
  }
}
