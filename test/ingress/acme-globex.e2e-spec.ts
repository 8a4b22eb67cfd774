import { createHmac } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { DEFAULT_APPLICATION_ID } from '../../src/common/tenancy/default-application';

const ACME_SECRET = 'acme-test-secret-0123456789';
const GLOBEX_TOKEN = 'globex-test-token-0123456789';
const acmeSign = (body: string | Buffer, secret = ACME_SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');

describe('ingress: acme (HMAC) and globex (token), the contract table', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({
      role: 'api',
      env: { ACME_WEBHOOK_SECRET: ACME_SECRET, GLOBEX_WEBHOOK_TOKEN: GLOBEX_TOKEN },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(() => app?.stop());

  /** `signature: null` sends no signature header at all. */
  const postAcme = (body: string | Buffer, signature: string | null = acmeSign(body)) => {
    const test = request(app.url!).post('/webhooks/acme').set('content-type', 'application/json');
    if (signature !== null) test.set('x-acme-signature', signature);
    return test.send(body);
  };

  it('accepts a signed webhook with 202, stores the exact bytes with its delivery, and queues the delivery', async () => {
    const endpoint = (
      await adminApi(app.url!)
        .post('/endpoints', { url: 'http://127.0.0.1:9/acme', filter: { eventTypes: ['order.created'] } })
        .expect(201)
    ).body;
    // Unusual spacing and key order: verification and storage use these bytes, not a re-serialization.
    const body = '{ "type":"order.created",   "id":"acme_1", "data": {"b":2,"a":1} }';
    const response = await postAcme(body).expect(202);
    expect(response.body).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'accepted',
      duplicate: false,
    });

    const event = await prisma.event.findUniqueOrThrow({
      where: { id: response.body.eventId },
      include: { rawWebhook: true, deliveries: true },
    });
    // acme names no object: its events are ordered by their integration (§7.5).
    expect(event).toMatchObject({ provider: 'acme', type: 'order.created', externalId: 'acme_1', orderingKey: 'acme' });
    expect(Buffer.from(event.rawWebhook!.body).toString('utf8')).toBe(body);
    // Routed in the same commit: the delivery exists, the event is being processed, nothing waits for a fan-out.
    expect(event).toMatchObject({ status: 'processing', deliveriesOpen: 1 });
    expect(event.deliveries).toEqual([expect.objectContaining({ endpointId: endpoint.id, status: 'pending' })]);
    // The hand-off follows the answer: the delivery's first job appears, carrying the ingress trace.
    const job = await waitFor(
      () => app.app.get(JobQueue).queue(QueueName.Delivery).getJob(`${event.deliveries[0].id}-initial`),
      { what: 'the delivery job' },
    );
    expect(job.data).toMatchObject({ deliveryId: event.deliveries[0].id, endpointId: endpoint.id });
    expect(await app.app.get(JobQueue).queue(QueueName.Processing).getJob(event.id)).toBeUndefined();

    // An event no endpoint wants is final at once.
    const unwanted = await postAcme(JSON.stringify({ id: 'acme_unwanted', type: 'order.cancelled' })).expect(202);
    expect(await prisma.event.findUniqueOrThrow({ where: { id: unwanted.body.eventId } })).toMatchObject({
      status: 'no_subscribers',
      deliveriesOpen: 0,
    });
  });

  it('answers a repeat with 200 and the first event id, storing nothing new', async () => {
    const body = JSON.stringify({ id: 'acme_dup', type: 'order.paid' });
    const first = await postAcme(body).expect(202);
    const second = await postAcme(body).expect(200);
    expect(second.body).toEqual({ eventId: first.body.eventId, status: 'duplicate', duplicate: true });
    expect(await prisma.rawWebhook.count({ where: { event: { externalId: 'acme_dup' } } })).toBe(1);
  });

  it('accepts the sha256= prefix', async () => {
    const body = JSON.stringify({ id: 'acme_prefixed', type: 'order.created' });
    await postAcme(body, `sha256=${acmeSign(body)}`).expect(202);
  });

  it('refuses a missing signature, a wrong secret and a tampered byte with 401 and the error body', async () => {
    const body = JSON.stringify({ id: 'acme_bad', type: 'order.created' });
    const missing = await postAcme(body, null).expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', path: '/webhooks/acme' });
    expect(missing.headers['x-correlation-id']).toEqual(expect.any(String));
    await postAcme(body, acmeSign(body, 'another-secret')).expect(401);
    await postAcme(body.replace('order', 'ordeR'), acmeSign(body)).expect(401);
    expect(await prisma.event.count({ where: { externalId: 'acme_bad' } })).toBe(0);
  });

  it('refuses a signed body that is not JSON, or lacks the required fields, with 400', async () => {
    const notJson = 'type=order.created';
    const response = await postAcme(notJson).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    await postAcme(JSON.stringify({ id: 'no_type' })).expect(400);
  });

  it('without an "id" the canonical-JSON hash of the body is the idempotency key (contract §2)', async () => {
    const first = await postAcme('{"type":"order.noid","data":{"b":2,"a":1}}').expect(202);
    // The same payload with other key order and spacing is the same event.
    const again = await postAcme('{ "data": {"a":1, "b":2}, "type": "order.noid" }').expect(200);
    expect(again.body).toEqual({ eventId: first.body.eventId, status: 'duplicate', duplicate: true });
    const event = await prisma.event.findUniqueOrThrow({ where: { id: first.body.eventId } });
    expect(event).toMatchObject({ externalId: null, idempotencyKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    await postAcme('{"type":"order.noid","data":{"a":2}}').expect(202);
  });

  it('answers 404 for an unknown integration and for a disabled one', async () => {
    const body = JSON.stringify({ id: 'x', type: 'y' });
    await request(app.url!).post('/webhooks/nobody').set('x-acme-signature', acmeSign(body)).send(body).expect(404);
    const integration = await prisma.integration.update({
      where: { applicationId_slug: { applicationId: DEFAULT_APPLICATION_ID, slug: 'globex' } },
      data: { enabled: false },
    });
    await waitFor(
      async () =>
        (
          await request(app.url!)
            .post('/webhooks/globex')
            .set('x-globex-token', GLOBEX_TOKEN)
            .send(JSON.stringify({ eventId: 'g1', eventType: 't' }))
        ).status === 404,
      { what: 'the disabled integration to be refused (cache expiry)' },
    );
    await prisma.integration.update({ where: { id: integration.id }, data: { enabled: true } });
  });

  it('globex: verifies the token in constant time and takes eventId/eventType', async () => {
    const body = JSON.stringify({ eventId: 'gx_1', eventType: 'shipment.dispatched' });
    await waitFor(
      async () =>
        (await request(app.url!).post('/webhooks/globex').set('x-globex-token', GLOBEX_TOKEN).send(body)).status ===
        202,
      { what: 'globex enabled again' },
    );
    await request(app.url!).post('/webhooks/globex').set('x-globex-token', `${GLOBEX_TOKEN}x`).send(body).expect(401);
    const event = await prisma.event.findFirstOrThrow({ where: { externalId: 'gx_1' } });
    expect(event.type).toBe('shipment.dispatched');
    // The token is the integration's secret: below admin, GET /events/:id shows the raw request without it.
    const readKey = (await adminApi(app.url!).post('/api-keys', { name: 'globex-reader', scope: 'read' }).expect(201))
      .body.key;
    const forReader = await request(app.url!)
      .get(`/api/v1/events/${event.id}`)
      .set('authorization', `Bearer ${readKey}`)
      .expect(200);
    expect(forReader.body.raw).toMatchObject({
      body,
      bodyEncoding: 'utf8',
      headers: { 'x-globex-token': '[redacted]' },
    });
    expect(JSON.stringify(forReader.body)).not.toContain(GLOBEX_TOKEN);
    const forAdmin = await adminApi(app.url!).get(`/events/${event.id}`).expect(200);
    expect(forAdmin.body.raw.headers['x-globex-token']).toBe(GLOBEX_TOKEN);
  });
});
