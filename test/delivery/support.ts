import { createHmac } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { ReceivedRequest } from '../support/receiver';
import { PrismaService } from '../../src/common/database/prisma.service';
import { adminApi } from '../support/management';
import { waitFor } from '../support/wait';

export const ACME_SECRET = 'acme-delivery-test-secret';

/** An acme webhook signed with ACME_SECRET (the app must run with ACME_WEBHOOK_SECRET set to it), not yet sent. */
export function postAcme(baseUrl: string, body: string | Buffer) {
  const signature = createHmac('sha256', ACME_SECRET).update(body).digest('hex');
  return request(baseUrl)
    .post('/webhooks/acme')
    .set('content-type', 'application/json')
    .set('x-acme-signature', signature)
    .send(body);
}

/** Posts a signed acme webhook and returns the event id. */
export async function sendAcme(
  baseUrl: string,
  id: string,
  type = 'order.created',
  extra: object = {},
): Promise<string> {
  const response = await postAcme(baseUrl, JSON.stringify({ id, type, ...extra })).expect(202);
  return response.body.eventId;
}

export async function createEndpoint(baseUrl: string, body: object): Promise<{ id: string; secret: string }> {
  const response = await adminApi(baseUrl).post('/endpoints', body).expect(201);
  return response.body;
}

/** Verifies a received delivery with the Standard Webhooks library, as a real receiver would; returns the envelope. */
export function verifyDelivery(
  received: ReceivedRequest,
  secret: string,
): { id: string; type: string; integration: string; receivedAt: string; data: unknown } {
  return new Webhook(secret).verify(received.body, received.headers as Record<string, string>) as never;
}

/** Waits until the event's delivery to the endpoint is dead-lettered; returns it with its attempts. */
export function waitForDeadLetter(prisma: PrismaService, eventId: string, endpointId: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const row = await prisma.delivery.findFirst({ where: { eventId, endpointId }, include: { attempts: true } });
      return row?.status === 'dead_lettered' ? row : undefined;
    },
    { timeoutMs, what: 'the dead letter' },
  );
}
