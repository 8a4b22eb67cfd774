import { verify as verifySignature } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { IngressRejection } from '../ingress-rejection';
import { NormalizedWebhook, RawWebhookRequest, VerificationContext, WebhookProvider } from '../provider.types';
import { assertFresh, nestedString, parseJsonObject, requireHeader, requireStringField, toDate } from './adapter-kit';
import { PaypalCertificates } from './paypal-certificates';
import { PaypalTransmissions } from './paypal-transmissions';

/**
 * PayPal: RSA-SHA256 over `transmissionId|transmissionTime|webhookId|crc32(rawBody)` with the public key of the
 * certificate at PAYPAL-CERT-URL. The integration's secret is its PayPal webhook id.
 *
 * The signature covers only a CRC32 of the body, which anyone can match with another body. So the transmission
 * time must be within the integration's tolerance, and a transmission id is remembered (with its body's hash)
 * for twice that long: the same id with another body is a replay and is refused. The cheap checks come before
 * the certificate is fetched.
 */
@Injectable()
export class PaypalProvider implements WebhookProvider {
  readonly name = 'paypal';

  constructor(
    private readonly certificates: PaypalCertificates,
    private readonly transmissions: PaypalTransmissions,
  ) {}

  async verify(request: RawWebhookRequest, context: VerificationContext): Promise<NormalizedWebhook> {
    const transmissionId = requireHeader(request.headers, 'paypal-transmission-id');
    const transmissionTime = requireHeader(request.headers, 'paypal-transmission-time');
    const signature = Buffer.from(requireHeader(request.headers, 'paypal-transmission-sig'), 'base64');
    const certUrl = requireHeader(request.headers, 'paypal-cert-url');
    const algorithm = requireHeader(request.headers, 'paypal-auth-algo');
    if (algorithm !== 'SHA256withRSA')
      throw new IngressRejection('verification_failed', `PAYPAL-AUTH-ALGO ${algorithm} is not supported`);
    const sentAt = Date.parse(transmissionTime);
    if (Number.isNaN(sentAt))
      throw new IngressRejection('verification_failed', 'PAYPAL-TRANSMISSION-TIME is not a date');
    assertFresh(sentAt / 1000, context.toleranceSeconds, request.receivedAt);

    const publicKey = await this.certificates.publicKeyFor(certUrl, request.receivedAt);
    const checksum = crc32(request.body) >>> 0;
    const matches = context.secrets.some((webhookId) =>
      verifySignature(
        'sha256',
        Buffer.from(`${transmissionId}|${transmissionTime}|${webhookId}|${checksum}`),
        publicKey,
        signature,
      ),
    );
    if (!matches) throw new IngressRejection('verification_failed', 'PAYPAL-TRANSMISSION-SIG does not verify');
    await this.transmissions.assertNotReplayed(
      context.integrationId,
      transmissionId,
      request.body,
      context.toleranceSeconds,
    );

    const body = parseJsonObject(request.body);
    return {
      type: requireStringField(body, 'event_type'),
      externalId: requireStringField(body, 'id'),
      occurredAt: toDate(body.create_time),
      orderingKey: nestedString(body, 'resource', 'id'),
      data: body,
    };
  }
}
