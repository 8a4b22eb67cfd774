import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { createEndpoint, verifyDelivery } from '../delivery/support';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { ENCRYPTION_KEY } from './support';

const TOKEN = 'test-route-bearer-93ab';

// The test route sends from the api process itself, while the operator waits: no worker is needed (none runs).
describe('endpoint controls: POST /endpoints/:id/test (contract §6.6)', () => {
  let api: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((received) =>
      received.path === '/down'
        ? { status: 503, body: 'maintenance' }
        : received.headers.authorization === `Bearer ${TOKEN}`
          ? { status: 204 }
          : { status: 401 },
    );
    api = await startTestApp({ role: 'api', env: { SECRETS_ENCRYPTION_KEY: ENCRYPTION_KEY } });
    prisma = api.app.get(PrismaService);
  });

  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
  });

  it('sends one signed hookgate.ping to that endpoint only, answers with the attempt, and records the event', async () => {
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/ping'),
      headers: { 'x-tenant': 't1' },
      auth: { type: 'bearer', token: TOKEN },
    });
    const bystander = await createEndpoint(api.url!, {
      url: receiver.url('/bystander'),
      filter: { eventTypes: ['hookgate.*'] },
    });

    const answer = await adminApi(api.url!).post(`/endpoints/${endpoint.id}/test`, {}).expect(200);
    expect(answer.body).toMatchObject({
      outcome: 'succeeded',
      responseStatus: 204,
      durationMs: expect.any(Number),
      error: null,
      eventId: expect.any(String),
    });

    const [received] = receiver.requestsTo('/ping');
    expect(received.headers).toMatchObject({ 'x-tenant': 't1', authorization: `Bearer ${TOKEN}` });
    const envelope = verifyDelivery(received, endpoint.secret);
    expect(envelope).toMatchObject({
      id: answer.body.eventId,
      type: 'hookgate.ping',
      integration: 'hookgate',
      provider: 'hookgate',
      data: { endpointId: endpoint.id },
    });

    const event = await adminApi(api.url!).get(`/events/${answer.body.eventId}`).expect(200);
    expect(event.body).toMatchObject({
      integration: 'hookgate',
      provider: 'hookgate',
      type: 'hookgate.ping',
      status: 'delivered',
    });
    expect(event.body.deliveries).toEqual([
      expect.objectContaining({ endpointId: endpoint.id, status: 'succeeded', attemptCount: 1 }),
    ]);
    expect(event.body.audit.map((entry: { action: string }) => entry.action)).toContain('endpoint.tested');
    // Never fanned out: the endpoint subscribed to hookgate.* has no delivery of it.
    expect(await prisma.delivery.count({ where: { endpointId: bystander.id } })).toBe(0);
    expect(receiver.requestsTo('/bystander')).toHaveLength(0);
  });

  it('a failing receiver: 200 with its status and error; the delivery is dead-lettered (and can be redriven)', async () => {
    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/down') });
    const answer = await adminApi(api.url!)
      .post(`/endpoints/${endpoint.id}/test`, { type: 'hookgate.check' })
      .expect(200);
    expect(answer.body).toMatchObject({ outcome: 'retryable', responseStatus: 503, error: 'endpoint answered 503' });
    expect(verifyDelivery(receiver.requestsTo('/down')[0], endpoint.secret).type).toBe('hookgate.check');
    const delivery = await prisma.delivery.findUniqueOrThrow({
      where: { id: answer.body.deliveryId },
      include: { attempts: true },
    });
    expect(delivery).toMatchObject({ status: 'dead_lettered', deadLetterReason: expect.stringContaining('503') });
    expect(delivery.attempts.map((attempt) => attempt.responseBody)).toEqual(['maintenance']);
  });

  it('read keys may not test (403); bad types are 400; unknown endpoints 404', async () => {
    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/scoped') });
    const read = (await adminApi(api.url!).post('/api-keys', { name: 'reader', scope: 'read' }).expect(201)).body.key;
    await request(api.url!)
      .post(`/api/v1/endpoints/${endpoint.id}/test`)
      .set('authorization', `Bearer ${read}`)
      .send({})
      .expect(403);
    await adminApi(api.url!).post(`/endpoints/${endpoint.id}/test`, { type: 'invoice.paid' }).expect(400);
    await adminApi(api.url!).post('/endpoints/00000000-0000-4000-8000-000000000000/test', {}).expect(404);
    expect(receiver.requestsTo('/scoped')).toHaveLength(0);
  });
});
