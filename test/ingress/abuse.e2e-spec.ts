import { createHmac } from 'node:crypto';
import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { IntegrationResolver } from '../../src/providers/integrations/integration-resolver';
import { adminApi } from '../support/management';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { DEFAULT_APPLICATION_ID } from '../../src/common/tenancy/default-application';

const SECRET = 'acme-abuse-secret-0123456789';
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

/** Contract §6.2 and §6.4: what forged traffic and guessed keys can and cannot do. */
describe('hostile clients', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    // Behind a trusted proxy on loopback, X-Forwarded-For names the client: the tests play several addresses.
    app = await startTestApp({
      role: 'api',
      env: { ACME_WEBHOOK_SECRET: SECRET, TRUST_PROXY: 'loopback', INGRESS_REJECTED_PER_IP_PER_MINUTE: '50' },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(() => app?.stop());

  const webhook = (from: string, body: string, signature: string) =>
    request(app.url!).post('/webhooks/acme').set('x-forwarded-for', from).set('x-acme-signature', signature).send(body);

  it('10,000 forged webhooks at a rate-limited integration leave the real provider answered 202', async () => {
    const integration = await prisma.integration.findUniqueOrThrow({
      where: { applicationId_slug: { applicationId: DEFAULT_APPLICATION_ID, slug: 'acme' } },
    });
    await adminApi(app.url!).patch(`/integrations/${integration.id}`, { rateLimitPerMinute: 5 }).expect(200);
    const statuses: number[] = [];
    for (let batch = 0; batch < 200; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          webhook('203.0.113.66', JSON.stringify({ id: `forged_${batch}_${index}`, type: 't' }), 'ab'.repeat(32)),
        ),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
    const limited = await webhook('203.0.113.66', '{}', 'ab'.repeat(32)).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    const body = JSON.stringify({ id: 'real_provider_1', type: 'order.created' });
    await webhook('198.51.100.10', body, sign(body)).expect(202);
    expect(await prisma.event.count({ where: { externalId: { startsWith: 'forged_' } } })).toBe(0);
    // 10,000 requests: bounded work, about 20 s alone and three times that beside the suite's heaviest files.
  }, 150_000);

  it('10,000 requests to random slugs add no metric series and no cached integrations beyond a bound', async () => {
    const seriesCount = async () =>
      (await request(app.url!).get('/metrics').expect(200)).text
        .split('\n')
        .filter((line) => /^hookgate_(?!nodejs_|process_)/.test(line)).length; // not the runtime's own (GC kinds appear as they happen)
    // The first unknown slug creates the `unknown` series; 10,000 more must add none.
    await request(app.url!).post('/webhooks/first-unknown').send('{}').expect(404);
    const before = await seriesCount();
    for (let batch = 0; batch < 200; batch += 1) {
      await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          request(app.url!)
            .post(`/webhooks/random-${batch}-${index}-${Math.random().toString(36).slice(2)}`)
            .send('{}')
            .expect(404),
        ),
      );
    }
    expect(await seriesCount()).toBe(before);
    const metrics = (await request(app.url!).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      /hookgate_ingress_requests_total\{integration="unknown",outcome="unknown_integration"\} 10001/,
    );
    expect(metrics).not.toContain('random-');
    const cache = (
      app.app.get<IntegrationResolver>(IntegrationResolver) as unknown as { cache: { entries: Map<string, unknown> } }
    ).cache.entries;
    expect(cache.size).toBeLessThanOrEqual(1_000);
    // 10,000 requests, each a cache miss and a lookup: about 30 s on a quiet machine, twice that beside the rest of
    // the suite on two cores; the work is bounded, so the bound is the test's own.
  }, 150_000);

  it('more than 20 failed authentications from one address: 429 for that address only', async () => {
    const guess = (from: string, key: string) =>
      request(app.url!).get('/api/v1/events').set('x-forwarded-for', from).set('authorization', `Bearer ${key}`);
    for (let attempt = 0; attempt < 20; attempt += 1) await guess('203.0.113.99', `hg_guess_${attempt}`).expect(401);
    const blocked = await guess('203.0.113.99', 'hg_guess_21').expect(429);
    expect(blocked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    await guess('203.0.113.99', TEST_ADMIN_KEY).expect(429);
    await guess('198.51.100.20', TEST_ADMIN_KEY).expect(200);
  });
});
