import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { someEvents } from '../operations/builders';
import { PrivateRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

describe('readiness that means something', () => {
  let redis: PrivateRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    app = await startTestApp({
      role: 'api',
      env: { REDIS_URL: redis.url, HEALTH_OUTBOX_MAX_AGE_SECONDS: '30', ACME_WEBHOOK_SECRET: 'acme-readiness-secret' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.destroy();
  });

  const ready = () => request(app.url!).get('/health/ready');

  it('checks PostgreSQL, Redis, a BullMQ round trip, the outbox and the heap', async () => {
    const response = await ready();
    // The whole answer on failure: which check was down.
    expect({ status: response.status, error: response.body.error }).toEqual({ status: 200, error: {} });
    expect(Object.keys(response.body.details).sort()).toEqual([
      'database',
      'memory_heap',
      'outbox',
      'queue',
      'redis',
      'retention',
    ]);
  });

  it('fails when an accepted webhook has waited too long for BullMQ, and recovers once it is handed over', async () => {
    const prisma = app.app.get(PrismaService);
    const [eventId] = await someEvents(prisma, 'acme').build(1);
    // Accepted ten minutes ago and still `received`: never handed to BullMQ.
    await prisma.$executeRaw`UPDATE events SET status = 'received', received_at = now() - interval '10 minutes' WHERE id = ${eventId}::uuid`;
    const response = await ready().expect(503);
    expect(response.body.error.outbox).toMatchObject({ status: 'down', pending: 1, limitSeconds: 30 });
    await prisma.event.update({ where: { id: eventId }, data: { status: 'queued' } });
    await ready().expect(200);
  });

  it('turns 503 within seconds of Redis stopping (Redis and the queue round trip down) and 200 after restart', async () => {
    await redis.stop();
    const down = await waitFor(
      async () => {
        const response = await ready();
        return response.status === 503 ? response.body : undefined;
      },
      { timeoutMs: 10_000, what: '503' },
    );
    expect(down.error.redis.status).toBe('down');
    expect(down.error.queue.status).toBe('down');
    await redis.restart();
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 15_000, what: 'ready again' });
  });
});
