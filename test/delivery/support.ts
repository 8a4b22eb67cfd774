import { createHmac } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { ReceivedRequest } from '../support/receiver';
import { adminApi } from '../support/management';

export const ACME_SECRET = 'acme-delivery-test-secret';

/** Posts a signed acme webhook and returns the event id. */
export async function sendAcme(baseUrl: string, id: string, type = 'order.created', extra: object = {}): Promise<string> {
  const body = JSON.stringify({ id, type, ...extra });
  const response = await request(baseUrl)
    .post('/webhooks/acme')
    .set('x-acme-signature', createHmac('sha256', ACME_SECRET).update(body).digest('hex'))
    .send(body)
    .expect(202);
  return response.body.eventId;
}

export async function createEndpoint(baseUrl: string, body: object): Promise<{ id: string; secret: string }> {
  const response = await adminApi(baseUrl).post('/endpoints', body).expect(201);
  return response.body;
}

/** Verifies a received delivery with the Standard Webhooks library, as a real receiver would; returns the envelope. */
export function verifyDelivery(received: ReceivedRequest, secret: string): { id: string; type: string; integration: string; receivedAt: string; data: unknown } {
  return new Webhook(secret).verify(received.body, received.headers as Record<string, string>) as never;
}
