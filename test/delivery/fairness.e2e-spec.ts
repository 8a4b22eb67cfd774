import { PrismaService } from '../../src/common/database/prisma.service';
import { JobQueue } from '../../src/queue/job-queue.service';
import { QueueName } from '../../src/queue/queue-names';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { ACME_SECRET, createEndpoint, sendAcme } from './support';

/** Contract §6.3: one slow, failing or dead endpoint never delays deliveries to other endpoints by more than a second. */
describe('fair delivery between endpoints', () => {
  let app: TestApp;
  let receiver: TestReceiver;
  let prisma: PrismaService;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({
      role: 'all',
      env: {
        ACME_WEBHOOK_SECRET: ACME_SECRET,
        DELIVERY_CONCURRENCY: '10',
        ENDPOINT_CONCURRENCY: '2',
        ENDPOINT_BREAKER_FAILURES: '3',
        ENDPOINT_BREAKER_COOLDOWN_MS: '1500',
        DELIVERY_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms',
      },
    });
    prisma = app.app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('an endpoint that hangs holds at most its own slots: the healthy one is served within a second', async () => {
    await createEndpoint(app.url!, {
      url: receiver.url('/hang'),
      filter: { eventTypes: ['fair.*'] },
      timeoutMs: 4_000,
      maxAttempts: 1,
    });
    const healthy = await createEndpoint(app.url!, { url: receiver.url('/fine'), filter: { eventTypes: ['fair.*'] } });
    receiver.respondWith((request) => (request.path === '/hang' ? { status: 200, delayMs: 3_500 } : { status: 200 }));
    const ids: string[] = [];
    for (let index = 0; index < 30; index += 1) ids.push(await sendAcme(app.url!, `fair_${index}`, 'fair.event'));

    await waitFor(() => receiver.requestsTo('/fine').length === 30, {
      timeoutMs: 20_000,
      what: 'the healthy endpoint to get every event',
    });
    const delays = await prisma.$queryRaw<{ ms: number }[]>`
      SELECT extract(epoch FROM a.started_at - e.received_at) * 1000 AS ms
      FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.id = d.event_id
      WHERE d.endpoint_id = ${healthy.id}::uuid`;
    const sorted = delays.map((row) => Number(row.ms)).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95) - 1]).toBeLessThan(1_000);
    // Meanwhile the hanging endpoint never had more than its two slots in flight.
    expect(receiver.requestsTo('/hang').length).toBeLessThanOrEqual(4);
    expect(ids).toHaveLength(30);
  });

  it('an endpoint whose attempts keep failing is paused, probed, and healthy again once it answers', async () => {
    let failing = true;
    const flaky = await createEndpoint(app.url!, {
      url: receiver.url('/down'),
      filter: { eventTypes: ['down.*'] },
      maxAttempts: 20,
    });
    receiver.respondWith((request) => (request.path === '/down' ? { status: failing ? 503 : 200 } : { status: 200 }));
    for (let index = 0; index < 5; index += 1) await sendAcme(app.url!, `down_${index}`, 'down.event');

    const paused = await waitFor(
      async () => {
        const body = (await adminApi(app.url!).get(`/endpoints/${flaky.id}`).expect(200)).body;
        return body.health.state === 'paused' ? body.health : undefined;
      },
      { timeoutMs: 10_000, what: 'the breaker to pause the endpoint' },
    );
    expect(paused).toMatchObject({
      recentSuccessRate: 0,
      lastError: expect.stringContaining('503'),
      lastAttemptAt: expect.any(String),
    });
    // Paused, not hammered: the next request is a single probe, a cooldown later; it fails, so the pause goes on.
    const before = receiver.requestsTo('/down');
    const probe = await waitFor(() => receiver.requestsTo('/down')[before.length], {
      timeoutMs: 10_000,
      what: 'the probe',
    });
    expect(probe.receivedAt - before[before.length - 1].receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(receiver.requestsTo('/down')).toHaveLength(before.length + 1);

    failing = false;
    await waitFor(
      async () => (await prisma.delivery.count({ where: { endpointId: flaky.id, status: 'succeeded' } })) === 5,
      { timeoutMs: 20_000, what: 'every delivery after recovery' },
    );
    const recovered = (await adminApi(app.url!).get(`/endpoints/${flaky.id}`).expect(200)).body.health;
    expect(recovered.state).not.toBe('paused');
    expect(await prisma.delivery.count({ where: { endpointId: flaky.id, status: 'dead_lettered' } })).toBe(0);
  });

  it('jobs an endpoint holds back come back behind fresh jobs: a backlog circulates behind other deliveries', async () => {
    const busy = await createEndpoint(app.url!, {
      url: receiver.url('/busy'),
      filter: { eventTypes: ['backlog.*'] },
      timeoutMs: 4_000,
    });
    receiver.respondWith((request) => (request.path === '/busy' ? { status: 200, delayMs: 2_000 } : { status: 200 }));
    for (let index = 0; index < 8; index += 1) await sendAcme(app.url!, `backlog_${index}`, 'backlog.event');

    // Two in flight (ENDPOINT_CONCURRENCY 2), the rest held back by the cap: each waits without an attempt and is
    // given a priority, so BullMQ takes every waiting (fresh) job before it (contract §6.3, §7.1 fairness).
    const queue = app.app.get(JobQueue).queue(QueueName.Delivery);
    const heldBack = await waitFor(
      async () => {
        const jobs = (await queue.getJobs(['delayed', 'prioritized'])).filter(
          (job) => (job.data as { endpointId?: string }).endpointId === busy.id,
        );
        return jobs.length >= 4 ? jobs : undefined;
      },
      { timeoutMs: 10_000, what: 'the jobs held back by the cap' },
    );
    expect(heldBack.map((job) => job.priority)).toEqual(heldBack.map(() => 1));
    await waitFor(() => receiver.requestsTo('/busy').length === 8, {
      timeoutMs: 30_000,
      what: 'the backlog to be delivered in the end',
    });
  }, 60_000);
});
