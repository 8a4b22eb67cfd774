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

/** Sends like a provider does: again after a moment until answered 2xx (through a failover); returns the event id. */
export function sendAcmeUntilAcknowledged(baseUrl: string, id: string, type: string): Promise<string> {
  return waitFor(
    async () => {
      const response = await postAcme(baseUrl, JSON.stringify({ id, type }));
      return response.status === 202 ? (response.body.eventId as string) : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200, what: `webhook ${id} to be acknowledged` },
  );
}

/**
 * A provider's steady trickle (about 20 webhooks a second) of `count` acme webhooks, each sent until acknowledged,
 * with `fault` run after the `faultAfter`-th; returns the acknowledged event ids and when the fault was done.
 */
export async function sendThroughAFault(
  baseUrl: string,
  options: { prefix: string; type: string; count: number; faultAfter: number; fault: () => Promise<void> },
): Promise<{ acknowledged: string[]; faultedAt: number }> {
  const sends: Promise<string>[] = [];
  let faultedAt = Infinity;
  for (let i = 0; i < options.count; i += 1) {
    sends.push(sendAcmeUntilAcknowledged(baseUrl, `${options.prefix}_${i}`, options.type));
    if (i === options.faultAfter) {
      await options.fault();
      faultedAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { acknowledged: await Promise.all(sends), faultedAt };
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
