import Stripe from 'stripe';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { HookgateProcess } from '../support/hookgate-process';
import { adminApi } from '../support/management';
import { freePort } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const STRIPE_SECRET = 'whsec_event_types_stripe_secret';
const GENERIC_KEY = 'generic-producer-key-0123456789';
const INVOICE_SCHEMA = {
  type: 'object',
  required: ['type', 'amount', 'currency'],
  properties: {
    type: { const: 'invoice.paid' },
    amount: { type: 'integer', minimum: 0 },
    currency: { enum: ['eur', 'usd'] },
    customer: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
  },
};

/** Contract §7.3: event types with JSON Schemas, per application. */
describe('event types', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ role: 'all', env: { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET } });
    prisma = app.app.get(PrismaService);
    await adminApi(app.url!)
      .post('/integrations', { slug: 'billing', provider: 'generic', secret: GENERIC_KEY })
      .expect(201);
  });

  afterAll(async () => {
    await app?.stop();
  });

  const sendGeneric = (body: object, path = '/webhooks/billing') =>
    request(app.url!).post(path).set('authorization', `Bearer ${GENERIC_KEY}`).send(body);

  it('declares a type with a schema, reads it back, and refuses a generic message that does not validate with 422', async () => {
    const created = await adminApi(app.url!)
      .post('/event-types', { name: 'invoice.paid', description: 'An invoice was paid', schema: INVOICE_SCHEMA })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'invoice.paid',
      application: 'default',
      declared: true,
      description: 'An invoice was paid',
      schema: INVOICE_SCHEMA,
      archived: false,
    });
    await adminApi(app.url!).get('/event-types/invoice.paid').expect(200, created.body);

    const valid = await sendGeneric({ type: 'invoice.paid', amount: 1999, currency: 'eur' }).expect(202);
    expect(await prisma.event.count({ where: { id: valid.body.eventId } })).toBe(1);

    const before = await prisma.event.count();
    const refused = await sendGeneric({
      type: 'invoice.paid',
      amount: -5,
      currency: 'gbp',
      customer: {},
    }).expect(422);
    expect(refused.body).toMatchObject({
      statusCode: 422,
      error: 'Unprocessable Entity',
      path: '/webhooks/billing',
      correlationId: expect.any(String),
    });
    // Every error, each with where it is and why.
    expect(refused.body.errors).toEqual(
      expect.arrayContaining([
        { path: '/amount', message: expect.stringContaining('>= 0') },
        { path: '/currency', message: expect.stringContaining('allowed values') },
        { path: '/customer/id', message: expect.stringContaining('required') },
      ]),
    );
    expect(refused.body.errors).toHaveLength(3);
    const missing = await sendGeneric({ type: 'invoice.paid' }).expect(422);
    expect(missing.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['/amount', '/currency']);
    // Not stored.
    expect(await prisma.event.count()).toBe(before);
  });

  it('never refuses a provider webhook by a schema', async () => {
    const stripe = new Stripe('sk_test_event_types');
    const payload = JSON.stringify({ id: 'evt_schema_free', object: 'event', type: 'invoice.paid', data: {} });
    await request(app.url!)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }))
      .send(payload)
      .expect(202);
  });

  it('applies a changed schema at once, and an archived type’s schema no longer', async () => {
    await adminApi(app.url!)
      .post('/event-types', { name: 'order.shipped', schema: { type: 'object', required: ['carrier'] } })
      .expect(201);
    await sendGeneric({ type: 'order.shipped' }).expect(422);
    await adminApi(app.url!)
      .patch('/event-types/order.shipped', { schema: { type: 'object', required: ['tracking'] } })
      .expect(200);
    await sendGeneric({ type: 'order.shipped', carrier: 'dhl' }).expect(422);
    await sendGeneric({ type: 'order.shipped', tracking: 'T1' }).expect(202);
    await adminApi(app.url!).patch('/event-types/order.shipped', { archived: true }).expect(200);
    await sendGeneric({ type: 'order.shipped' }).expect(202);
    const audit = await prisma.auditEntry.findMany({
      where: { subjectType: 'event_type', action: { startsWith: 'event_type.' } },
      orderBy: { at: 'asc' },
    });
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['event_type.created', 'event_type.updated']),
    );
  });

  it('refuses at another api process too: a change made through one api reaches every other', async () => {
    const port = await freePort();
    const other = HookgateProcess.spawn(['api'], {
      DATABASE_URL: app.database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: app.config.redis.prefix,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    try {
      const sendThere = (body: object) =>
        request(`http://127.0.0.1:${port}`)
          .post('/webhooks/billing')
          .set('authorization', `Bearer ${GENERIC_KEY}`)
          .send(body);
      await waitFor(() => sendThere({ type: 'parcel.sent', weight: 1 }).then((response) => response.status === 202), {
        timeoutMs: 20_000,
        what: 'the second api to start',
      });
      await adminApi(app.url!)
        .post('/event-types', { name: 'parcel.sent', schema: { type: 'object', required: ['weight'] } })
        .expect(201);
      // The other process learns of it through Redis (its cache of the type is cleared), not by a TTL of seconds.
      const refused = await waitFor(
        async () => {
          const response = await sendThere({ type: 'parcel.sent' });
          return response.status === 422 ? response : undefined;
        },
        { timeoutMs: 2_000, what: 'the second api to apply the new schema' },
      );
      expect(refused.body.errors).toEqual([{ path: '/weight', message: "must have required property 'weight'" }]);
      await adminApi(app.url!).patch('/event-types/parcel.sent', { archived: true }).expect(200);
      await waitFor(() => sendThere({ type: 'parcel.sent' }).then((response) => response.status === 202), {
        timeoutMs: 2_000,
        what: 'the second api to drop the archived schema',
      });
    } finally {
      await other.stop();
    }
  });

  it('lists declared types and the names seen in events (declared: false), in name order, paginated', async () => {
    await sendGeneric({ type: 'customer.created', n: 1 }).expect(202);
    await sendGeneric({ type: 'customer.created', n: 2 }).expect(202);
    const all = await adminApi(app.url!).get('/event-types').expect(200);
    const names = all.body.data.map((item: { name: string }) => item.name);
    expect(names).toEqual([...names].sort());
    expect(all.body.data.find((item: { name: string }) => item.name === 'customer.created')).toMatchObject({
      declared: false,
      schema: null,
    });
    expect(all.body.data.find((item: { name: string }) => item.name === 'invoice.paid')).toMatchObject({
      declared: true,
    });
    // One name, declared and seen, is listed once.
    expect(names.filter((name: string) => name === 'invoice.paid')).toHaveLength(1);

    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await adminApi(app.url!)
        .get(`/event-types?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      walked.push(...page.body.data.map((item: { name: string }) => item.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(names);
    await adminApi(app.url!).get('/event-types?cursor=bogus').expect(400);
  });

  it('keeps each application’s catalog to itself', async () => {
    await adminApi(app.url!).post('/applications', { uid: 'types-b', name: 'B' }).expect(201);
    await adminApi(app.url!)
      .post('/integrations', { application: 'types-b', slug: 'billing', provider: 'generic', secret: GENERIC_KEY })
      .expect(201);
    // B has no invoice.paid schema: the message that default refuses is accepted there.
    await sendGeneric({ type: 'invoice.paid', amount: -1 }, '/webhooks/types-b/billing').expect(202);
    await adminApi(app.url!).get('/event-types/invoice.paid?application=types-b').expect(404);
    const listed = await adminApi(app.url!).get('/event-types?application=types-b').expect(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ name: 'invoice.paid', application: 'types-b', declared: false }),
    ]);
    await adminApi(app.url!)
      .post('/event-types', { application: 'types-b', name: 'invoice.paid', schema: { type: 'object' } })
      .expect(201);
    await adminApi(app.url!).post('/event-types', { name: 'invoice.paid' }).expect(409);
  });

  it.each([
    [{ name: 'bad name' }, 'name'],
    [{ name: 'x.y', schema: { type: 'nonsense' } }, 'schema'],
    [{ name: 'x.y', schema: 'not an object' }, 'schema'],
    [{ name: 'x.y', archived: 'yes' }, 'archived'],
    [{ name: 'x.y', extra: true }, 'extra'],
  ])('refuses %j with 400', async (body, expected) => {
    const response = await adminApi(app.url!).post('/event-types', body).expect(400);
    expect(JSON.stringify(response.body.message)).toContain(expected);
  });
});
