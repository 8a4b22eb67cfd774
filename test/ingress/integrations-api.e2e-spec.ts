import request from 'supertest';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';

describe('integrations API', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ role: 'api', env: { STRIPE_WEBHOOK_SECRET: 'whsec_builtin_stripe_secret' } });
  });

  afterAll(() => app?.stop());

  it('lists the built-in integration seeded from the environment, never showing a secret', async () => {
    const response = await adminApi(app.url!).get('/integrations').expect(200);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.data.map((item: { slug: string }) => item.slug)).toContain('stripe');
    expect(JSON.stringify(response.body)).not.toContain('whsec_builtin_stripe_secret');
    expect(response.body.data[0]).not.toHaveProperty('secret');
  });

  it('creates another integration of a provider (201), refuses a duplicate slug (409) and bad bodies (400)', async () => {
    const created = await adminApi(app.url!)
      .post('/integrations', {
        slug: 'stripe-eu',
        provider: 'stripe',
        secret: 'whsec_eu_secret_value',
        rateLimitPerMinute: 100,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      slug: 'stripe-eu',
      provider: 'stripe',
      enabled: true,
      toleranceSeconds: 300,
      maxBodyBytes: 1_048_576,
      rateLimitPerMinute: 100,
    });
    expect(JSON.stringify(created.body)).not.toContain('whsec_eu_secret_value');
    await adminApi(app.url!).post('/integrations', { slug: 'stripe-eu', provider: 'stripe', secret: 'x' }).expect(409);
    const unknownField = await adminApi(app.url!)
      .post('/integrations', { slug: 'a', provider: 'stripe', secret: 'x', colour: 'red' })
      .expect(400);
    expect(unknownField.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('colour'),
    });
    await adminApi(app.url!).post('/integrations', { slug: 'b', provider: 'nope', secret: 'x' }).expect(400);
    await adminApi(app.url!).post('/integrations', { slug: 'Bad Slug', provider: 'stripe', secret: 'x' }).expect(400);
    await adminApi(app.url!)
      .post('/integrations', { slug: 'c', provider: 'stripe', secret: 'x', toleranceSeconds: 'soon' })
      .expect(400);
    const fetched = await adminApi(app.url!).get(`/integrations/${created.body.id}`).expect(200);
    expect(fetched.body.id).toBe(created.body.id);
    await adminApi(app.url!).get('/integrations/00000000-0000-0000-0000-000000000000').expect(404);
    await adminApi(app.url!).get('/integrations/not-a-uuid').expect(404);
  });

  it('rotation keeps the previous secret for its TTL and says until when', async () => {
    const created = await adminApi(app.url!)
      .post('/integrations', { slug: 'acme-2', provider: 'acme', secret: 'first-secret-value' })
      .expect(201);
    const rotated = await adminApi(app.url!)
      .patch(`/integrations/${created.body.id}`, { rotateSecret: 'second-secret-value', previousSecretTtlSeconds: 60 })
      .expect(200);
    const until = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(until - Date.now()).toBeGreaterThan(50_000);
    expect(until - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('needs a key (401) and the admin scope to write', async () => {
    const missing = await request(app.url!).get('/api/v1/integrations').expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', path: '/api/v1/integrations' });
    await request(app.url!).get('/api/v1/integrations').set('authorization', 'Bearer wrong-key-0123456789').expect(401);
    await request(app.url!)
      .get('/api/v1/integrations')
      .set('x-api-key', 'hg_test_admin_key_0123456789abcdef')
      .expect(200);
  });
});
