import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const GENERIC_KEY = 'generic-portal-secret';
const EMBEDDER = 'https://app.alpha.example';

type DeliveryView = { endpointId: string; status: string };

/** A customer's browser, without the browser: follows nothing, keeps the portal cookie, finds the CSRF token. */
class PortalClient {
  cookie = '';
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  async open(url: string, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(url, { redirect: 'manual', headers });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return response;
  }

  async page(path: string): Promise<{ status: number; body: string; headers: Headers }> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: { cookie: this.cookie }, redirect: 'manual' });
    const body = await response.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? this.csrf;
    return { status: response.status, body, headers: response.headers };
  }

  async submit(path: string, fields: Record<string, string | string[]>, withCsrf = true) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields))
      for (const item of ([] as string[]).concat(value)) form.append(name, item);
    if (withCsrf) form.set('_csrf', this.csrf);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { cookie: this.cookie },
      body: form,
      redirect: 'manual',
    });
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  }
}

/** Contract §7.2 over plain HTTP: links, sessions, framing, access and isolation (the browser flow is in portal-browser). */
describe('customer portal', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let redis: Redis;
  const api = () => adminApi(app.url!);
  const link = async (body: object = {}, application = 'alpha') =>
    (await api().post(`/applications/${application}/portal-links`, body).expect(201)).body as {
      url: string;
      expiresAt: string;
    };
  const endpointsOf = async (application: string) =>
    (
      (await api().get('/endpoints?limit=200').expect(200)).body.data as {
        id: string;
        url: string;
        application: string;
      }[]
    ).filter((endpoint) => endpoint.application === application);
  const signedIn = async (access: 'manage' | 'read' = 'manage', application = 'alpha') => {
    const client = new PortalClient(app.url!);
    expect((await client.open((await link({ access }, application)).url)).status).toBe(303);
    return client;
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({
      role: 'all',
      env: { TRUST_PROXY: 'loopback', DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    redis = new Redis(app.config.redis.url);
    for (const uid of ['alpha', 'beta']) {
      await api()
        .post('/applications', {
          uid,
          name: `${uid} inc`,
          portal: uid === 'alpha' ? { displayName: 'Alpha Webhooks', allowedOrigins: [EMBEDDER] } : undefined,
        })
        .expect(201);
      await api()
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: GENERIC_KEY })
        .expect(201);
    }
    await api().post('/event-types', { application: 'alpha', name: 'invoice.paid' }).expect(201);
    await api().post('/event-types', { application: 'alpha', name: 'invoice.failed' }).expect(201);
  });

  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
    await receiver?.close();
  });

  it('makes a one-time link that expires, audited without its token', async () => {
    const created = await link({ ttlSeconds: 120, access: 'read' });
    expect(created.url).toMatch(new RegExp(`^${app.url}/portal/enter\\?token=[\\w-]{43}$`));
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(115_000);
    const token = new URL(created.url).searchParams.get('token')!;
    const stored = `${app.config.redis.prefix}:portal-link:${createHash('sha256').update(token).digest('hex')}`;
    expect(await redis.ttl(stored)).toBeGreaterThan(110);
    expect(await redis.ttl(stored)).toBeLessThanOrEqual(120);

    const audit = await api().get('/audit-entries?action=portal_link.created').expect(200);
    expect(audit.body.data[0]).toMatchObject({
      actor: 'bootstrap-admin',
      subjectType: 'application',
      details: { application: 'alpha', access: 'read' },
    });
    expect(JSON.stringify(audit.body)).not.toContain(token);

    await api().post('/applications/alpha/portal-links', { ttlSeconds: 30 }).expect(400);
    await api().post('/applications/alpha/portal-links', { access: 'owner' }).expect(400);
    await api().post('/applications/nobody/portal-links', {}).expect(404);
  });

  it('exchanges the token for a cookie once, and leaves it out of the address bar, the Referer and the logs', async () => {
    const { url } = await link();
    const client = new PortalClient(app.url!);
    const opened = await client.open(url);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/portal');
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    expect(opened.headers.get('set-cookie')).toMatch(
      /^hookgate_portal=[\w-]{43}; Max-Age=\d+; Path=\/portal; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    const home = await client.page('/portal');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Alpha Webhooks');

    for (const reused of [url, `${app.url}/portal/enter?token=forged-${'x'.repeat(36)}`, `${app.url}/portal/enter`]) {
      const again = await fetch(reused, { redirect: 'manual' });
      expect(again.status).toBe(401);
      expect(await again.text()).toContain('This link has expired');
    }
    const token = new URL(url).searchParams.get('token')!;
    expect(JSON.stringify(app.logs)).not.toContain(token);
  });

  it('sets SameSite=None; Secure; Partitioned behind https, so the cookie works in a third-party iframe', async () => {
    const opened = await new PortalClient(app.url!).open((await link()).url, { 'x-forwarded-proto': 'https' });
    expect(opened.headers.get('set-cookie')).toMatch(/; Secure; Partitioned; SameSite=None$/);
  });

  it("may be framed by the application's allowed origins only", async () => {
    const alpha = await signedIn();
    const framed = await alpha.page('/portal');
    expect(framed.headers.get('content-security-policy')).toContain(`frame-ancestors ${EMBEDDER};`);
    expect(framed.headers.get('content-security-policy')).toContain("default-src 'none'");
    const beta = await signedIn('manage', 'beta');
    expect((await beta.page('/portal')).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('is no way into the management API or the console', async () => {
    const alpha = await signedIn();
    expect((await fetch(`${app.url}/api/v1/endpoints`, { headers: { cookie: alpha.cookie } })).status).toBe(401);
    const consolePage = await fetch(`${app.url}/console/endpoints`, {
      headers: { cookie: alpha.cookie },
      redirect: 'manual',
    });
    expect(consolePage.status).toBe(303);
    expect(consolePage.headers.get('location')).toBe('/console/login');
  });

  it('lets a manage session create, edit, test, disable and delete endpoints, each audited as portal:<uid>', async () => {
    const alpha = await signedIn();
    await alpha.page('/portal');
    const created = await alpha.submit('/portal/endpoints', {
      url: `http://127.0.0.1:${receiver.port}/alpha`,
      description: 'billing',
      eventTypes: ['invoice.paid'],
      headers: 'x-customer: alpha-1',
      rateLimitPerSecond: '5',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatch(/data-secret>whsec_[\w+/=]+</);
    const endpoint = (await endpointsOf('alpha'))[0];
    expect(endpoint).toMatchObject({
      application: 'alpha',
      description: 'billing',
      filter: { eventTypes: ['invoice.paid'] },
      headers: { 'x-customer': 'alpha-1' },
      rateLimitPerSecond: 5,
    });

    const page = await alpha.page(`/portal/endpoints/${endpoint.id}`);
    expect(page.body).toContain('value="invoice.failed"');
    expect(page.body).toContain('data-testid="success-chart"');
    const edited = await alpha.submit(`/portal/endpoints/${endpoint.id}`, {
      url: endpoint.url,
      description: 'billing v2',
      eventTypes: ['invoice.paid', 'invoice.failed'],
      payloadFilter: '{"currency": "eur"}',
      headers: '',
      rateLimitPerSecond: '',
    });
    expect({ status: edited.status, body: edited.status === 303 ? '' : edited.body }).toEqual({
      status: 303,
      body: '',
    });
    expect((await api().get(`/endpoints/${endpoint.id}`).expect(200)).body).toMatchObject({
      description: 'billing v2',
      filter: { eventTypes: ['invoice.paid', 'invoice.failed'], payload: { currency: 'eur' } },
      headers: {},
      rateLimitPerSecond: 5,
    });
    const badJson = await alpha.submit(`/portal/endpoints/${endpoint.id}`, { url: endpoint.url, payloadFilter: '{' });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toContain('The payload filter is not JSON');

    const tested = await alpha.submit(`/portal/endpoints/${endpoint.id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.body).toContain('answered 200');
    expect(receiver.requests.filter((received) => received.path === '/alpha')).toHaveLength(1);

    expect((await alpha.submit(`/portal/endpoints/${endpoint.id}/disable`, {})).status).toBe(303);
    expect((await api().get(`/endpoints/${endpoint.id}`).expect(200)).body.enabled).toBe(false);
    const rotated = await alpha.submit(`/portal/endpoints/${endpoint.id}/rotate-secret`, {
      gracePeriodSeconds: '3600',
    });
    expect(rotated.body).toMatch(/data-secret>whsec_/);
    const graceEnds = (await api().get(`/endpoints/${endpoint.id}`).expect(200)).body.previousSecretExpiresAt;
    expect(Date.parse(graceEnds) - Date.now()).toBeGreaterThan(3_500_000);
    expect(rotated.body).toMatch(/data-testid="signing-secrets">the new and the previous secret/);
    expect(rotated.body).toContain(`datetime="${graceEnds}"`);
    expect((await alpha.submit(`/portal/endpoints/${endpoint.id}/delete`, {})).status).toBe(303);
    await api().get(`/endpoints/${endpoint.id}`).expect(404);

    const audit = await api().get('/audit-entries?actor=portal:alpha&limit=50').expect(200);
    expect(audit.body.data.map((entry: { action: string }) => entry.action).sort()).toEqual(
      expect.arrayContaining([
        'endpoint.created',
        'endpoint.updated',
        'endpoint.secret_rotated',
        'endpoint.deleted',
        'portal.session_opened',
      ]),
    );
  });

  it('shows the event log with each attempt, and replays an event', async () => {
    const alpha = await signedIn();
    await api()
      .post('/endpoints', { application: 'alpha', url: `http://127.0.0.1:${receiver.port}/log` })
      .expect(201);
    receiver.respondWith((received, index) =>
      received.path === '/log' && index === 0 ? { status: 500, body: 'first try fails' } : { status: 200 },
    );
    const sent = await request(app.url!)
      .post('/webhooks/alpha/producer')
      .set('authorization', `Bearer ${GENERIC_KEY}`)
      .send({ type: 'invoice.paid', amount: 1200, orderingKey: 'customer-42' })
      .expect(202);
    const eventId = sent.body.eventId as string;
    await waitFor(async () => (await api().get(`/events/${eventId}`).expect(200)).body.deliveries[0]?.attempts[0]);

    const log = await alpha.page('/portal/events');
    expect(log.body).toContain(`/portal/events/${eventId}`);
    const detail = await alpha.page(`/portal/events/${eventId}`);
    expect(detail.body).toContain('first try fails');
    expect(detail.body).toContain('&quot;amount&quot;: 1200');
    expect(detail.body).toContain('[redacted]');
    expect(detail.body).toContain('<code data-testid="ordering-key">customer-42</code>');

    expect((await alpha.submit(`/portal/events/${eventId}/replay`, { reason: 'try again' })).status).toBe(303);
    await waitFor(async () => receiver.requests.filter((received) => received.path === '/log').length >= 2, {
      what: 'the replayed delivery',
    });
  });

  it("resends an endpoint's failed deliveries since a time, audited as portal:<uid>", async () => {
    const alpha = await signedIn();
    const endpoint = (
      await api()
        .post('/endpoints', { application: 'alpha', url: `http://127.0.0.1:${receiver.port}/recover`, maxAttempts: 1 })
        .expect(201)
    ).body;
    let receiverUp = false;
    receiver.respondWith((received) =>
      received.path === '/recover' && !receiverUp ? { status: 503, body: 'down for maintenance' } : { status: 200 },
    );
    const failedSince = new Date(Date.now() - 60_000);
    const sent = await request(app.url!)
      .post('/webhooks/alpha/producer')
      .set('authorization', `Bearer ${GENERIC_KEY}`)
      .send({ type: 'invoice.failed', amount: 99 })
      .expect(202);
    const deliveryOf = async () =>
      ((await api().get(`/events/${sent.body.eventId}`).expect(200)).body.deliveries as DeliveryView[]).find(
        (delivery) => delivery.endpointId === endpoint.id,
      );
    await waitFor(async () => (await deliveryOf())?.status === 'dead_lettered', { what: 'the delivery to fail' });

    receiverUp = true;
    await alpha.page(`/portal/endpoints/${endpoint.id}`);
    // The form's datetime-local field: no zone and no seconds, read as UTC.
    const resent = await alpha.submit(`/portal/endpoints/${endpoint.id}/recover`, {
      since: failedSince.toISOString().slice(0, 16),
    });
    expect(resent).toMatchObject({
      status: 303,
      location: `/portal/endpoints/${endpoint.id}?notice=${encodeURIComponent('Resending 1 failed deliveries.')}`,
    });
    await waitFor(async () => (await deliveryOf())?.status === 'succeeded', { what: 'the resent delivery' });
    expect(receiver.requestsTo('/recover')).toHaveLength(2);
    const audit = await api().get('/audit-entries?action=replay.requested&application=alpha').expect(200);
    expect(audit.body.data[0]).toMatchObject({
      actor: 'portal:alpha',
      application: 'alpha',
      details: { kind: 'recover', endpointId: endpoint.id, matched: 1, reason: 'recovered from the portal' },
    });
  });

  it('lets a manage session make an endpoint FIFO and give it a transformation that the deliveries carry', async () => {
    const alpha = await signedIn();
    const url = `http://127.0.0.1:${receiver.port}/transformed`;
    const endpoint = (await api().post('/endpoints', { application: 'alpha', url }).expect(201)).body;
    receiver.respondWith(() => ({ status: 200 }));
    await alpha.page(`/portal/endpoints/${endpoint.id}`);
    expect((await alpha.submit(`/portal/endpoints/${endpoint.id}`, { url, ordering: 'fifo' })).status).toBe(303);

    const broken = await alpha.submit(`/portal/endpoints/${endpoint.id}/transformation`, {
      code: 'function handler(webhook) { return webhook',
      enabled: 'on',
    });
    expect(broken.status).toBe(400);
    const saved = await alpha.submit(`/portal/endpoints/${endpoint.id}/transformation`, {
      code: 'function handler(webhook) { webhook.payload = { portal: webhook.payload.type }; return webhook; }',
      enabled: 'on',
    });
    expect(saved).toMatchObject({ status: 303, location: expect.stringContaining('Transformation%20saved') });
    const page = await alpha.page(`/portal/endpoints/${endpoint.id}`);
    expect(page.body).toMatch(/data-testid="ordering">\s*FIFO/);
    expect(page.body).toMatch(/data-testid="transformation-state">\s*runs on every delivery/);
    expect((await api().get(`/endpoints/${endpoint.id}`).expect(200)).body).toMatchObject({
      ordering: 'fifo',
      transformation: { enabled: true },
    });

    await request(app.url!)
      .post('/webhooks/alpha/producer')
      .set('authorization', `Bearer ${GENERIC_KEY}`)
      .send({ type: 'invoice.paid', amount: 5 })
      .expect(202);
    const [delivered] = await waitFor(() => {
      const received = receiver.requestsTo('/transformed');
      return received.length ? received : undefined;
    });
    expect(JSON.parse(delivered.body)).toEqual({ portal: 'invoice.paid' });
  });

  it("wears the application's name, colour and logo, all served by the gateway and no script needed", async () => {
    receiver.respondWith((received) =>
      received.path === '/logo.svg'
        ? {
            status: 200,
            headers: { 'content-type': 'image/svg+xml' },
            body: '<svg xmlns="http://www.w3.org/2000/svg"/>',
          }
        : { status: 200 },
    );
    await api()
      .post('/applications', {
        uid: 'branded',
        name: 'Branded Co',
        portal: { displayName: 'Branded Hooks', primaryColor: '#7b2cbf', logoUrl: receiver.url('/logo.svg') },
      })
      .expect(201);
    const branded = await signedIn('manage', 'branded');
    const page = await branded.page('/portal');
    expect(page.body).toContain('Branded Hooks');
    expect(page.body).toContain('src="/portal/logo"');
    expect(page.body).toContain('href="/portal/theme.css"');
    // Every control is a form a browser without JavaScript submits; nothing is loaded from another origin.
    expect(page.body).toMatch(/<form method="post" action="\/portal\/endpoints"/);
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const theme = await branded.page('/portal/theme.css');
    expect(theme.body).toBe(':root { --accent: #7b2cbf; }\n');
    const logo = await fetch(`${app.url}/portal/logo`, { headers: { cookie: branded.cookie } });
    expect(logo.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(logo.headers.get('content-security-policy')).toContain('sandbox');
    expect(await logo.text()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(receiver.requestsTo('/logo.svg')).toHaveLength(1);
  });

  it("shows its application's event types with their schemas, not archived ones nor another application's", async () => {
    const schema = { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } };
    await api()
      .post('/event-types', { application: 'alpha', name: 'refund.issued', description: 'A refund went out', schema })
      .expect(201);
    await api().post('/event-types', { application: 'alpha', name: 'refund.retired' }).expect(201);
    await api().patch('/event-types/refund.retired?application=alpha', { archived: true }).expect(200);
    await api().post('/event-types', { application: 'beta', name: 'beta.only' }).expect(201);

    const page = await (await signedIn('read')).page('/portal/event-types');
    expect(page.status).toBe(200);
    const names = [...page.body.matchAll(/<tr data-testid="event-type">\s*<td><code>([^<]+)<\/code>/g)].map(
      (match) => match[1],
    );
    expect(names).toEqual(expect.arrayContaining(['invoice.failed', 'invoice.paid', 'refund.issued']));
    expect(names).not.toContain('refund.retired');
    expect(names).not.toContain('beta.only');
    expect(page.body).toContain('A refund went out');
    expect(page.body).toContain('&quot;required&quot;: [\n    &quot;amount&quot;\n  ]');
    expect(page.body).toContain('href="/portal/event-types" class="active"');
  });

  it('gives a read session no changing controls, and 403 when it tries anyway', async () => {
    const endpoint = (
      await api().post('/endpoints', { application: 'alpha', url: 'https://alpha.example/read-only' }).expect(201)
    ).body;
    const reader = await signedIn('read');
    const page = await reader.page(`/portal/endpoints/${endpoint.id}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('data-testid="edit-endpoint"');
    expect(page.body).not.toContain('data-testid="controls"');
    expect((await reader.page('/portal')).body).not.toContain('data-testid="create-endpoint"');
    const forged = await reader.submit(`/portal/endpoints/${endpoint.id}/disable`, {});
    expect(forged.status).toBe(403);
    expect((await api().get(`/endpoints/${endpoint.id}`).expect(200)).body.enabled).toBe(true);
  });

  it('refuses a change without its CSRF token', async () => {
    const alpha = await signedIn();
    const before = (await endpointsOf('alpha')).length;
    const forged = await alpha.submit('/portal/endpoints', { url: 'https://evil.example/hooks' }, false);
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('CSRF');
    expect(await endpointsOf('alpha')).toHaveLength(before);
  });

  it("answers 404 for another application's endpoints and events", async () => {
    const betaEndpoint = (
      await api().post('/endpoints', { application: 'beta', url: 'https://beta.example/hooks' }).expect(201)
    ).body;
    const betaEvent = (
      await request(app.url!)
        .post('/webhooks/beta/producer')
        .set('authorization', `Bearer ${GENERIC_KEY}`)
        .send({ type: 'beta.secret' })
        .expect(202)
    ).body.eventId as string;
    const alpha = await signedIn();
    await alpha.page('/portal');
    expect((await alpha.page(`/portal/endpoints/${betaEndpoint.id}`)).status).toBe(404);
    expect((await alpha.page(`/portal/events/${betaEvent}`)).status).toBe(404);
    expect((await alpha.submit(`/portal/endpoints/${betaEndpoint.id}/disable`, {})).status).toBe(404);
    expect((await alpha.submit(`/portal/events/${betaEvent}/replay`, { reason: 'x' })).status).toBe(404);
    expect((await api().get(`/endpoints/${betaEndpoint.id}`).expect(200)).body.enabled).toBe(true);
    const lists = (await alpha.page('/portal')).body + (await alpha.page('/portal/events')).body;
    expect(lists).not.toContain(betaEndpoint.id);
    expect(lists).not.toContain('beta.example');
    expect(lists).not.toContain(betaEvent);
  });

  it('ends when the application is disabled, and on sign-out', async () => {
    await api().post('/applications', { uid: 'gamma', name: 'gamma' }).expect(201);
    const gamma = await signedIn('manage', 'gamma');
    expect((await gamma.page('/portal')).status).toBe(200);
    await api().delete('/applications/gamma').expect(204);
    await waitFor(async () => (await gamma.page('/portal')).status === 401, { what: 'the session to end' });
    await api().post('/applications/gamma/portal-links', {}).expect(409);

    const alpha = await signedIn();
    await alpha.page('/portal');
    expect((await alpha.submit('/portal/sign-out', {})).status).toBe(200);
    expect((await alpha.page('/portal')).status).toBe(401);
  });
});
