import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import {
  fromHex,
  hmacSha256,
  nestedString,
  optionalString,
  parseJsonObject,
  requireHeader,
  sameMac,
} from './adapter-kit';

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` over the raw body; type is `X-GitHub-Event[.action]`. */
@Injectable()
export class GithubProvider implements WebhookProvider {
  readonly name = 'github';

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const header = requireHeader(request.headers, 'x-hub-signature-256');
    const signature = header.startsWith('sha256=') ? fromHex(header.slice('sha256='.length)) : null;
    if (!signature) throw new IngressRejection('verification_failed', 'X-Hub-Signature-256 is not sha256=<hex>');
    if (!context.secrets.some((secret) => sameMac(hmacSha256(secret, request.body), signature))) {
      throw new IngressRejection('verification_failed', 'X-Hub-Signature-256 does not match');
    }

    const event = request.headers['x-github-event'];
    const delivery = request.headers['x-github-delivery'];
    if (!event || !delivery)
      throw new IngressRejection('unparsable_body', 'X-GitHub-Event and X-GitHub-Delivery headers are required');
    const body = parseJsonObject(request.body);
    const action = optionalString(body, 'action');
    const hookId = request.headers['x-github-hook-id'];
    return {
      type: action ? `${event}.${action}` : event,
      externalId: hookId ? `${hookId}:${delivery}` : delivery,
      // GitHub payloads carry no event timestamp of their own (only the objects' created/updated times).
      occurredAt: null,
      orderingKey: nestedString(body, 'repository', 'full_name'),
      data: body,
    };
  }
}
