import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';
import { someEvents } from './builders';

describe('management API: scopes, search, pagination, audit, OpenAPI', () => {
  let app: TestApp;
  let prisma: PrismaService;
  const keys: Record<'admin' | 'ops' | 'read', string> = { admin: '', ops: '', read: '' };

  beforeAll(async () => {
    // Behind a trusted loopback proxy: each route's failed authentications come from an address of their own, so
    // the per-address limit on failures (tested in abuse.e2e-spec.ts) does not turn this matrix's 401s into 429s.
    app = await startTestApp({
      role: 'api',
      env: { ACME_WEBHOOK_SECRET: 'acme-api-test-secret-01', TRUST_PROXY: 'loopback' },
    });
    prisma = app.app.get(PrismaService);
    for (const scope of ['admin', 'ops', 'read'] as const) {
      const created = await adminApi(app.url!)
        .post('/api-keys', { name: `${scope}-key`, scope })
        .expect(201);
      expect(created.body).toMatchObject({ name: `${scope}-key`, scope, key: expect.stringMatching(/^hg_/) });
      keys[scope] = created.body.key;
    }
  });

  afterAll(() => app?.stop());

  const ZERO = '00000000-0000-4000-8000-000000000000';
  // [method, path, body, least scope]; a 2xx or a domain 4xx (404/409/400) both prove the guard let it through.
  const routes: [string, string, object | undefined, 'read' | 'ops' | 'admin'][] = [
    ['get', '/events', undefined, 'read'],
    ['get', `/events/${ZERO}`, undefined, 'read'],
    ['get', `/events/${ZERO}/status`, undefined, 'read'],
    ['get', '/deliveries', undefined, 'read'],
    ['get', '/dead-letters', undefined, 'read'],
    ['get', '/replays', undefined, 'read'],
    ['get', `/replays/${ZERO}`, undefined, 'read'],
    ['get', '/audit-entries', undefined, 'read'],
    ['get', '/endpoints', undefined, 'read'],
    ['get', '/integrations', undefined, 'read'],
    ['post', `/events/${ZERO}/replay`, { reason: 'r' }, 'ops'],
    ['post', '/replays', { reason: 'r', filter: {}, dryRun: true }, 'ops'],
    ['post', `/replays/${ZERO}/cancel`, undefined, 'ops'],
    ['post', '/dead-letters/redrive', { reason: 'r', deliveryIds: [] }, 'ops'],
    ['post', '/endpoints', { url: 'https://example.com/x' }, 'admin'],
    ['patch', `/endpoints/${ZERO}`, { enabled: false }, 'admin'],
    ['delete', `/endpoints/${ZERO}`, undefined, 'admin'],
    ['post', `/endpoints/${ZERO}/rotate-secret`, undefined, 'admin'],
    ['post', '/integrations', { slug: 'matrix', provider: 'acme', secret: 's' }, 'admin'],
    ['patch', `/integrations/${ZERO}`, { enabled: true }, 'admin'],
    ['get', '/api-keys', undefined, 'admin'],
    ['post', '/api-keys', { name: 'n', scope: 'read' }, 'admin'],
    ['delete', `/api-keys/${ZERO}`, undefined, 'admin'],
  ];
  const rank = { read: 1, ops: 2, admin: 3 };

  it.each(routes)(
    '%s %s %j: 401 without a key, 403 below the %s scope, through at or above it',
    async (method, path, body, least) => {
      const from = `198.18.${routes.findIndex((route) => route[0] === method && route[1] === path)}.1`;
      const call = (key?: string) => {
        const test = (request(app.url!) as unknown as Record<string, (url: string) => request.Test>)
          [method](`/api/v1${path}`)
          .set('x-forwarded-for', from);
        if (key) test.set('authorization', `Bearer ${key}`);
        return body ? test.send(body) : test;
      };
      expect((await call()).status).toBe(401);
      expect((await call('hg_not_a_real_key_at_all_0000')).status).toBe(401);
      for (const scope of ['read', 'ops', 'admin'] as const) {
        const response = await call(keys[scope]);
        if (rank[scope] < rank[least]) {
          expect([scope, response.status]).toEqual([scope, 403]);
          expect(response.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
        } else {
          expect([scope, response.status < 500 && response.status !== 401 && response.status !== 403]).toEqual([
            scope,
            true,
          ]);
        }
      }
    },
  );

  it('deny by default: every route of the OpenAPI document refuses a request without a key, except the public ones', async () => {
    const document = (await request(app.url!).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const publicRoutes = new Set([
      'get /health',
      'get /health/live',
      'get /health/ready',
      'get /metrics',
      'post /webhooks/{integration}',
    ]);
    const open: string[] = [];
    let walked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const route = `${method} ${path}`;
        const concrete = path.replace(/\{[^}]+\}/g, ZERO);
        const response = await (request(app.url!) as unknown as Record<string, (url: string) => request.Test>)
          [method](concrete)
          .set('x-forwarded-for', `198.19.${walked}.1`);
        walked += 1;
        if (publicRoutes.has(route)) continue;
        if (response.status !== 401) open.push(`${route} → ${response.status}`);
      }
    }
    expect(walked).toBeGreaterThanOrEqual(routes.length);
    expect(open).toEqual([]);
  });

  it('revoked keys stop working; lists never show a key', async () => {
    const created = await adminApi(app.url!).post('/api-keys', { name: 'temp', scope: 'read' }).expect(201);
    await request(app.url!).get('/api/v1/events').set('x-api-key', created.body.key).expect(200);
    const list = await adminApi(app.url!).get('/api-keys').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    await adminApi(app.url!).delete(`/api-keys/${created.body.id}`).expect(204);
    await request(app.url!).get('/api/v1/events').set('x-api-key', created.body.key).expect(401);
    const audit = await adminApi(app.url!).get('/audit-entries?action=api_key.revoked').expect(200);
    expect(audit.body.data[0]).toMatchObject({ actor: 'bootstrap-admin', subjectId: created.body.id });
  });

  it('walking every page while events keep arriving returns each pre-existing event exactly once', async () => {
    const existing = await someEvents(prisma, 'acme').ofType('page.walk').build(1_200);
    let cursor: string | null = null;
    const seen: string[] = [];
    let inserted = 0;
    do {
      const response: request.Response = await adminApi(app.url!)
        .get(`/events?type=page.*&limit=100${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      seen.push(...response.body.data.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
      // Newer events land while the walk goes on (they sort before the cursor and must not disturb it).
      await someEvents(prisma, 'acme')
        .ofType('page.walk')
        .receivedFrom(new Date(Date.now() + inserted * 1000))
        .build(20);
      inserted += 20;
    } while (cursor);
    expect(seen.filter((id) => existing.includes(id)).sort()).toEqual([...existing].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters events and rejects bad filters and cursors with 400', async () => {
    await someEvents(prisma, 'acme').ofType('filter.one').build(3);
    const byType = await adminApi(app.url!).get('/events?type=filter.one').expect(200);
    expect(byType.body.data).toHaveLength(3);
    expect(byType.body.data[0]).toEqual({
      id: expect.any(String),
      // Contract §7.1: items carry their application; events that name none belong to `default`.
      application: 'default',
      integration: 'acme',
      provider: 'acme',
      type: 'filter.one',
      externalId: expect.any(String),
      // Contract §7.5: acme names no object, so its events are ordered by their integration.
      orderingKey: 'acme',
      status: 'delivered',
      occurredAt: null,
      receivedAt: expect.any(String),
    });
    await adminApi(app.url!).get('/events?status=bogus').expect(400);
    await adminApi(app.url!).get('/events?from=yesterday').expect(400);
    await adminApi(app.url!).get('/events?cursor=garbage').expect(400);
    await adminApi(app.url!).get('/events?limit=501').expect(400);
    await adminApi(app.url!).get('/events/not-a-uuid').expect(400);
    // Shaped like a cursor, but not one this API issued (contract §6.4).
    const foreign = Buffer.from(JSON.stringify({ at: '2026-01-01T00:00:00Z', id: "x' OR 1=1" })).toString('base64url');
    const refused = await adminApi(app.url!).get(`/events?cursor=${foreign}`).expect(400);
    expect(refused.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('cursor') });
    await adminApi(app.url!).get(`/endpoints?cursor=${foreign}`).expect(400);
  });

  it('refuses null and wrong-typed fields in bodies with 400 (contract §6.4)', async () => {
    const endpoint = await adminApi(app.url!).post('/endpoints', { url: 'https://example.com/hooks' }).expect(201);
    const nulled = await adminApi(app.url!).patch(`/endpoints/${endpoint.body.id}`, { enabled: null }).expect(400);
    expect(nulled.body.message).toContain('enabled must not be null');
    await adminApi(app.url!)
      .patch(`/endpoints/${endpoint.body.id}`, { filter: { eventTypes: [null] } })
      .expect(400);
    await adminApi(app.url!).patch(`/endpoints/${endpoint.body.id}`, { enabled: 'yes' }).expect(400);
    await adminApi(app.url!).post('/replays', { reason: null, filter: {} }).expect(400);
    expect((await adminApi(app.url!).get(`/endpoints/${endpoint.body.id}`).expect(200)).body.enabled).toBe(true);
  });

  it('serves Bull Board at /admin/queues to admin keys only', async () => {
    const anonymous = await request(app.url!).get('/admin/queues').expect(401);
    expect(anonymous.body).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      path: '/admin/queues',
      correlationId: expect.any(String),
    });
    await request(app.url!).get('/admin/queues').set('authorization', `Bearer ${keys.ops}`).expect(403);
    const board = await request(app.url!).get('/admin/queues').set('authorization', `Bearer ${keys.admin}`).expect(200);
    expect(board.text).toContain('<html');
    const queues = await request(app.url!)
      .get('/admin/queues/api/queues')
      .set('authorization', `Bearer ${keys.admin}`)
      .expect(200);
    expect(queues.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual([
      'dead-letter',
      'delivery',
      'maintenance',
      'processing',
      'replay',
      'retention',
    ]);
    // Read-only: a job changed here would bypass the audit trail.
    const paused = await request(app.url!)
      .put('/admin/queues/api/queues/pause')
      .set('authorization', `Bearer ${keys.admin}`)
      .expect(405);
    expect(paused.body).toMatchObject({ statusCode: 405, message: expect.stringContaining('read-only') });
    await request(app.url!)
      .put('/admin/queues/api/queues/dead-letter/retry/failed')
      .set('authorization', `Bearer ${keys.admin}`)
      .expect(405);
    expect(await app.app.get(JobQueue).queue(QueueName.Delivery).isPaused()).toBe(false);
  });

  it('serves a valid OpenAPI document listing every management route', async () => {
    const document = (await request(app.url!).get('/docs-json').expect(200)).body;
    // @apidevtools/swagger-parser pulls in an ESM-only dependency Jest on Node 20 cannot require: validate in a child.
    const validator = `import SwaggerParser from '@apidevtools/swagger-parser'; let input = ''; process.stdin.on('data', (c) => (input += c)); process.stdin.on('end', () => SwaggerParser.validate(JSON.parse(input)).then(() => console.log('valid'), (e) => { console.error(e.message); process.exit(1); }));`;
    const child = promisify(execFile)(process.execPath, ['--input-type=module', '-e', validator], {
      cwd: process.cwd(),
    });
    child.child.stdin!.end(JSON.stringify(document));
    expect((await child).stdout.trim()).toBe('valid');
    const paths = Object.keys(document.paths);
    for (const [, path] of routes) {
      const templated = `/api/v1${path.replace(ZERO, '{id}')}`;
      expect(paths).toContain(templated);
    }
    expect(paths).toContain('/webhooks/{integration}');
    await request(app.url!)
      .get('/docs')
      .expect((response) => expect([200, 301]).toContain(response.status));
  });
});

describe('management rate limit', () => {
  it('answers 429 with Retry-After once a key spends its per-minute budget', async () => {
    const app = await startTestApp({ role: 'api', env: { MANAGEMENT_RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      for (let index = 0; index < 5; index += 1) await adminApi(app.url!).get('/events').expect(200);
      const limited = await adminApi(app.url!).get('/events').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      await request(app.url!).get('/health/ready').expect(200);
    } finally {
      await app.stop();
    }
  });
});
