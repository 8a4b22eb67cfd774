import { PrismaService } from '../../src/common/database/prisma.service';
import { ACME_SECRET, createEndpoint, postAcme, verifyDelivery } from '../delivery/support';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { PrivateRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { DEFAULT_APPLICATION_ID } from '../../src/common/tenancy/default-application';

const post = (app: TestApp, body: string) => postAcme(app.url!, body);

describe('ingress: concurrency, limits and Redis outages', () => {
  describe('on the shared Redis', () => {
    let app: TestApp;
    let prisma: PrismaService;

    beforeAll(async () => {
      app = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
      prisma = app.app.get(PrismaService);
    });

    afterAll(() => app?.stop());

    /** Through the API, which also drops the ingress cache of the integration. */
    const setLimits = async (limits: object) => {
      const integration = await prisma.integration.findUniqueOrThrow({
        where: { applicationId_slug: { applicationId: DEFAULT_APPLICATION_ID, slug: 'acme' } },
      });
      await adminApi(app.url!).patch(`/integrations/${integration.id}`, limits).expect(200);
    };

    it('20 identical webhooks at once make one event, one 202 and 19 duplicates naming it', async () => {
      const body = JSON.stringify({ id: 'same_1', type: 'order.created' });
      const responses = await Promise.all(Array.from({ length: 20 }, () => post(app, body)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, ...Array(18).fill(200), 202].sort());
      const ids = new Set(responses.map((response) => response.body.eventId));
      expect(ids.size).toBe(1);
      expect(await prisma.event.count({ where: { externalId: 'same_1' } })).toBe(1);
      expect(await prisma.rawWebhook.count({ where: { event: { externalId: 'same_1' } } })).toBe(1);
    });

    it("413 over the integration's body limit, stored nothing", async () => {
      await setLimits({ maxBodyBytes: 200 });
      const response = await post(
        app,
        JSON.stringify({ id: 'big_1', type: 'order.created', pad: 'x'.repeat(300) }),
      ).expect(413);
      expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await prisma.event.count({ where: { externalId: 'big_1' } })).toBe(0);
      await post(app, JSON.stringify({ id: 'small_1', type: 'order.created' })).expect(202);
      await setLimits({ maxBodyBytes: 1_048_576 });
    });

    it("429 with Retry-After past the integration's rate limit", async () => {
      await setLimits({ rateLimitPerMinute: 3 });
      const statuses: number[] = [];
      for (let index = 0; index < 3; index += 1)
        statuses.push((await post(app, JSON.stringify({ id: `rl_${index}`, type: 'order.created' }))).status);
      expect(statuses).toEqual([202, 202, 202]);
      const limited = await post(app, JSON.stringify({ id: 'rl_4', type: 'order.created' })).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(await prisma.event.count({ where: { externalId: 'rl_4' } })).toBe(0);
    });
  });

  describe('with Redis stopped mid-test', () => {
    let redis: PrivateRedis;
    let api: TestApp;
    let worker: TestApp;
    let receiver: TestReceiver;
    let endpoint: { id: string; secret: string };

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      receiver = await TestReceiver.start();
      api = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET, REDIS_URL: redis.url } });
      worker = await startTestApp({
        role: 'worker',
        database: api.database,
        redisPrefix: api.config.redis.prefix,
        env: { REDIS_URL: redis.url, OUTBOX_RELAY_INTERVAL_MS: '300', OUTBOX_RELAY_MIN_AGE_MS: '500' },
      });
      endpoint = await createEndpoint(api.url!, { url: receiver.url('/outage') });
    });

    afterAll(async () => {
      await worker?.stop();
      await api?.stop();
      await receiver?.close();
      await redis?.destroy();
    });

    it('still answers 202 from PostgreSQL alone, and every webhook is delivered once Redis is back', async () => {
      await redis.stop();
      const ids: string[] = [];
      // Sent together, so they share batches whose hand-off to BullMQ fails.
      const responses = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          post(api, JSON.stringify({ id: `outage_${index}`, type: 'order.created' })).expect(202),
        ),
      );
      ids.push(...responses.map((response) => response.body.eventId as string));
      // PostgreSQL alone still decides duplicates.
      expect(
        (await post(api, JSON.stringify({ id: 'outage_0', type: 'order.created' })).expect(200)).body.eventId,
      ).toBe(ids[0]);
      // Each one is committed with its delivery, which waits for the relay.
      const prisma = api.app.get(PrismaService);
      expect(await prisma.delivery.count({ where: { eventId: { in: ids }, status: 'pending' } })).toBe(5);
      expect(receiver.requests).toHaveLength(0);

      await redis.restart();
      await waitFor(
        async () => (await prisma.event.count({ where: { id: { in: ids }, status: 'delivered' } })) === ids.length,
        { timeoutMs: 30_000, what: 'every webhook of the outage to be delivered' },
      );
      const delivered = receiver.requestsTo('/outage');
      expect(delivered.map((received) => verifyDelivery(received, endpoint.secret).id).sort()).toEqual([...ids].sort());
    });
  });

  describe('with Redis unreachable when the api starts (contract §6.2)', () => {
    let redis: PrivateRedis;
    let api: TestApp;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      await redis.stop();
      api = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET, REDIS_URL: redis.url } });
      // Created in the database itself: the management API would announce it on Redis.
      await api.app.get(PrismaService).endpoint.create({
        data: { url: 'http://127.0.0.1:9/boot-outage', secret: `whsec_${'A'.repeat(32)}` },
      });
    });

    afterAll(async () => {
      await api?.stop();
      await redis?.destroy();
    });

    it('answers valid webhooks 202 within 3 s; the delivery waits as pending for the relay', async () => {
      const started = Date.now();
      const response = await post(api, JSON.stringify({ id: 'boot_outage_1', type: 'order.created' }))
        .timeout(3_000)
        .expect(202);
      expect(Date.now() - started).toBeLessThan(3_000);
      const prisma = api.app.get(PrismaService);
      const event = await prisma.event.findUniqueOrThrow({
        where: { id: response.body.eventId },
        include: { deliveries: true },
      });
      expect(event.status).toBe('processing');
      expect(event.deliveries).toEqual([expect.objectContaining({ status: 'pending', attemptCount: 0 })]);
    });
  });
});
