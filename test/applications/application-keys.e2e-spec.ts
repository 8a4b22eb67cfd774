import request from 'supertest';
import { adminApi } from '../support/management';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const GENERIC_KEY = 'generic-application-keys-secret';

/** What an application key of `alpha` meets on a route, given ids of application `beta`. */
type Expectation =
  /** A route that confines itself: beta's ids (or naming beta) answer 404. */
  | { kind: 'not-found'; path?: string; body?: object }
  /** A list: 200, and nothing of beta in it. */
  | { kind: 'list'; path?: string }
  /** A route for global keys only: 403, whatever the ids. */
  | { kind: 'global-only'; body?: object };

/**
 * Contract §7.1: an application key sees and changes only its application. Every route of the management API (read
 * from the OpenAPI document, so a route added later without an entry here fails this test) is called with an
 * application key of `alpha` and the ids of `beta`'s rows.
 */
describe('application keys', () => {
  let app: TestApp;
  let alphaAdmin: string;
  const alphaKeys: Record<'ops' | 'read', string> = { ops: '', read: '' };
  const beta: Record<string, string> = {};

  const as = (key: string) => ({
    call: (method: string, path: string, body?: object) => {
      const agent = request(app.url!);
      const test =
        method === 'get'
          ? agent.get(path)
          : method === 'post'
            ? agent.post(path)
            : method === 'patch'
              ? agent.patch(path)
              : agent.delete(path);
      test.set('authorization', `Bearer ${key}`);
      return body ? test.send(body) : test;
    },
  });

  beforeAll(async () => {
    app = await startTestApp({ role: 'all' });
    const api = adminApi(app.url!);
    for (const uid of ['alpha', 'beta']) {
      await api.post('/applications', { uid, name: uid }).expect(201);
      await api
        .post('/integrations', { application: uid, slug: 'producer', provider: 'generic', secret: GENERIC_KEY })
        .expect(201);
    }
    alphaAdmin = (
      await api.post('/api-keys', { name: 'alpha admin', scope: 'admin', application: 'alpha' }).expect(201)
    ).body.key;
    for (const scope of ['ops', 'read'] as const)
      alphaKeys[scope] = (
        await api.post('/api-keys', { name: `alpha ${scope}`, scope, application: 'alpha' }).expect(201)
      ).body.key;
    const integration = await api.get('/integrations?limit=500').expect(200);
    beta.integration = integration.body.data.find(
      (item: { application: string; slug: string }) => item.application === 'beta',
    ).id;
    beta.endpoint = (
      await api.post('/endpoints', { application: 'beta', url: 'https://beta.example/hooks' }).expect(201)
    ).body.id;
    beta.event = (
      await request(app.url!)
        .post('/webhooks/beta/producer')
        .set('authorization', `Bearer ${GENERIC_KEY}`)
        .send({ type: 'beta.thing', secret: 'beta-only' })
        .expect(202)
    ).body.eventId;
    await api.post('/event-types', { application: 'beta', name: 'beta.declared' }).expect(201);
    beta.apiKey = (
      await api.post('/api-keys', { name: 'beta reader', scope: 'read', application: 'beta' }).expect(201)
    ).body.id;
    beta.application = (await api.get('/applications/beta').expect(200)).body.id;
    beta.replay = (
      await api.post(`/events/${beta.event}/replay`, { reason: 'beta replay' }).expect(202)
    ).body.replayRequestId;
    // Its delivery (to an address that does not resolve) is listed by a global key: the lists below must not show it.
    beta.delivery = (
      await waitFor(async () => (await api.get(`/deliveries?eventId=${beta.event}`).expect(200)).body.data[0])
    ).id;
  });

  afterAll(async () => {
    await app?.stop();
  });

  const ROUTES: Record<string, Expectation> = {
    'get /api/v1/integrations': { kind: 'list' },
    'post /api/v1/integrations': {
      kind: 'not-found',
      body: { application: 'beta', slug: 'sneaky', provider: 'generic', secret: 'x' },
    },
    'get /api/v1/integrations/{id}': { kind: 'not-found', path: '/api/v1/integrations/:integration' },
    'patch /api/v1/integrations/{id}': {
      kind: 'not-found',
      path: '/api/v1/integrations/:integration',
      body: { enabled: false },
    },
    'get /api/v1/endpoints': { kind: 'list' },
    'post /api/v1/endpoints': { kind: 'not-found', body: { application: 'beta', url: 'https://sneaky.example' } },
    'get /api/v1/endpoints/{id}': { kind: 'not-found', path: '/api/v1/endpoints/:endpoint' },
    'patch /api/v1/endpoints/{id}': {
      kind: 'not-found',
      path: '/api/v1/endpoints/:endpoint',
      body: { description: 'taken over' },
    },
    'delete /api/v1/endpoints/{id}': { kind: 'not-found', path: '/api/v1/endpoints/:endpoint' },
    'post /api/v1/endpoints/{id}/rotate-secret': {
      kind: 'not-found',
      path: '/api/v1/endpoints/:endpoint/rotate-secret',
    },
    'post /api/v1/endpoints/{id}/transformation/test': {
      kind: 'not-found',
      path: '/api/v1/endpoints/:endpoint/transformation/test',
      body: { code: 'function handler(webhook) { return webhook; }', payload: {} },
    },
    'post /api/v1/endpoints/{id}/pause': { kind: 'not-found', path: '/api/v1/endpoints/:endpoint/pause' },
    'post /api/v1/endpoints/{id}/resume': { kind: 'not-found', path: '/api/v1/endpoints/:endpoint/resume' },
    'get /api/v1/events': { kind: 'list' },
    'get /api/v1/events/{id}': { kind: 'not-found', path: '/api/v1/events/:event' },
    'get /api/v1/events/{id}/status': { kind: 'not-found', path: '/api/v1/events/:event/status' },
    'get /api/v1/event-types': { kind: 'list' },
    'post /api/v1/event-types': { kind: 'not-found', body: { application: 'beta', name: 'sneaky.type' } },
    'get /api/v1/event-types/{name}': { kind: 'not-found', path: '/api/v1/event-types/beta.declared' },
    'patch /api/v1/event-types/{name}': {
      kind: 'not-found',
      path: '/api/v1/event-types/beta.declared?application=beta',
      body: { description: 'taken over' },
    },
    'get /api/v1/api-keys': { kind: 'list' },
    'post /api/v1/api-keys': { kind: 'not-found', body: { name: 'sneaky', scope: 'admin', application: 'beta' } },
    'delete /api/v1/api-keys/{id}': { kind: 'not-found', path: '/api/v1/api-keys/:apiKey' },
    'post /api/v1/endpoints/{id}/test': { kind: 'not-found', path: '/api/v1/endpoints/:endpoint/test' },
    'post /api/v1/endpoints/{id}/recover': {
      kind: 'not-found',
      path: '/api/v1/endpoints/:endpoint/recover',
      body: { reason: 'sneaky', since: '2026-01-01T00:00:00Z' },
    },
    'post /api/v1/events/{id}/replay': {
      kind: 'not-found',
      path: '/api/v1/events/:event/replay',
      body: { reason: 'sneaky' },
    },
    'post /api/v1/replays': { kind: 'not-found', body: { reason: 'sneaky', filter: { application: 'beta' } } },
    'get /api/v1/replays': { kind: 'list' },
    'get /api/v1/replays/{id}': { kind: 'not-found', path: '/api/v1/replays/:replay' },
    'post /api/v1/replays/{id}/cancel': { kind: 'not-found', path: '/api/v1/replays/:replay/cancel' },
    'get /api/v1/deliveries': { kind: 'list' },
    'get /api/v1/dead-letters': { kind: 'list' },
    'post /api/v1/dead-letters/redrive': {
      kind: 'not-found',
      body: { reason: 'sneaky', deliveryIds: [':delivery'] },
    },
    'get /api/v1/audit-entries': { kind: 'list' },
    // Applications are for global admin keys only (contract §7.1).
    'get /api/v1/applications': { kind: 'global-only' },
    'post /api/v1/applications': { kind: 'global-only', body: { uid: 'sneaky', name: 'x' } },
    'get /api/v1/applications/{id}': { kind: 'global-only' },
    'patch /api/v1/applications/{id}': { kind: 'global-only', body: { name: 'x' } },
    'delete /api/v1/applications/{id}': { kind: 'global-only' },
    // An application's admin key makes portal links for its own application only (contract §7.2).
    'post /api/v1/applications/{id}/portal-links': {
      kind: 'not-found',
      path: '/api/v1/applications/:application/portal-links',
    },
  };

  it('has an expectation for every route of the management API', async () => {
    const document = (await request(app.url!).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(routes.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  const fill = (path: string) =>
    path
      .replace(':integration', beta.integration)
      .replace(':endpoint', beta.endpoint)
      .replace(':event', beta.event)
      .replace(':apiKey', beta.apiKey)
      .replace(':replay', beta.replay)
      .replace(':application', beta.application)
      .replace(/\{id\}/, beta.endpoint);

  it.each(Object.entries(ROUTES))('%s', async (route, expectation) => {
    const [method, template] = route.split(' ');
    const path = fill('path' in expectation && expectation.path ? expectation.path : template);
    const given = 'body' in expectation ? expectation.body : method === 'get' || method === 'delete' ? undefined : {};
    const body = given && (JSON.parse(JSON.stringify(given).replace(':delivery', beta.delivery)) as object);
    const response = await as(alphaAdmin).call(method, path, body);
    switch (expectation.kind) {
      case 'not-found':
        expect({ route, status: response.status }).toEqual({ route, status: 404 });
        expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
        break;
      case 'list': {
        expect({ route, status: response.status }).toEqual({ route, status: 200 });
        const text = JSON.stringify(response.body);
        for (const id of Object.values(beta)) expect(text).not.toContain(id);
        expect(text).not.toContain('"beta"');
        expect(text).not.toContain('beta.');
        break;
      }
      case 'global-only':
        expect({ route, status: response.status }).toEqual({ route, status: 403 });
        break;
    }
  });

  it.each([
    [
      'a redrive filtered on',
      '/api/v1/dead-letters/redrive',
      { reason: 'sneaky', filter: { endpointId: ':endpoint' } },
    ],
    ['a bulk replay to', '/api/v1/replays', { reason: 'sneaky', endpointId: ':endpoint', filter: {} }],
  ])("answers 404 to %s another application's endpoint, and starts nothing", async (_, path, given) => {
    const body = JSON.parse(JSON.stringify(given).replace(':endpoint', beta.endpoint)) as object;
    const before = (await adminApi(app.url!).get('/replays?limit=500').expect(200)).body.data.length;
    const response = await as(alphaAdmin).call('post', path, body);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await adminApi(app.url!).get('/replays?limit=500').expect(200)).body.data).toHaveLength(before);
  });

  // The reads again with the application's ops and read keys: the same 404s, the same lists without beta's rows.
  const ADMIN_SCOPE_READS = ['get /api/v1/api-keys'];
  const READS = Object.entries(ROUTES).filter(
    ([route, expectation]) => route.startsWith('get ') && expectation.kind !== 'global-only',
  );
  it.each(
    (['ops', 'read'] as const).flatMap((scope) =>
      READS.map(([route, expectation]) => [scope, route, expectation] as const),
    ),
  )('with its %s key: %s', async (scope, route, expectation) => {
    const template = route.split(' ')[1];
    const path = fill('path' in expectation && expectation.path ? expectation.path : template);
    const response = await as(alphaKeys[scope]).call('get', path);
    if (ADMIN_SCOPE_READS.includes(route)) {
      // Keys are listed to admin keys only, whatever their application (the scopes of contract §4).
      expect({ route, status: response.status }).toEqual({ route, status: 403 });
    } else if (expectation.kind === 'not-found') {
      expect({ route, status: response.status }).toEqual({ route, status: 404 });
    } else {
      expect({ route, status: response.status }).toEqual({ route, status: 200 });
      const text = JSON.stringify(response.body);
      for (const id of Object.values(beta)) expect(text).not.toContain(id);
    }
  });

  const LISTS = Object.entries(ROUTES)
    .filter(([, expectation]) => expectation.kind === 'list')
    .map(([route]) => route.split(' ')[1]);

  it.each(LISTS)('a global key narrows %s to one application with ?application=', async (path) => {
    const get = (query: string) => adminApi(app.url!).get(`${path.replace('/api/v1', '')}?limit=500&${query}`);
    const list = (query: string) => get(query).expect(200);
    const ofBeta = (await list('application=beta')).body.data as { application: string }[];
    expect(ofBeta.map((item) => item.application)).toEqual(ofBeta.map(() => 'beta'));
    // Beta has a row of every kind but a dead letter.
    if (path !== '/api/v1/dead-letters') expect(ofBeta.length).toBeGreaterThan(0);
    const ofAlpha = JSON.stringify((await list('application=alpha')).body.data);
    for (const id of Object.values(beta)) expect(ofAlpha).not.toContain(id);
    // The event-type catalog is one application's (§7.3), so an unknown one is 404; other lists find nothing.
    if (path === '/api/v1/event-types') await get('application=nobody').expect(404);
    else expect((await list('application=nobody')).body.data).toEqual([]);
  });

  it("keeps Bull Board, which shows every application's jobs, to global admin keys", async () => {
    const refused = await request(app.url!).get('/admin/queues').set('authorization', `Bearer ${alphaAdmin}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ statusCode: 403, error: 'Forbidden', path: '/admin/queues' });
    expect(refused.body.message).toContain('global');
    await request(app.url!).get('/admin/queues').set('authorization', `Bearer ${TEST_ADMIN_KEY}`).expect(200);
  });

  it('works inside its own application: creates there by default, sees only its own rows, and its keys are its own', async () => {
    const alpha = as(alphaAdmin);
    const endpoint = await alpha.call('post', '/api/v1/endpoints', { url: 'https://alpha.example/hooks' }).expect(201);
    expect(endpoint.body.application).toBe('alpha');
    await alpha.call('get', `/api/v1/endpoints/${endpoint.body.id}`).expect(200);
    const endpoints = await alpha.call('get', '/api/v1/endpoints').expect(200);
    expect(endpoints.body.data.map((item: { application: string }) => item.application)).toEqual(['alpha']);

    const event = await request(app.url!)
      .post('/webhooks/alpha/producer')
      .set('authorization', `Bearer ${GENERIC_KEY}`)
      .send({ type: 'alpha.thing' })
      .expect(202);
    const events = await alpha.call('get', '/api/v1/events').expect(200);
    expect(events.body.data.map((item: { id: string }) => item.id)).toEqual([event.body.eventId]);
    await alpha.call('get', `/api/v1/events/${event.body.eventId}`).expect(200);
    // Naming another application in a filter finds nothing, rather than that application's rows.
    const filtered = await alpha.call('get', '/api/v1/events?application=beta').expect(200);
    expect(filtered.body.data).toEqual([]);

    const key = await alpha.call('post', '/api/v1/api-keys', { name: 'alpha reader', scope: 'read' }).expect(201);
    expect(key.body.application).toBe('alpha');
    const reader = as(key.body.key);
    await reader.call('get', '/api/v1/endpoints').expect(200);
    await reader.call('post', '/api/v1/endpoints', { url: 'https://alpha.example/other' }).expect(403);
    await alpha.call('delete', `/api/v1/api-keys/${key.body.id}`).expect(204);
    await reader.call('get', '/api/v1/endpoints').expect(401);

    // Its replays and deliveries are its own, and carry its application.
    const replay = await alpha
      .call('post', `/api/v1/events/${event.body.eventId}/replay`, { reason: 'alpha replay' })
      .expect(202);
    const replays = await alpha.call('get', '/api/v1/replays').expect(200);
    expect(replays.body.data).toEqual([
      expect.objectContaining({ id: replay.body.replayRequestId, application: 'alpha' }),
    ]);
    await alpha.call('get', `/api/v1/replays/${replay.body.replayRequestId}`).expect(200);
    const deliveries = await alpha.call('get', '/api/v1/deliveries').expect(200);
    expect(deliveries.body.data.length).toBeGreaterThan(0);
    expect(new Set(deliveries.body.data.map((item: { application: string }) => item.application))).toEqual(
      new Set(['alpha']),
    );
    // A global key may filter with ?application=.
    const betaDeliveries = await adminApi(app.url!).get('/deliveries?application=beta').expect(200);
    expect(betaDeliveries.body.data.map((item: { id: string }) => item.id)).toEqual([beta.delivery]);

    // A global key still sees both applications.
    const all = await adminApi(app.url!).get('/endpoints?limit=500').expect(200);
    const applications = new Set(all.body.data.map((item: { application: string }) => item.application));
    expect(applications).toEqual(new Set(['alpha', 'beta']));
  });

  it('names the application in every audit entry, the delivery statement’s own included, and reads its own trail', async () => {
    const alpha = as(alphaAdmin);
    const endpoint = (
      await alpha.call('post', '/api/v1/endpoints', { url: 'https://alpha-audit.example/hooks' }).expect(201)
    ).body.id as string;
    await alpha.call('post', `/api/v1/endpoints/${endpoint}/pause`).expect(200);
    // A test event's one attempt (to an address that does not resolve) is recorded by the batched delivery statement.
    const tested = await alpha.call('post', `/api/v1/endpoints/${endpoint}/test`, {}).expect(200);
    const trail = (await alpha.call('get', '/api/v1/audit-entries?limit=500').expect(200)).body.data as {
      id: string;
      application: string | null;
      action: string;
      subjectId: string;
      eventId?: string;
    }[];
    expect(new Set(trail.map((entry) => entry.application))).toEqual(new Set(['alpha']));
    const about = (action: string, subjectId?: string) =>
      trail.find((entry) => entry.action === action && (subjectId === undefined || entry.subjectId === subjectId));
    expect(about('application.created')).toBeDefined();
    expect(about('integration.created')).toBeDefined();
    expect(about('api_key.created')).toBeDefined();
    expect(about('endpoint.created', endpoint)).toBeDefined();
    expect(about('endpoint.paused', endpoint)).toBeDefined();
    expect(about('endpoint.tested', endpoint)).toBeDefined();
    expect(
      trail.find((entry) => entry.action.startsWith('delivery.') && entry.eventId === tested.body.eventId),
    ).toMatchObject({ application: 'alpha' });

    // A global key reads alpha's entries with ?application=alpha (alpha's entries only: its deliveries retrying in
    // the background may add some), and every entry otherwise. Global keys' own entries name no application, and
    // no application key reads them.
    const admin = adminApi(app.url!);
    const ofAlpha = (await admin.get('/audit-entries?limit=500&application=alpha').expect(200)).body
      .data as typeof trail;
    expect(ofAlpha.map((entry) => entry.id)).toEqual(expect.arrayContaining(trail.map((entry) => entry.id)));
    expect(new Set(ofAlpha.map((entry) => entry.application))).toEqual(new Set(['alpha']));
    const globalKey = (await admin.post('/api-keys', { name: 'global reader', scope: 'read' }).expect(201)).body.id;
    const everything = (await admin.get('/audit-entries?limit=500').expect(200)).body.data as typeof trail;
    expect(everything.find((entry) => entry.subjectId === globalKey)).toMatchObject({
      action: 'api_key.created',
      application: null,
    });
    expect([...new Set(everything.map((entry) => entry.application))]).toEqual(
      expect.arrayContaining(['alpha', 'beta', null]),
    );
    const alphaNow = (await alpha.call('get', '/api/v1/audit-entries?limit=500').expect(200)).body.data as typeof trail;
    expect(alphaNow.map((entry) => entry.subjectId)).not.toContain(globalKey);
    await admin.get('/audit-entries?application=Not%20a%20uid').expect(400);
  });
});
