import Stripe from 'stripe';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { PrismaService } from '../../src/common/database/prisma.service';
import { ActiveEndpoints } from '../../src/endpoints/active-endpoints';
import { adminApi } from '../support/management';
import { ReceivedRequest, TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor, waitForQuiescence } from '../support/wait';

const stripe = new Stripe('sk_test_applications');
const DEFAULT_STRIPE_SECRET = 'whsec_default_application_secret';

/** Contract §7.1: applications (tenants). */
describe('applications', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({ role: 'all', env: { STRIPE_WEBHOOK_SECRET: DEFAULT_STRIPE_SECRET } });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  function sendStripe(path: string, secret: string, id: string) {
    const payload = JSON.stringify({ id, object: 'event', type: 'invoice.paid', data: { object: { id: `in_${id}` } } });
    return request(app.url!)
      .post(path)
      .set('content-type', 'application/json')
      .set('stripe-signature', stripe.webhooks.generateTestHeaderString({ payload, secret }))
      .send(payload);
  }

  it('creates, reads (by id or uid), lists and changes applications, every change audited', async () => {
    const created = await adminApi(app.url!)
      .post('/applications', {
        uid: 'acme-co',
        name: 'Acme Co',
        metadata: { plan: 'pro' },
        rateLimitPerSecond: 50,
        portal: { displayName: 'Acme', primaryColor: '#112233', allowedOrigins: ['https://app.acme.example'] },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      uid: 'acme-co',
      name: 'Acme Co',
      metadata: { plan: 'pro' },
      rateLimitPerSecond: 50,
      portal: { displayName: 'Acme', primaryColor: '#112233', allowedOrigins: ['https://app.acme.example'] },
      enabled: true,
      disabledAt: null,
    });
    const byUid = await adminApi(app.url!).get('/applications/acme-co').expect(200);
    const byId = await adminApi(app.url!).get(`/applications/${created.body.id}`).expect(200);
    expect(byId.body).toEqual(byUid.body);

    const list = await adminApi(app.url!).get('/applications').expect(200);
    expect(list.body.data.map((item: { uid: string }) => item.uid)).toEqual(
      expect.arrayContaining(['default', 'acme-co']),
    );

    const patched = await adminApi(app.url!).patch('/applications/acme-co', { name: 'Acme Corporation' }).expect(200);
    expect(patched.body).toMatchObject({ uid: 'acme-co', name: 'Acme Corporation', metadata: { plan: 'pro' } });

    const audit = await prisma.auditEntry.findMany({ where: { subjectId: created.body.id }, orderBy: { at: 'asc' } });
    expect(audit.map((entry) => [entry.action, (entry.details as { application: string }).application])).toEqual([
      ['application.created', 'acme-co'],
      ['application.updated', 'acme-co'],
    ]);
  });

  it.each([
    [{ uid: 'Upper', name: 'x' }, 'uid'],
    [{ uid: '-leading', name: 'x' }, 'uid'],
    [{ uid: 'a'.repeat(65), name: 'x' }, 'uid'],
    [{ uid: 'fine' }, 'name'],
    [{ uid: 'fine', name: 'x', portal: { primaryColor: 'red' } }, 'primaryColor'],
    [{ uid: 'fine', name: 'x', unknown: 1 }, 'unknown'],
  ])('refuses %j with 400', async (body, expected) => {
    const response = await adminApi(app.url!).post('/applications', body).expect(400);
    expect(JSON.stringify(response.body.message)).toContain(expected);
  });

  it('keeps uids unique (409) and immutable (400)', async () => {
    await adminApi(app.url!).post('/applications', { uid: 'unique-one', name: 'One' }).expect(201);
    await adminApi(app.url!).post('/applications', { uid: 'unique-one', name: 'Again' }).expect(409);
    await adminApi(app.url!).patch('/applications/unique-one', { uid: 'renamed' }).expect(400);
    await adminApi(app.url!).get('/applications/renamed').expect(404);
    await adminApi(app.url!).get('/applications/00000000-0000-7000-8000-00000000ffff').expect(404);
  });

  it('routes each application’s webhooks to its own endpoints only, though both have a `stripe` integration', async () => {
    const secrets = { 'tenant-a': 'whsec_tenant_a_secret', 'tenant-b': 'whsec_tenant_b_secret' };
    const endpointSecrets: Record<string, string> = {};
    for (const [uid, secret] of Object.entries(secrets)) {
      await adminApi(app.url!).post('/applications', { uid, name: uid }).expect(201);
      const integration = await adminApi(app.url!)
        .post('/integrations', { application: uid, slug: 'stripe', provider: 'stripe', secret })
        .expect(201);
      expect(integration.body).toMatchObject({ application: uid, slug: 'stripe' });
      // A catch-all endpoint in each application.
      const endpoint = await adminApi(app.url!)
        .post('/endpoints', { application: uid, url: receiver.url(`/${uid}`) })
        .expect(201);
      expect(endpoint.body.application).toBe(uid);
      endpointSecrets[uid] = endpoint.body.secret;
    }
    const defaultEndpoint = await adminApi(app.url!)
      .post('/endpoints', { url: receiver.url('/default') })
      .expect(201);
    expect(defaultEndpoint.body.application).toBe('default');

    const a = await sendStripe('/webhooks/tenant-a/stripe', secrets['tenant-a'], 'evt_for_a').expect(202);
    const b = await sendStripe('/webhooks/tenant-b/stripe', secrets['tenant-b'], 'evt_for_b').expect(202);
    // The same external id in another application is another event, not a duplicate.
    const again = await sendStripe('/webhooks/tenant-b/stripe', secrets['tenant-b'], 'evt_for_a').expect(202);
    expect(again.body.eventId).not.toBe(a.body.eventId);
    // One application's secret does not verify another's webhooks.
    await sendStripe('/webhooks/tenant-a/stripe', secrets['tenant-b'], 'evt_forged').expect(401);
    // The one-segment route stays the default application's.
    const d = await sendStripe('/webhooks/stripe', DEFAULT_STRIPE_SECRET, 'evt_for_default').expect(202);

    const idsAt = (path: string) =>
      receiver.requestsTo(path).map((received: ReceivedRequest) => JSON.parse(received.body).id);
    await waitFor(
      () => idsAt('/tenant-a').length >= 1 && idsAt('/tenant-b').length >= 2 && idsAt('/default').length >= 1,
      {
        timeoutMs: 15_000,
        what: 'the deliveries of every application',
      },
    );
    await waitForQuiescence(async () => receiver.requests.length, { stallMs: 500, timeoutMs: 10_000 });
    expect(idsAt('/tenant-a')).toEqual([a.body.eventId]);
    expect(idsAt('/tenant-b').sort()).toEqual([b.body.eventId, again.body.eventId].sort());
    expect(idsAt('/default')).toEqual([d.body.eventId]);
    for (const received of receiver.requestsTo('/tenant-a'))
      expect(() =>
        new Webhook(endpointSecrets['tenant-a']).verify(received.body, received.headers as Record<string, string>),
      ).not.toThrow();

    // Global keys see every application's events, each naming its application, and may filter by one.
    const ofA = await adminApi(app.url!).get('/events?application=tenant-a').expect(200);
    expect(ofA.body.data.map((item: { id: string }) => item.id)).toEqual([a.body.eventId]);
    expect(ofA.body.data[0]).toMatchObject({ application: 'tenant-a', integration: 'stripe' });
    const ofBStripe = await adminApi(app.url!).get('/events?application=tenant-b&integration=stripe').expect(200);
    expect(ofBStripe.body.data.map((item: { id: string }) => item.id).sort()).toEqual(
      [b.body.eventId, again.body.eventId].sort(),
    );
    const allStripe = await adminApi(app.url!).get('/events?integration=stripe').expect(200);
    expect(allStripe.body.data.map((item: { application: string }) => item.application).sort()).toEqual([
      'default',
      'tenant-a',
      'tenant-b',
      'tenant-b',
    ]);
    await adminApi(app.url!)
      .get('/events?application=nobody')
      .expect(200)
      .expect(({ body }) => expect(body.data).toEqual([]));
    const detail = await adminApi(app.url!).get(`/events/${b.body.eventId}`).expect(200);
    expect(detail.body).toMatchObject({ id: b.body.eventId, application: 'tenant-b', integration: 'stripe' });

    const stored = await prisma.event.findUniqueOrThrow({
      where: { id: a.body.eventId },
      include: { integration: true },
    });
    const tenantA = await prisma.application.findUniqueOrThrow({ where: { uid: 'tenant-a' } });
    expect(stored.integration.applicationId).toBe(tenantA.id);
  });

  it('a disabled application’s ingress answers 404 and its data stays; the default one cannot be disabled', async () => {
    await adminApi(app.url!).post('/applications', { uid: 'short-lived', name: 'Short lived' }).expect(201);
    const secret = 'whsec_short_lived_secret';
    await adminApi(app.url!)
      .post('/integrations', { application: 'short-lived', slug: 'stripe', provider: 'stripe', secret })
      .expect(201);
    await sendStripe('/webhooks/short-lived/stripe', secret, 'evt_before').expect(202);

    await adminApi(app.url!).delete('/applications/short-lived').expect(204);
    const refused = await sendStripe('/webhooks/short-lived/stripe', secret, 'evt_after').expect(404);
    expect(refused.body).toMatchObject({ statusCode: 404, error: 'Not Found', path: '/webhooks/short-lived/stripe' });
    const read = await adminApi(app.url!).get('/applications/short-lived').expect(200);
    expect(read.body).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    expect(await prisma.event.count({ where: { externalId: 'evt_before' } })).toBe(1);

    await adminApi(app.url!).delete('/applications/default').expect(400);
    await sendStripe('/webhooks/stripe', DEFAULT_STRIPE_SECRET, 'evt_default_still').expect(202);
  });

  it('gives a disabled application’s endpoints nothing new: its replays, redrives, recoveries and tests get 409, and walks across every application pass it by', async () => {
    const api = adminApi(app.url!);
    const key = 'retired-producer-key-0123456789';
    for (const uid of ['retired', 'still-live']) {
      await api.post('/applications', { uid, name: uid }).expect(201);
      await api
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: key })
        .expect(201);
    }
    const retiredEndpoint = (
      await api
        .post('/endpoints', { application: 'retired', url: receiver.url('/retired'), maxAttempts: 1 })
        .expect(201)
    ).body;
    await api.post('/endpoints', { application: 'still-live', url: receiver.url('/still-live') }).expect(201);
    receiver.respondWith((received) => (received.path === '/retired' ? { status: 500 } : { status: 200 }));
    const send = (uid: string) =>
      request(app.url!)
        .post(`/webhooks/${uid}/producer`)
        .set('authorization', `Bearer ${key}`)
        .send({ type: 'retirement.check', at: Date.now() })
        .expect(202)
        .then((response) => response.body.eventId as string);
    const retiredEvent = await send('retired');
    const liveEvent = await send('still-live');
    const deadLetter = await waitFor(async () => {
      const [delivery] = (await api.get(`/deliveries?eventId=${retiredEvent}`).expect(200)).body.data;
      return delivery?.status === 'dead_lettered' ? delivery : undefined;
    });
    await waitFor(() => receiver.requestsTo('/still-live').length === 1, { what: 'the live delivery' });

    await api.delete('/applications/retired').expect(204);
    // Nothing new is routed to its endpoint, but the deliveries in hand keep its controls (pause, rate limit).
    const active = app.app.get(ActiveEndpoints);
    const retiredId = (await api.get('/applications/retired').expect(200)).body.id as string;
    await waitFor(
      async () => !(await active.listOf(retiredId)).some((endpoint) => endpoint.id === retiredEndpoint.id),
      {
        what: 'the disabled application to leave the routable endpoints',
      },
    );
    expect((await active.find(retiredEndpoint.id))?.id).toBe(retiredEndpoint.id);
    const refusals = [
      api.post(`/events/${retiredEvent}/replay`, { reason: 'after retirement' }),
      api.post('/replays', { reason: 'after retirement', filter: { application: 'retired' } }),
      api.post(`/endpoints/${retiredEndpoint.id}/recover`, {
        reason: 'after retirement',
        since: '2026-01-01T00:00:00Z',
      }),
      api.post(`/endpoints/${retiredEndpoint.id}/test`),
      // A global key naming one of its endpoints, with no application in the filter.
      api.post('/replays', { reason: 'to its endpoint', endpointId: retiredEndpoint.id, filter: {} }),
      api.post('/dead-letters/redrive', { reason: 'its endpoint', filter: { endpointId: retiredEndpoint.id } }),
    ];
    for (const refused of await Promise.all(refusals)) {
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ statusCode: 409, message: expect.stringContaining('retired is disabled') });
    }

    // A global key's walks name no application: they run, and leave the disabled one's endpoints out.
    const redrive = await api
      .post('/dead-letters/redrive', { reason: 'all of them', deliveryIds: [deadLetter.id] })
      .expect(202);
    const replay = await api
      .post('/replays', { reason: 'every application', filter: { type: 'retirement.check' } })
      .expect(202);
    for (const { replayRequestId } of [redrive.body, replay.body])
      await waitFor(
        async () => (await api.get(`/replays/${replayRequestId}`).expect(200)).body.status === 'completed',
        {
          what: `replay ${replayRequestId} to complete`,
        },
      );
    await waitFor(() => receiver.requestsTo('/still-live').length === 2, { what: 'the live event replayed' });
    expect(receiver.requestsTo('/retired')).toHaveLength(1);
    expect(JSON.parse(receiver.requestsTo('/still-live')[1].body).id).toBe(liveEvent);
  });

  it('answers 404 for an unknown application, in a webhook URL and in a body', async () => {
    await sendStripe('/webhooks/nobody/stripe', DEFAULT_STRIPE_SECRET, 'evt_nobody').expect(404);
    await adminApi(app.url!)
      .post('/integrations', { application: 'nobody', slug: 'stripe', provider: 'stripe', secret: 'x' })
      .expect(404);
    await adminApi(app.url!).post('/endpoints', { application: 'nobody', url: 'https://example.com/x' }).expect(404);
  });

  it('is for admin keys only', async () => {
    const created = await adminApi(app.url!).post('/api-keys', { name: 'reader', scope: 'read' }).expect(201);
    await request(app.url!).get('/api/v1/applications').set('authorization', `Bearer ${created.body.key}`).expect(403);
  });
});
