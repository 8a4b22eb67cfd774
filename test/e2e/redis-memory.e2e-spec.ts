import { createHmac } from 'node:crypto';
import IORedis from 'ioredis';
import { PrismaService } from '../../src/common/database/prisma.service';
import { PrivateRedis } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const SECRET = 'acme-redis-memory-secret-01';
const WEBHOOKS = 20_000;

/** Issue 13: Redis stays bounded; PostgreSQL is the record, finished jobs in Redis only the recent view. */
describe('Redis memory', () => {
  let redis: PrivateRedis;
  let app: TestApp;
  let client: IORedis;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    app = await startTestApp({
      role: 'all',
      env: { ACME_WEBHOOK_SECRET: SECRET, REDIS_URL: redis.url, FAN_OUT_CONCURRENCY: '20' },
    });
    client = new IORedis(redis.url);
  });

  afterAll(async () => {
    client?.disconnect();
    await app?.stop();
    await redis?.destroy();
  });

  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);

  it(`grows by a bounded amount over ${WEBHOOKS.toLocaleString('en')} webhooks: finished jobs and event streams are capped`, async () => {
    const before = await usedMemory();
    for (let start = 0; start < WEBHOOKS; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => {
          const body = JSON.stringify({ id: `mem_${start + index}`, type: 'memory.test' });
          return fetch(`${app.url}/webhooks/acme`, {
            method: 'POST',
            headers: { 'x-acme-signature': createHmac('sha256', SECRET).update(body).digest('hex') },
            body,
          }).then((response) => response.arrayBuffer());
        }),
      );
    }
    const prisma = app.app.get(PrismaService);
    await waitFor(async () => (await prisma.event.count({ where: { status: 'no_subscribers' } })) === WEBHOOKS, {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'every event processed',
    });

    const prefix = app.config.redis.prefix;
    expect(await client.zcard(`${prefix}:processing:completed`)).toBeLessThanOrEqual(1_000);
    expect(await client.xlen(`${prefix}:processing:events`)).toBeLessThan(1_500);
    // 20,000 finished jobs kept would be about 14 MB; the caps keep it to a few.
    expect((await usedMemory()) - before).toBeLessThan(5 * 1024 * 1024);
  }, 150_000);
});
