import request from 'supertest';
import { PrismaService } from '../../src/common/database/prisma.service';
import { HookgateProcess } from '../support/hookgate-process';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme, verifyDelivery, waitForDeadLetter } from './support';

// Real `node dist/main.js worker` processes (built by `npm test`) against the test's database and Redis prefix.
describe('delivery across worker processes', () => {
  let api: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;
  const workers: HookgateProcess[] = [];

  const startWorker = () => {
    const worker = HookgateProcess.spawn(['worker'], {
      DATABASE_URL: api.database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: api.config.redis.prefix,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_RETRY_SCHEDULE: '200ms,400ms',
      DELIVERY_CONCURRENCY: '10',
      // A crashed worker's jobs are taken over after about lock + stalled interval: seconds here, not minutes.
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    api = await startTestApp({ role: 'api', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    prisma = api.app.get(PrismaService);
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.stop();
    await receiver?.close();
  });

  it('two workers deliver 500 events, each exactly once, never in flight twice', async () => {
    const endpoint = await createEndpoint(api.url!, { url: receiver.url('/many'), filter: { eventTypes: ['bulk.*'] } });
    const inFlight = new Map<string, number>();
    let overlaps = 0;
    receiver.respondWith((received) => {
      const id = String(received.headers['webhook-id']);
      const now = (inFlight.get(id) ?? 0) + 1;
      if (now > 1) overlaps += 1;
      inFlight.set(id, now);
      setTimeout(() => inFlight.set(id, (inFlight.get(id) ?? 1) - 1), 20);
      return { status: 200, delayMs: 20 };
    });
    startWorker();
    startWorker();

    const ids: string[] = [];
    for (let batch = 0; batch < 25; batch += 1) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, index) => sendAcme(api.url!, `bulk_${batch}_${index}`, 'bulk.item')),
        )),
      );
    }
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === 500,
      { timeoutMs: 50_000, intervalMs: 250, what: '500 deliveries' },
    );

    const received = receiver.requestsTo('/many');
    expect(received).toHaveLength(500);
    expect(new Set(received.map((item) => item.headers['webhook-id'])).size).toBe(500);
    expect(overlaps).toBe(0);
    expect(new Set(received.map((item) => verifyDelivery(item, endpoint.secret).id))).toEqual(new Set(ids));
  });

  it('a worker killed with SIGKILL mid-delivery: another worker completes it with the same webhook-id', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM')));
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/slow-crash'),
      filter: { eventTypes: ['crash.*'] },
      timeoutMs: 60_000,
    });
    receiver.respondWith((received, index) =>
      received.path === '/slow-crash' && index === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 },
    );
    const doomed = startWorker();
    const eventId = await sendAcme(api.url!, 'crash_1', 'crash.now');
    await waitFor(() => receiver.requestsTo('/slow-crash').length === 1, {
      timeoutMs: 15_000,
      what: 'the slow delivery to start',
    });
    await doomed.stop('SIGKILL');

    // BullMQ notices the dead worker's lock expiring (WORKER_LOCK_DURATION_MS) at a stalled check (every
    // WORKER_STALLED_INTERVAL_MS), then hands the job to the next worker.
    startWorker();
    const delivery = await waitFor(
      async () => {
        const row = await prisma.delivery.findFirst({
          where: { eventId, endpointId: endpoint.id },
          include: { attempts: true },
        });
        return row?.status === 'succeeded' ? row : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'recovery of the stalled delivery' },
    );
    const attempts = receiver.requestsTo('/slow-crash');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((item) => item.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(delivery.attempts.some((attempt) => attempt.responseStatus === 200)).toBe(true);
  });

  it('SIGTERM during deliveries: the attempts in hand finish and are recorded, none is used up by the shutdown (contract §6.3)', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM')));
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/slow-drain'),
      filter: { eventTypes: ['drain.*'] },
      maxAttempts: 1,
    });
    receiver.respondWith((received) =>
      received.path === '/slow-drain' ? { status: 200, delayMs: 1_000 } : { status: 200 },
    );
    const draining = startWorker();
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, index) => sendAcme(api.url!, `drain_${index}`, 'drain.now')),
    );
    await waitFor(() => receiver.requestsTo('/slow-drain').length >= 10, {
      timeoutMs: 20_000,
      what: 'deliveries in flight',
    });
    expect(await draining.stop('SIGTERM')).toBe(0);

    // What the stopped worker had in hand was delivered and recorded: one attempt per request the receiver got.
    const deliveries = await prisma.delivery.findMany({
      where: { endpointId: endpoint.id },
      include: { attempts: true },
    });
    const received = receiver.requestsTo('/slow-drain');
    const attempts = deliveries.flatMap((delivery) => delivery.attempts);
    expect(attempts.length).toBe(received.length);
    expect(attempts.every((attempt) => attempt.responseStatus === 200)).toBe(true);
    expect(deliveries.filter((delivery) => delivery.status === 'dead_lettered')).toEqual([]);

    // The rest waited for the next worker, with their single attempt still unused.
    startWorker();
    await waitFor(
      async () =>
        (await prisma.delivery.count({ where: { endpointId: endpoint.id, status: 'succeeded' } })) === ids.length,
      { timeoutMs: 40_000, what: 'every delivery' },
    );
    const final = await prisma.delivery.findMany({ where: { endpointId: endpoint.id }, include: { attempts: true } });
    expect(final.every((delivery) => delivery.attempts.length === 1)).toBe(true);
    expect(receiver.requestsTo('/slow-drain')).toHaveLength(ids.length);
  }, 90_000);

  it('SSRF: with private networks refused, a delivery to 127.0.0.1 is recorded as refused and dead-lettered', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGTERM')));
    const guarded = HookgateProcess.spawn(['worker'], {
      DATABASE_URL: api.database.url,
      REDIS_URL: process.env.REDIS_URL,
      HOOKGATE_REDIS_PREFIX: api.config.redis.prefix,
      DELIVERY_ALLOW_PRIVATE_NETWORKS: 'false',
      LOG_LEVEL: 'warn',
    });
    workers.push(guarded);
    const endpoint = await createEndpoint(api.url!, {
      url: receiver.url('/private'),
      filter: { eventTypes: ['ssrf.*'] },
    });
    const before = receiver.requestsTo('/private').length;
    const eventId = await sendAcme(api.url!, 'ssrf_1', 'ssrf.try');
    const delivery = await waitForDeadLetter(prisma, eventId, endpoint.id, 30_000);
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      outcome: 'refused',
      errorClass: 'RefusedAddressError',
      responseStatus: null,
    });
    expect(delivery.deadLetterReason).toContain('SSRF');
    expect(receiver.requestsTo('/private').length).toBe(before);
    await request(api.url!).get('/health/ready').expect(200);
  });
});
